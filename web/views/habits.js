// Habits: the last 90 days scored against the six habits, with the counts behind each number.
import {h, replace, empty, label, ago} from '../lib/dom.js';
import {load} from '../lib/store.js';

const HABITS = [
  ['giving', 'A habit of giving', 'Give more than you take.'],
  ['empathy', 'Be empathetic', 'Note what is on their mind.'],
  ['face_time', 'Make face time', 'Meet in person every few months.'],
  ['work', 'Put in the work', 'Keep people within their cadence.'],
  ['unique_voice', 'Find a unique voice', 'Hear and offer outside perspectives.'],
  ['friendship', 'Be their friend', 'Birthdays and wins, on time.'],
];
const ALIASES = {work: ['work', 'putting_in_the_work', 'put_in_the_work'], unique_voice: ['unique_voice', 'voice', 'mentors'], friendship: ['friendship', 'friend', 'be_their_friend'], face_time: ['face_time', 'facetime'], giving: ['giving', 'give'], empathy: ['empathy', 'empathetic']};

function blockFor(data, key) {
  const blocks = data && (data.habits || data.blocks || data);
  if (Array.isArray(blocks)) return blocks.find((b) => (ALIASES[key] || [key]).includes(b.key || b.id || b.habit)) || null;
  for (const k of ALIASES[key] || [key]) if (blocks && blocks[k]) return blocks[k];
  return null;
}

function scoreOf(block) {
  const s = block.score ?? block.value ?? block.ratio ?? null;
  if (s == null || Number.isNaN(Number(s))) return null;
  const n = Number(s);
  return n <= 1 ? Math.round(n * 100) : Math.round(n);
}

function figures(block) {
  const skip = new Set(['key', 'id', 'habit', 'title', 'label', 'score', 'summary', 'tip', 'explanation']);
  const src = block.counts && typeof block.counts === 'object' ? block.counts : block;
  return Object.entries(src).filter(([k, v]) => !skip.has(k) && v !== null && (typeof v === 'number' || typeof v === 'string') && v !== '')
    .map(([k, v]) => {
      if (k.endsWith('_at')) return [label(k.replace(/_at$/, '')), ago(v)];
      if (typeof v === 'number' && !Number.isInteger(v)) return [label(k), v.toFixed(1)];
      return [label(k), String(v)];
    });
}

function HabitCard([key, title, tip], block) {
  const score = block ? scoreOf(block) : null;
  const level = score == null ? 'none' : score >= 70 ? 'good' : score >= 40 ? 'fair' : 'low';
  return h('section', {class: ['card-section', 'habit', level], 'data-habit': key},
    h('div', {class: 'habit-head'},
      h('h2', null, title),
      h('span', {class: 'score', 'aria-label': score == null ? 'No score yet' : `Score ${score} out of 100`}, score == null ? '—' : String(score))),
    h('div', {class: 'meter', 'aria-hidden': 'true'}, h('span', {style: `width:${score ?? 0}%`})),
    h('p', {class: 'hint'}, (block && (block.summary || block.explanation)) || tip),
    block ? h('dl', {class: 'facts small'}, figures(block).map(([k, v]) => [h('dt', null, k), h('dd', null, v)])) : null);
}

export async function mountHabits(view) {
  const body = h('div', {class: 'habits'});
  view.append(h('header', {class: 'top'}, h('h1', null, 'Habits')),
    h('p', {class: 'lede'}, 'The last 90 days against the six habits of lasting connections.'), body);
  try {
    await load('/api/habits?days=90', (data) => replace(body,
      data.overall != null ? h('section', {class: 'card-section overall'}, h('p', {class: 'score big'}, String(data.overall)),
        h('p', null, h('strong', null, 'Overall'), ' — out of 100, over your last ', String(data.days || 90), ' days.')) : null,
      ...HABITS.map((habit) => HabitCard(habit, blockFor(data, habit[0]))).filter(Boolean)));
  } catch (err) {
    if (err.status !== 404) throw err;
    body.replaceChildren(empty('Log a few conversations and your habits will show up here.'), ...HABITS.map((habit) => HabitCard(habit, null)));
  }
}

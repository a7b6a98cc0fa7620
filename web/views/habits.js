// Habits: the last 90 days against the six habits, in words — where you stand, how it moved,
// and one next step with a person.
import {h, replace} from '../lib/dom.js';
import {load} from '../lib/store.js';

const DAYS = 90;
const HABITS = [
  ['giving', 'A habit of giving', 'Give more than you take.'],
  ['empathy', 'Be empathetic', 'Note what is on their mind.'],
  ['face_time', 'Make face time', 'Meet your close people in person.'],
  ['work', 'Put in the work', 'Keep people within their rhythm.'],
  ['unique_voice', 'Find a unique voice', 'Hear and offer outside views.'],
  ['friendship', 'Be their friend', 'Birthdays and wins, on time.'],
];

/** "Up from 60 in the 90 days before." — or nothing when either period is unscored. */
export function trendText(block, days) {
  if (!block.trend || block.previous_score == null) return null;
  if (block.trend === 'up') return `Up from ${block.previous_score} in the ${days} days before.`;
  if (block.trend === 'down') return `Down from ${block.previous_score} in the ${days} days before.`;
  return `About the same as the ${days} days before (${block.previous_score}).`;
}

function NextStep(step) {
  if (!step) return null;
  const who = step.contact;
  return h('div', {class: 'next-step', 'data-testid': 'next-step'},
    h('p', {class: 'next-text'}, h('span', {class: 'next-label'}, 'Next: '), step.text),
    h('div', {class: 'button-row'},
      h('a', {class: 'button small primary', href: `/log?contact=${encodeURIComponent(who.id)}`, 'aria-label': `Log a conversation with ${who.name}`}, 'Log'),
      step.message_url ? h('a', {class: 'button small', href: step.message_url, 'aria-label': `Message ${who.name}`}, 'Message') : null,
      h('a', {class: 'button small ghost', href: `/people/${encodeURIComponent(who.id)}`, 'aria-label': `Open ${who.name}`}, 'Open')));
}

function HabitCard([key, title, tip], block, days) {
  const score = block ? block.score : null;
  const level = score == null ? 'none' : score >= 70 ? 'good' : score >= 40 ? 'fair' : 'low';
  const trend = block ? trendText(block, days) : null;
  return h('section', {class: ['card-section', 'habit', level], 'data-habit': key, 'aria-labelledby': `habit-${key}`},
    h('div', {class: 'habit-head'},
      h('h2', {id: `habit-${key}`}, title),
      h('span', {class: 'score'}, score == null ? 'Not enough yet' : `${score} out of 100`)),
    score == null ? null : h('div', {class: 'meter', 'aria-hidden': 'true'}, h('span', {style: `width:${score}%`})),
    h('p', {class: 'habit-summary'}, (block && block.summary) || tip),
    trend ? h('p', {class: ['habit-trend', block.trend]}, trend) : null,
    block ? NextStep(block.next_action) : null);
}

function Overall(data) {
  const days = data.days || DAYS;
  if (data.overall == null) {
    return h('section', {class: 'card-section overall'},
      h('p', null, h('strong', null, 'Overall: not enough yet. '), 'Log a few more conversations and an overall score will show here.'));
  }
  const moved = data.previous_overall == null ? null
    : data.overall > data.previous_overall ? `up from ${data.previous_overall}` : data.overall < data.previous_overall ? `down from ${data.previous_overall}` : 'the same as before';
  return h('section', {class: 'card-section overall'}, h('p', {class: 'score big'}, String(data.overall)),
    h('p', null, h('strong', null, 'Overall'), ` — out of 100, over your last ${days} days${moved ? `, ${moved}` : ''}.`));
}

export async function mountHabits(view) {
  const body = h('div', {class: 'habits'});
  view.append(h('header', {class: 'top'}, h('h1', null, 'Habits')),
    h('p', {class: 'lede'}, `The last ${DAYS} days against the six habits of lasting connections. `,
      h('a', {href: '/week'}, 'See this week')), body);
  await load(`/api/habits?days=${DAYS}`, (fresh) => replace(body, Overall(fresh),
    ...HABITS.map((habit) => HabitCard(habit, fresh[habit[0]], fresh.days || DAYS))));
}

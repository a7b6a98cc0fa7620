// Today: meetings to log, birthdays, who is overdue, follow-ups, wins, promises, give first.
import {h, append, avatar, fmtTime, fmtDate, fmtDay, ago, empty} from '../lib/dom.js';
import {optional} from '../lib/api.js';
import {load} from '../lib/store.js';
import {ChallengeRow, FollowUpRow, PromiseRow, WinRow} from './threads.js';
import {AttendeePrompts} from './attendees.js';
import {onDemand} from '../lib/on-demand.js';
import {splitMeetings} from '../lib/meetings.js';

function list(data, ...keys) {
  for (const key of keys) {
    const value = data && data[key];
    if (Array.isArray(value)) return value;
    if (value && Array.isArray(value.items)) return value.items;
  }
  return [];
}

function contactOf(item) {
  const c = item.contact || (item.people && item.people[0]) || item;
  return {id: c.contact_id ?? c.id, name: c.contact_name || c.name || ''};
}

function personLink(item, sub, badge) {
  const c = contactOf(item);
  return h('li', null, h('a', {class: 'row-link', href: `/people/${c.id}`}, avatar(c.name),
    h('span', {class: 'row-main'}, h('span', {class: 'row-title'}, c.name), sub ? h('span', {class: 'row-sub'}, sub) : null),
    badge ? h('span', {class: 'row-badges'}, badge) : null));
}

// "Not worth logging": through the outbox like a log, so it works on a train too.
async function skipMeeting(m, row, ctx) {
  await self.RapportOutbox.put({
    id: `skip-meeting-${m.id}`, url: `/api/meetings/${encodeURIComponent(m.id)}/skip`, body: {},
    label: `Not worth logging: ${m.title || 'meeting'}`, meeting: m.id,
  });
  const section = row.closest('section');
  row.remove();
  if (section && !section.querySelector('li')) section.remove();
  await ctx.app.syncNow({quiet: true});
  if (ctx.app.pending) ctx.app.scheduleBackgroundSync();
  ctx.app.toast('Noted — no log needed for that one.');
}

function MeetingRow(m, ctx, upcoming) {
  const names = (m.attendees || []).map((a) => a.contact_name || a.name || a.email).filter(Boolean);
  const when = `${fmtDay(m.start)} · ${fmtTime(m.start)}`;
  const title = m.title || 'meeting';
  let action = null;
  if (m.logged) action = h('span', {class: 'badge'}, 'Logged');
  else if (ctx.waiting.get(String(m.id)) === 'logged') action = h('span', {class: 'badge'}, 'Saved on this phone');
  else if (upcoming) action = h('span', {class: 'badge'}, 'Upcoming');
  else {
    action = h('span', {class: 'meeting-actions'},
      h('a', {class: 'button small primary', href: `/log?meeting=${encodeURIComponent(m.id)}`, 'aria-label': `Log ${title}`}, 'Log'),
      h('button', {type: 'button', class: 'button small ghost', 'aria-label': `Not worth logging: ${title}`,
        onClick: (e) => skipMeeting(m, e.currentTarget.closest('li'), ctx)}, 'Skip'));
  }
  return h('li', {class: 'meeting-row', 'data-testid': upcoming ? 'upcoming-meeting' : 'meeting-to-log'},
    h('div', {class: 'meeting-head'},
      h('span', {class: 'row-main'}, h('span', {class: 'row-title'}, m.title || 'Meeting'),
        h('span', {class: 'row-sub'}, [when, names.slice(0, 3).join(', ')].filter(Boolean).join(' · '))),
      action),
    AttendeePrompts(m, {app: ctx.app, onChange: ctx.changed}));
}

function section(title, rows, testid) {
  if (!rows.length) return null;
  return h('section', {class: 'card-section', 'data-testid': testid}, h('h2', null, title), h('ul', {class: 'rows'}, rows));
}

function greeting(name) {
  const hour = new Date().getHours();
  const part = hour < 12 ? 'Good morning' : hour < 18 ? 'Good afternoon' : 'Good evening';
  const first = String(name || '').trim().split(/\s+/)[0];
  return first ? `${part}, ${first}` : part;
}

export async function mountToday(view, {app}) {
  // First-run checklist and nudges: online-only, so Today opens without them when they are not here.
  const nudges = h('div');
  const listening = new AbortController();
  onDemand('/views/onboarding.js').then((module) => {
    if (module && !listening.signal.aborted) nudges.replaceWith(module.Onboarding(app, listening.signal));
  });
  const body = h('div', {class: 'today-body'});
  append(view, [h('header', {class: 'top'}, h('h1', null, 'Today')),
    h('p', {class: 'lede'}, greeting(app.me && app.me.name)), nudges, body]);

  // Meetings already logged or set aside on this phone, not yet synced: never offered twice.
  const waiting = new Map((await self.RapportOutbox.all().catch(() => [])).filter((r) => r.meeting)
    .map((r) => [String(r.meeting), r.url.includes('/skip') ? 'skipped' : 'logged']));
  const ctx = {app, onToday: true, waiting, changed: () => load('/api/today', render).catch((err) => app.toast(err.message))};
  const render = (data) => {
    // Only a meeting that has ended can be logged; the rest of today's are shown as coming up.
    const {toLog, upcoming} = splitMeetings([...list(data, 'meetings_to_log'), ...list(data, 'meetings_today')]
      .filter((m) => waiting.get(String(m.id)) !== 'skipped'), new Date());
    const lapsed = (o) => personLink(o,
      o.last_interaction_at ? `Last: ${ago(o.last_interaction_at)}` : 'Not met yet',
      h('span', {class: 'badge warn'}, `${o.overdue_days} d overdue`));
    const parts = [
      section('Meetings to log', toLog.map((m) => MeetingRow(m, ctx, false)), 'meetings'),
      section('Coming up today', upcoming.map((m) => MeetingRow(m, ctx, true)), 'upcoming'),
      section('Birthdays ahead', list(data, 'birthdays').map((b) => personLink(b,
        [fmtDate(b.on), b.age ? `turns ${b.age}` : ''].filter(Boolean).join(' · '),
        h('span', {class: ['badge', b.days_until === 0 ? 'owe' : '']}, b.days_until === 0 ? 'Today' : b.days_until === 1 ? 'Tomorrow' : `in ${b.days_until} d`))), 'birthdays'),
      section('Follow-ups due', [
        ...list(data, 'follow_ups').map((f) => FollowUpRow(f, ctx)),
        ...list(data, 'check_ins').map((c) => ChallengeRow(c, ctx)),
      ], 'followups'),
      section('Wins to congratulate', list(data, 'wins').map((w) => WinRow(w, ctx)), 'wins'),
      section('Promises you made', list(data, 'promises').map((p) => PromiseRow(p, ctx)), 'promises'),
      section('Overdue for face time', list(data, 'face_time').map(lapsed), 'face-time'),
      section('Losing touch', list(data, 'overdue').map(lapsed), 'overdue'),
      section('Give first', list(data, 'give_first').map((g) => personLink(g,
        `You got ${g.received}, gave ${g.gave}`, h('span', {class: 'badge owe'}, 'Give next'))), 'give-first'),
    ].filter(Boolean);
    body.replaceChildren(...(parts.length ? parts : [empty('All clear. Log a conversation, or add the people you want to keep in touch with.',
      h('div', {class: 'empty-actions'}, h('a', {class: 'button primary', href: '/log'}, 'Log a conversation'), h('a', {class: 'button', href: '/people/new'}, 'Add a person')))]));
  };

  try {
    const data = await load('/api/today', render);
    if (data === null) render({});
  } catch (err) {
    if (err.status === 404) {
      // The dashboard is not on this server: show what we can from the contact list.
      const people = await optional('/api/contacts?overdue=true&per_page=10').catch(() => null);
      render({overdue: people ? people.items : []});
    } else throw err;
  }
  return () => listening.abort();
}


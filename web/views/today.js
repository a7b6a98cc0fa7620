// Today: meetings to log, birthdays, who is overdue, follow-ups, wins, promises, give first.
import {h, append, avatar, fmtTime, fmtDate, fmtDay, ago, empty} from '../lib/dom.js';
import {optional} from '../lib/api.js';
import {load} from '../lib/store.js';
import {ChallengeRow, FollowUpRow, PromiseRow, WinRow} from './threads.js';
import {AttendeePrompts} from './attendees.js';
import {Onboarding} from './onboarding.js';

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

function MeetingRow(m, ctx) {
  const names = (m.attendees || []).map((a) => a.contact_name || a.name || a.email).filter(Boolean);
  const when = `${fmtDay(m.start)} · ${fmtTime(m.start)}`;
  const logged = m.logged;
  return h('li', {class: 'meeting-row'},
    h('div', {class: 'meeting-head'},
      h('span', {class: 'row-main'}, h('span', {class: 'row-title'}, m.title || 'Meeting'),
        h('span', {class: 'row-sub'}, [when, names.slice(0, 3).join(', ')].filter(Boolean).join(' · '))),
      logged ? h('span', {class: 'badge'}, 'Logged')
        : h('a', {class: 'button small primary', href: `/log?meeting=${encodeURIComponent(m.id)}`, 'aria-label': `Log ${m.title || 'meeting'}`}, 'Log')),
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
  const nudges = Onboarding(app);
  const body = h('div', {class: 'today-body'});
  append(view, [h('header', {class: 'top'}, h('h1', null, 'Today')),
    h('p', {class: 'lede'}, greeting(app.me && app.me.name)), nudges, body]);

  const ctx = {app, onToday: true, changed: () => load('/api/today', render).catch((err) => app.toast(err.message))};
  const render = (data) => {
    const meetings = [...list(data, 'meetings_to_log'), ...list(data, 'meetings_today')]
      .filter((m, i, all) => all.findIndex((x) => x.id === m.id) === i);
    const lapsed = (o) => personLink(o,
      o.last_interaction_at ? `Last: ${ago(o.last_interaction_at)}` : 'Not met yet',
      h('span', {class: 'badge warn'}, `${o.overdue_days} d overdue`));
    const parts = [
      section('Meetings to log', meetings.map((m) => MeetingRow(m, ctx)), 'meetings'),
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
  return () => nudges.cleanup();
}


// Open threads with a person — follow-ups, check-ins, wins, promises — as rows with their actions.
// Used by Today (each row names the person) and by the Person screen (it already does).
import {h, append, avatar, fmtDate, isoDate, label, uid} from '../lib/dom.js';
import {api} from '../lib/api.js';
import {invalidate} from '../lib/store.js';

export const CATEGORY_LABELS = {
  intro: 'Intro', advice: 'Advice', referral: 'Referral', feedback: 'Feedback', favor: 'Favour',
  gift: 'Gift', time: 'Time', congrats: 'Congrats', listening: 'Listening', other: 'Other',
};

const KIND_WORDS = {in_person: 'meeting', call: 'call', video: 'video call', message: 'messages', event: 'event'};

export const OFFLINE_MESSAGE = 'You are offline — this needs a connection. Try again once you are back online.';

/**
 * Context a row needs: the app (for toasts), whether it sits on Today (rows name the person and
 * lists hold only what is due), and what to do after a change.
 * @typedef {{app: any, onToday?: boolean, changed: () => void}} ThreadContext
 */

/**
 * Send one action: refuse clearly when offline, keep the button from double sends, then let the
 * screen refetch. The log form's outbox is for entries; these small marks need the server now.
 * @param {ThreadContext} ctx
 * @param {HTMLButtonElement} btn
 * @param {() => Promise<any>} send
 * @param {string} message toast on success
 * @param {HTMLElement|null} [row] removed at once when the action closes the thread
 */
export async function act(ctx, btn, send, message, row) {
  if (!navigator.onLine) {
    ctx.app.toast(OFFLINE_MESSAGE);
    return false;
  }
  btn.disabled = true;
  try {
    await send();
  } catch (err) {
    btn.disabled = false;
    ctx.app.toast(err && err.offline ? OFFLINE_MESSAGE : (err && err.message) || 'That did not work. Please try again.');
    return false;
  }
  btn.disabled = false;
  invalidate('/api/');
  if (row) row.remove();
  ctx.app.toast(message);
  ctx.changed();
  return true;
}

function personOf(item) {
  const c = item.contact || (item.people && item.people[0]) || {};
  return {id: c.id, name: c.name || ''};
}

/** A row: what it is about (and with whom, on Today), a badge, and a line of action buttons. */
function Row(item, ctx, {title, sub, badge, testid}) {
  const who = personOf(item);
  const head = ctx.onToday
    ? h('a', {class: 'row-link', href: `/people/${who.id}`}, avatar(who.name),
      h('span', {class: 'row-main'}, h('span', {class: 'row-title'}, who.name), h('span', {class: 'row-sub'}, title), sub ? h('span', {class: 'row-sub'}, sub) : null),
      badge ? h('span', {class: 'row-badges'}, badge) : null)
    : h('div', {class: 'thread-head'},
      h('span', {class: 'row-main'}, h('span', {class: 'row-title'}, title), sub ? h('span', {class: 'row-sub'}, sub) : null),
      badge ? h('span', {class: 'row-badges'}, badge) : null);
  const actions = h('div', {class: 'thread-actions'});
  const li = h('li', {class: 'thread-row', 'data-testid': testid}, head, actions);
  li.actions = actions;
  return li;
}

function button(text, onClick, primary) {
  const btn = h('button', {type: 'button', class: ['button small', primary ? 'primary' : 'ghost']}, text);
  btn.addEventListener('click', () => onClick(btn));
  return btn;
}

/** A follow-up: Done; Snooze 1 week once it is due (snoozing counts from today). */
export function FollowUpRow(f, ctx) {
  const due = f.due_on || f.follow_up_on;
  const isDue = !due || String(due) <= isoDate(new Date());
  const what = f.challenge ? `Ask about: ${f.challenge}` : `After your ${KIND_WORDS[f.kind] || label(f.kind).toLowerCase()} on ${fmtDate(f.occurred_at)}`;
  const badge = f.overdue_days > 0 ? h('span', {class: 'badge warn'}, `${f.overdue_days} d late`)
    : h('span', {class: 'badge'}, isDue ? 'Today' : `Due ${fmtDate(due)}`);
  const li = Row(f, ctx, {title: what, badge, testid: 'follow-up'});
  const path = `/api/follow-ups/${encodeURIComponent(f.interaction_uuid)}`;
  append(li.actions, [
    button('Done', (btn) => act(ctx, btn, () => api.post(`${path}/done`, {}), 'Follow-up done.', li), true),
    isDue ? button('Snooze 1 week', (btn) => act(ctx, btn, () => api.post(`${path}/snooze`, {days: 7}), 'Snoozed for a week.', ctx.onToday ? li : null)) : null]);
  return li;
}

/** A challenge on their mind: set or change the day to check in, or mark it resolved. */
export function ChallengeRow(c, ctx) {
  const sub = c.check_in_on ? `${c.check_in_due ? 'Check in now' : 'Check in'} · ${fmtDate(c.check_in_on)}` : c.noted_on ? `Noted ${fmtDate(c.noted_on)}` : '';
  const li = Row(c, ctx, {title: ctx.onToday ? `Check in: ${c.text}` : c.text, sub: ctx.onToday ? null : sub,
    badge: ctx.onToday && c.check_in_on ? h('span', {class: 'badge'}, c.check_in_on === isoDate(new Date()) ? 'Today' : fmtDate(c.check_in_on)) : null, testid: 'challenge'});
  const dateId = uid('ci');
  const date = h('input', {type: 'date', id: dateId, name: 'check_in_on', value: c.check_in_on || '', min: isoDate(new Date())});
  const save = h('button', {type: 'submit', class: 'button small primary'}, 'Save');
  const form = h('form', {class: 'check-in-form', hidden: true},
    h('label', {for: dateId}, 'Check in on'), date, save);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const day = date.value || null;
    act(ctx, save, () => api.patch(`/api/challenges/${c.id}`, {check_in_on: day}),
      day ? `Check in on ${fmtDate(day)}.` : 'Check-in date cleared.', ctx.onToday && (!day || day > isoDate(new Date())) ? li : null);
  });
  const toggle = button(c.check_in_on ? 'Change check-in' : 'Set check-in', () => {
    form.hidden = !form.hidden;
    toggle.setAttribute('aria-expanded', String(!form.hidden));
    if (!form.hidden) date.focus();
  });
  toggle.setAttribute('aria-expanded', 'false');
  li.actions.append(
    button('Resolved', (btn) => act(ctx, btn, () => api.post(`/api/challenges/${c.id}/resolve`, {}), 'Marked resolved.', li), true),
    toggle);
  li.append(form);
  return li;
}

/** A win to congratulate them on. */
export function WinRow(w, ctx) {
  const when = w.happened_on || w.created_at;
  const badge = w.big ? h('span', {class: 'badge'}, 'Big win') : null;
  const li = Row(w, ctx, {title: w.text, sub: ctx.onToday ? null : fmtDate(when), badge, testid: 'win'});
  li.actions.append(button('Congratulated', (btn) => act(ctx, btn, () => api.post(`/api/wins/${w.id}/congratulate`, {}), 'Nice — congratulated.', li), true));
  return li;
}

/** A promise I made and have not delivered yet. */
export function PromiseRow(p, ctx) {
  const what = `${CATEGORY_LABELS[p.category] || label(p.category)}${p.note ? `: ${p.note}` : ''}`;
  const badge = p.due_on ? h('span', {class: ['badge', p.overdue ? 'warn' : '']}, `${p.overdue ? 'was due' : 'due'} ${fmtDate(p.due_on)}`) : null;
  const li = Row(p, ctx, {title: what, sub: p.due_on ? null : `Promised ${fmtDate(p.occurred_at)}`, badge, testid: 'promise'});
  li.actions.append(button('Delivered', (btn) => act(ctx, btn, () => api.post(`/api/promises/${p.id}/deliver`, {}), 'Promise kept.', li), true));
  return li;
}

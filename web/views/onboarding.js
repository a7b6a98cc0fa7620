// First run on Today: a short checklist marked done by the account's real state, and the
// install / reminders cards — each dismissible, and gone for good once dismissed or done.
import {h, replace, icon} from '../lib/dom.js';
import {api} from '../lib/api.js';
import {isIos, isStandalone, pushStatus, enableReminders} from '../lib/push.js';

const PROVIDERS = [
  ['Google Calendar', 'On a computer: Settings → your calendar → Integrate calendar → “Secret address in iCal format”.'],
  ['Outlook / Microsoft 365', 'Settings → Calendar → Shared calendars → “Publish a calendar”, choose “Can view all details”, then copy the ICS link.'],
  ['iCloud', 'Calendar app → tap ⓘ next to the calendar → turn on “Public Calendar” → Share Link.'],
  ['Fastmail', 'Settings → Calendars → the calendar’s Edit & share → “Share with anyone” → copy the iCalendar (ICS) link.'],
  ['Nextcloud', 'Calendar → the calendar’s ⋯ menu → Share link → “Copy subscription link”.'],
];

/** This device's dismissed cards, per account. */
function dismissals(userId) {
  const key = `rapport.dismissed.${userId}`;
  const read = () => { try { return new Set(JSON.parse(localStorage.getItem(key) || '[]')); } catch { return new Set(); } };
  return {
    has: (name) => read().has(name),
    add: (name) => {
      const all = read();
      all.add(name);
      try { localStorage.setItem(key, JSON.stringify([...all])); } catch { /* private mode: shown again next time */ }
    },
  };
}

function DismissButton(label, onDismiss) {
  return h('button', {type: 'button', class: 'dismiss', 'aria-label': label, onClick: onDismiss}, icon('x'));
}

function reminderHelp(status) {
  if (status === 'needs-install') return 'On iPhone, add Rapport to your home screen first: tap Share, then “Add to Home Screen”, and open it from there.';
  if (status === 'denied') return 'Reminders are blocked for this site: allow notifications in the browser’s settings.';
  if (status === 'unsupported') return 'This browser cannot show reminders; open Rapport in Chrome, Edge, Firefox or Safari on your phone.';
  return 'A nudge right after each meeting, before birthdays and when a follow-up is due.';
}

function Step({done, title, sub, action, extra, testid}) {
  return h('li', {class: done ? 'done' : '', 'data-testid': testid, 'data-done': done ? 'true' : 'false'},
    h('span', {class: 'step-mark', 'aria-hidden': 'true'}, done ? icon('check') : null),
    h('span', {class: 'step-main'},
      h('span', {class: 'step-title'}, title, h('span', {class: 'visually-hidden'}, done ? ' (done)' : ' (to do)')),
      done ? null : h('span', {class: 'step-sub'}, sub),
      done ? null : extra),
    done ? null : action);
}

function Checklist(state, status, {onReminders, onHide}) {
  const done = Object.fromEntries(state.steps.map((s) => [s.key, s.done]));
  const count = state.steps.filter((s) => s.done).length;
  const turnOn = status === 'off'
    ? h('button', {type: 'button', class: 'button small primary', onClick: onReminders}, 'Turn on') : null;
  return h('section', {class: 'card-section onboarding', 'aria-labelledby': 'onboarding-h', 'data-testid': 'checklist'},
    h('div', {class: 'onboarding-head'},
      h('h2', {id: 'onboarding-h'}, `Get started · ${count} of ${state.steps.length} done`),
      h('button', {type: 'button', class: 'button small ghost', onClick: onHide}, 'Hide')),
    h('ol', {class: 'checklist'},
      Step({done: done.people, testid: 'step-people', title: 'Bring your people in',
        sub: 'Import a phone or Google contacts export — you see what changes before anything is saved.',
        action: h('a', {class: 'button small', href: '/settings#data'}, 'Import')}),
      Step({done: done.calendar, testid: 'step-calendar', title: 'Connect a calendar',
        sub: 'Paste your calendar’s private ICS link; Rapport asks about each meeting after it ends.',
        action: h('a', {class: 'button small', href: '/settings#calendars'}, 'Connect'),
        extra: h('details', {class: 'provider-help'}, h('summary', null, 'Where do I find the link?'),
          h('dl', null, PROVIDERS.map(([name, where]) => [h('dt', null, name), h('dd', null, where)])))}),
      Step({done: done.reminders, testid: 'step-reminders', title: 'Turn on reminders',
        sub: reminderHelp(status), action: turnOn}),
      Step({done: done.first_log, testid: 'step-first-log', title: 'Log your first conversation',
        sub: 'What you gave, what you got — a few taps.',
        action: h('a', {class: 'button small', href: '/log'}, 'Log')})));
}

/** The first-run block for Today: checklist, install and reminders cards. */
export function Onboarding(app, signal) {
  const box = h('div', {class: 'nudges', 'aria-live': 'polite'});
  const hidden = dismissals(app.me ? app.me.id : 'anon');
  const turnOnReminders = async (event) => {
    event.currentTarget.disabled = true;
    try {
      const result = await enableReminders();
      app.toast(result === 'on' ? 'Reminders are on for this device.' : 'Reminders stay off — you can allow them in the browser settings.');
    } catch (err) { app.toast(err.message || 'Could not turn on reminders.'); }
    render();
  };
  const dismiss = (name) => () => { hidden.add(name); render(); };
  const render = async () => {
    const [state, status] = await Promise.all([
      api.get('/api/onboarding').catch(() => null),
      pushStatus().catch(() => 'unsupported'),
    ]);
    const parts = [];
    const showList = state && !state.done && !hidden.has('checklist');
    if (showList) parts.push(Checklist(state, status, {onReminders: turnOnReminders, onHide: dismiss('checklist')}));
    if (!isStandalone() && !hidden.has('install')) {
      if (app.installPrompt) {
        parts.push(h('div', {class: 'nudge', 'data-testid': 'install-card'},
          h('p', null, 'Put Rapport on your home screen — it opens instantly, even offline.'),
          h('button', {type: 'button', class: 'button small primary', onClick: () => app.install()}, 'Install app'),
          DismissButton('Dismiss install card', dismiss('install'))));
      } else if (isIos()) {
        parts.push(h('div', {class: 'nudge', 'data-testid': 'ios-hint'},
          h('p', null, 'Add Rapport to your home screen: tap the Share button, then “Add to Home Screen”. Reminders on iPhone need it.'),
          DismissButton('Dismiss home screen hint', dismiss('install'))));
      }
    }
    if (!showList && status === 'off' && !hidden.has('reminders')) {
      parts.push(h('div', {class: 'nudge', 'data-testid': 'reminders-card'},
        h('p', null, 'Get a nudge right after each meeting, before birthdays and when a follow-up is due.'),
        h('button', {type: 'button', class: 'button small primary', onClick: turnOnReminders}, 'Turn on reminders'),
        DismissButton('Dismiss reminders card', dismiss('reminders'))));
    }
    replace(box, parts);
  };
  render();
  document.addEventListener('rapport:install-changed', render, {signal});
  return box;
}

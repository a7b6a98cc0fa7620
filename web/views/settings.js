// Settings: profile, reminders and quiet hours, install, cadence, what waits to sync, log out;
// the sections that only work online come from their own modules, loaded when Settings opens.
import {h, append, replace, field, showErrors, fmtDate, label, uid} from '../lib/dom.js';
import {api, optional, ApiError} from '../lib/api.js';
import {pushStatus, enableReminders, disableReminders, sendTestPush, isIos, isStandalone} from '../lib/push.js';
import {onDemand, needsConnection} from '../lib/on-demand.js';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const FALLBACKS = [['email', 'E-mail'], ['ntfy', 'ntfy'], ['email,ntfy', 'E-mail, else ntfy'], ['ntfy,email', 'ntfy, else e-mail'], ['', 'Nothing: wait for a device']];

/** A settings card with a heading and an anchor. */
export function card(id, title, ...children) {
  return h('section', {class: 'card-section settings-card', id, 'aria-labelledby': `${id}-h`}, h('h2', {id: `${id}-h`}, title), children);
}

/** Wire a form to a save function: disable while saving, show field errors, toast on success. */
export function saveForm(form, app, save, done = 'Saved.') {
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const btn = form.querySelector('button[type=submit]');
    const out = form.querySelector('.form-error');
    if (out) out.hidden = true;
    if (btn) btn.disabled = true;
    try {
      await save();
      showErrors(form, {});
      app.toast(done);
    } catch (err) {
      const marked = err instanceof ApiError && err.errors && showErrors(form, err.errors);
      if (out) { out.textContent = marked ? 'Please check the highlighted fields.' : err.message; out.hidden = false; }
      else app.toast(err.message);
    } finally {
      if (btn) btn.disabled = false;
    }
  });
  return form;
}

function zones(current) {
  let list = [];
  try { list = Intl.supportedValuesOf('timeZone'); } catch { list = []; }
  if (!list.includes('UTC')) list.unshift('UTC');
  if (current && !list.includes(current)) list.unshift(current);
  return list;
}

function Profile(app) {
  const me = app.me || {};
  const name = h('input', {type: 'text', name: 'name', value: me.name || '', autocomplete: 'name'});
  const tz = h('select', {name: 'timezone'}, zones(me.timezone).map((z) => h('option', {value: z, selected: z === me.timezone}, z.replace(/_/g, ' '))));
  const phoneZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const useHere = phoneZone && phoneZone !== me.timezone
    ? h('button', {type: 'button', class: 'button small ghost', onClick: () => { tz.value = phoneZone; }}, `Use this phone’s (${phoneZone})`) : null;
  const form = h('form', {novalidate: true}, h('p', {class: 'form-error', role: 'alert', hidden: true}),
    field('Name', name), h('p', {class: 'hint'}, `Signed in as ${me.email || ''}`), field('Time zone', tz), useHere,
    h('button', {type: 'submit', class: 'button primary'}, 'Save profile'));
  saveForm(form, app, async () => {
    app.me = await api.patch('/api/auth/me', {name: name.value.trim(), timezone: tz.value});
  });
  return card('profile', 'Profile & time zone', form);
}

function Reminders(app) {
  const status = h('p', {class: 'status-line', 'aria-live': 'polite'});
  const actions = h('div', {class: 'button-row'});
  const render = async () => {
    const s = await pushStatus().catch(() => 'unsupported');
    const text = {
      on: 'Reminders are on for this device.',
      off: 'Reminders are off on this device.',
      denied: 'This browser blocks notifications for Rapport. Allow them in the browser’s site settings, then come back.',
      'needs-install': 'On iPhone and iPad, add Rapport to the home screen first (Share → Add to Home Screen), then open it from there.',
      unsupported: 'This browser cannot receive reminders.',
    }[s];
    replace(status, text);
    replace(actions);
    if (s === 'off') {
      actions.append(h('button', {type: 'button', class: 'button primary', onClick: async (e) => {
        e.currentTarget.disabled = true;
        try { await enableReminders(); } catch (err) { app.toast(err.message || 'Could not turn on reminders.'); }
        render();
      }}, 'Turn on reminders'));
    }
    if (s === 'on') {
      actions.append(
        h('button', {type: 'button', class: 'button', 'data-testid': 'test-push', onClick: async (e) => {
          const btn = e.currentTarget;
          btn.disabled = true;
          try {
            const result = await sendTestPush();
            app.toast(result && result.sent === 0 ? 'No device accepted the test — try turning reminders off and on.' : 'Test reminder sent — it should arrive in a moment.');
          } catch (err) { app.toast(err.message); }
          btn.disabled = false;
        }}, 'Send a test'),
        h('button', {type: 'button', class: 'button ghost', onClick: async () => {
          try { await disableReminders(); } catch (err) { app.toast(err.message); }
          render();
        }}, 'Turn off'));
    }
  };
  render();
  return {status, actions, render};
}

/** One control per option of a notification kind, as the registry describes it. */
function optionControl(option, settings) {
  const value = settings[option.name];
  if (option.widget === 'check') {
    const id = uid('s');
    return h('div', {class: 'check'}, h('input', {type: 'checkbox', id, name: option.name, checked: Boolean(value)}), h('label', {for: id}, option.label));
  }
  let input;
  if (option.widget === 'weekday') {
    input = h('select', {name: option.name}, WEEKDAYS.map((d, i) => h('option', {value: i, selected: value === i}, d)));
  } else if (option.widget === 'time') {
    input = h('input', {type: 'time', name: option.name, value: value || ''});
  } else if (option.widget === 'days') {
    input = h('input', {type: 'text', name: option.name, inputmode: 'numeric', value: (value || []).join(', ')});
  } else {
    input = h('input', {type: 'number', name: option.name, min: option.min ?? 0, max: option.max ?? 999, inputmode: 'numeric', value: value ?? ''});
  }
  return field(option.label, input, option.hint || undefined);
}

/** The value the API wants for an option's control. */
function optionValue(option, control) {
  if (option.widget === 'check') return control.checked;
  if (option.widget === 'days') return control.value.split(/[\s,]+/).filter(Boolean).map(Number);
  if (option.widget === 'time') return control.value || undefined;
  return Number(control.value || 0);
}

function Notifications(app, settings) {
  const r = Reminders(app);
  const kinds = settings.kinds || [];
  const time = (name, value) => h('input', {type: 'time', name, value: value || ''});
  const box = (name, text) => {
    const id = uid('s');
    return h('div', {class: 'check'}, h('input', {type: 'checkbox', id, name, checked: Boolean(settings[name])}), h('label', {for: id}, text));
  };
  const current = (settings.fallback_channels || []).join(',');
  const fallback = h('select', {name: 'fallback_channels'}, FALLBACKS.map(([value, text]) => h('option', {value, selected: value === current}, text)));
  const form = h('form', {novalidate: true}, h('p', {class: 'form-error', role: 'alert', hidden: true}),
    ...kinds.flatMap((kind) => [box(kind.setting, kind.label), ...kind.options.map((o) => optionControl(o, settings))]),
    field('Daily reminders at', time('notify_time', settings.notify_time)),
    h('fieldset', {class: 'field'}, h('legend', null, 'When no device takes a reminder'),
      field('Send it by', fallback),
      field('ntfy topic address', h('input', {type: 'url', name: 'ntfy_topic_url', value: settings.ntfy_topic_url || '', placeholder: 'https://ntfy.sh/your-topic'})),
      box('channel_details', 'Include the details (they may quote your notes)'),
      h('p', {class: 'hint'}, 'E-mail works when the server has a mail server set up.')),
    h('fieldset', {class: 'field'}, h('legend', null, 'Quiet hours'),
      h('div', {class: 'two'}, field('Quiet from', time('quiet_hours_start', settings.quiet_hours_start)), field('Quiet until', time('quiet_hours_end', settings.quiet_hours_end))),
      h('p', {class: 'hint'}, 'Nothing buzzes in between; it waits until the morning.')),
    h('button', {type: 'submit', class: 'button primary'}, 'Save reminders'));
  saveForm(form, app, async () => {
    const v = (n) => form.elements[n];
    const body = {};
    for (const kind of kinds) {
      body[kind.setting] = v(kind.setting).checked;
      for (const option of kind.options) {
        const value = optionValue(option, v(option.name));
        if (value !== undefined) body[option.name] = value;
      }
    }
    for (const n of ['notify_time', 'quiet_hours_start', 'quiet_hours_end']) if (v(n).value) body[n] = v(n).value;
    body.fallback_channels = fallback.value ? fallback.value.split(',') : [];
    body.ntfy_topic_url = v('ntfy_topic_url').value.trim();
    body.channel_details = v('channel_details').checked;
    Object.assign(settings, await api.patch('/api/settings', body));
  });
  return card('reminders', 'Notifications & quiet hours', r.status, r.actions, h('hr'), form);
}

function Cadence(app, settings) {
  const kinds = settings.cadence_by_kind || {};
  const inputs = Object.keys(kinds).length ? Object.keys(kinds) : ['mentor', 'mentee', 'peer', 'client', 'friend', 'other'];
  const mine = h('input', {type: 'text', name: 'my_emails', value: (settings.my_emails || []).join(', '), inputmode: 'email'});
  const form = h('form', {novalidate: true}, h('p', {class: 'form-error', role: 'alert', hidden: true}),
    h('div', {class: 'grid3'}, inputs.map((k) => field(`${label(k)}s`, h('input', {type: 'number', name: k, min: 1, max: 3650, inputmode: 'numeric', value: kinds[k] ?? ''})))),
    h('p', {class: 'hint'}, 'Days between contacts, by relationship. A person can override it.'),
    field('My other e-mail addresses', mine, 'So meetings you were invited to under another address still count as yours.'),
    h('button', {type: 'submit', class: 'button primary'}, 'Save'));
  saveForm(form, app, async () => {
    const cadence = {};
    for (const k of inputs) if (form.elements[k].value) cadence[k] = Number(form.elements[k].value);
    Object.assign(settings, await api.patch('/api/settings', {cadence_by_kind: cadence, my_emails: mine.value.split(/[\s,]+/).filter(Boolean)}));
  });
  return card('cadence', 'Keep-in-touch cadence', form);
}

function Install(app, signal) {
  const box = h('div');
  const render = () => {
    replace(box);
    if (isStandalone()) box.append(h('p', null, 'Rapport is installed on this device.'));
    else if (app.installPrompt) box.append(h('p', null, 'Open Rapport from your home screen, like any app — it works offline too.'), h('button', {type: 'button', class: 'button primary', onClick: () => app.install()}, 'Install app'));
    else if (isIos()) box.append(h('p', {'data-testid': 'ios-hint'}, 'Tap the Share button in Safari, then “Add to Home Screen”.'));
    else box.append(h('p', {class: 'hint'}, 'Use your browser’s menu to install Rapport or add it to the home screen.'));
  };
  render();
  document.addEventListener('rapport:install-changed', render, {signal});
  return card('install', 'Install', box);
}

function Sync(app, signal) {
  const list = h('ul', {class: 'rows'});
  const render = async () => {
    const rows = await self.RapportOutbox.all().catch(() => []);
    replace(list, rows.length ? rows.map((r) => h('li', {class: 'thread-row'},
      h('span', {class: 'row-main'}, h('span', {class: 'row-title'}, r.label || 'Log entry'),
        h('span', {class: 'row-sub'}, r.error ? `Not saved: ${r.error.message}` : `Waiting since ${fmtDate(r.created_at)}`)),
      h('button', {type: 'button', class: 'button small ghost', onClick: async () => {
        if (!confirm('Discard this entry? It has not reached the server.')) return;
        await self.RapportOutbox.remove(r.id);
        render();
      }}, 'Discard'))) : h('li', null, h('p', {class: 'hint'}, 'Everything is synced.')));
  };
  render();
  document.addEventListener('rapport:outbox', render, {signal});
  return card('sync', 'Waiting to sync', list, h('button', {type: 'button', class: 'button', onClick: () => app.syncNow({userAsked: true})}, 'Sync now'));
}

// The sections that only work online, loaded when Settings opens (see lib/on-demand.js).
const ONLINE_ONLY = ['/views/settings-account.js', '/views/settings-calendars.js', '/views/settings-data.js', '/views/settings-invites.js'];

export async function mountSettings(view, {app}) {
  const listening = new AbortController();
  const [kept, account, calendars, data, invites] = await Promise.all([optional('/api/settings'), ...ONLINE_ONLY.map(onDemand)]);
  const settings = kept || {};
  // A section whose module is not on this phone yet: its card says so, where it would be.
  const section = (module, make, id, title) => module ? module[make](app) : card(id, title, needsConnection());
  const logout = h('button', {type: 'button', class: 'button block', onClick: () => app.logout()}, 'Log out');
  const nav = h('nav', {class: 'jump', 'aria-label': 'Settings sections'},
    [['profile', 'Profile'], ['reminders', 'Reminders'], ['devices', 'Devices'], ['calendars', 'Calendars'], ['data', 'Import & export'], ['tokens', 'API tokens'], ['password', 'Password']]
      .map(([id, text]) => h('a', {href: `#${id}`, class: 'chip small', onClick: (e) => { e.preventDefault(); document.getElementById(id).scrollIntoView(); }}, text)));
  append(view, [h('header', {class: 'top'}, h('h1', null, 'Settings')), nav,
    Profile(app), Notifications(app, settings), section(account, 'DevicesSection', 'devices', 'Devices'),
    Install(app, listening.signal), section(calendars, 'CalendarsSection', 'calendars', 'Calendars'),
    section(data, 'DataSection', 'data', 'Import & export'), Cadence(app, settings),
    section(data, 'TokensSection', 'tokens', 'API tokens'),
    app.me && app.me.is_admin ? section(invites, 'InvitesSection', 'invites', 'Invitations') : null,
    Sync(app, listening.signal), section(account, 'PasswordSection', 'password', 'Password'), logout,
    section(account, 'AccountSection', 'account', 'Delete account')]);
  if (location.hash) {
    const target = document.getElementById(location.hash.slice(1));
    if (target) target.scrollIntoView();
  }
  return () => listening.abort();
}

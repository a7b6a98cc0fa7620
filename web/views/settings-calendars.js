// Settings → Calendars: add a feed or a file, watch its first read, see what it found.
import {h, replace, field} from '../lib/dom.js';
import {api, optional} from '../lib/api.js';
import {invalidate} from '../lib/store.js';
import {BUSY_STATES, calendarStatus, PROVIDER_HELP} from '../lib/calendar-status.js';
import {card, saveForm} from './settings.js';
import {upload} from './settings-data.js';

const POLL_MS = 1000;
const POLL_LIMIT = 180; // three minutes: the worker's deadline for one feed is one minute

function CalendarRow(c, app, render) {
  const s = calendarStatus(c);
  return h('li', {class: 'calendar-row', dataset: {calendarId: String(c.id), state: c.state || ''}},
    h('span', {class: 'row-main'}, h('span', {class: 'row-title'}, c.name || 'Calendar'),
      c.url ? h('span', {class: 'row-sub'}, c.url) : null,
      h('span', {class: ['row-sub', s.tone === 'warn' ? 'warn-text' : ''], role: 'status', 'data-testid': 'calendar-status'}, s.text),
      (c.warnings || []).slice(0, 2).map((w) => h('span', {class: 'row-sub'}, w))),
    h('span', {class: 'button-row'},
      h('button', {type: 'button', class: 'button small', 'aria-label': `Sync ${c.name}`, disabled: BUSY_STATES.includes(c.state), onClick: async (e) => {
        e.currentTarget.disabled = true;
        try { await api.post(`/api/calendars/${c.id}/sync`, {}); } catch (err) { app.toast(err.message); }
        render();
      }}, 'Sync'),
      h('button', {type: 'button', class: 'button small ghost', 'aria-label': `Remove ${c.name}`, onClick: async () => {
        if (!confirm(`Remove the calendar “${c.name}” and its meetings?`)) return;
        try { await api.del(`/api/calendars/${c.id}`); render(); } catch (err) { app.toast(err.message); }
      }}, 'Remove')));
}

function ProviderHelp() {
  return h('details', {class: 'provider-help'}, h('summary', null, 'Where to find the link'),
    h('p', {class: 'hint'}, 'Rapport needs the calendar’s private ICS address (it starts with https:// or webcal://). It reads the calendar; it never changes it.'),
    h('dl', null, PROVIDER_HELP.map(([name, how]) => [h('dt', null, name), h('dd', {class: 'hint'}, how)])));
}

export function CalendarsSection(app) {
  const list = h('ul', {class: 'rows', 'aria-live': 'polite'});
  let polls = 0;
  let timer = null;
  const render = async () => {
    clearTimeout(timer);
    const data = await optional('/api/calendars').catch(() => null);
    const items = Array.isArray(data) ? data : [];
    replace(list, items.length ? items.map((c) => CalendarRow(c, app, render))
      : h('li', null, h('p', {class: 'hint'}, 'No calendar yet. Add one so Rapport can ask about each meeting right after it ends.')));
    const busy = items.some((c) => BUSY_STATES.includes(c.state));
    if (busy && polls < POLL_LIMIT && list.isConnected !== false) {
      polls += 1;
      timer = setTimeout(render, POLL_MS);
    } else if (!busy && polls > 0) {
      polls = 0;
      invalidate('/api/today');
    }
  };
  const watch = () => { polls = 0; render(); };
  const name = h('input', {type: 'text', name: 'name', placeholder: 'Work', maxlength: 100});
  const url = h('input', {type: 'url', name: 'url', placeholder: 'https:// or webcal:// …', inputmode: 'url', autocomplete: 'off', required: true});
  const form = h('form', {novalidate: true}, h('p', {class: 'form-error', role: 'alert', hidden: true}),
    field('Calendar name', name), field('Secret address (iCal / ICS link)', url, 'The private link of your calendar; see “Where to find the link” below.'),
    h('button', {type: 'submit', class: 'button primary'}, 'Add calendar'));
  saveForm(form, app, async () => {
    await api.post('/api/calendars', {name: name.value.trim() || 'Calendar', url: url.value.trim()});
    name.value = url.value = '';
    watch();
  }, 'Calendar added — reading it now.');
  const file = h('input', {type: 'file', id: 'ics-file', accept: '.ics,text/calendar'});
  const progress = h('progress', {max: 1, value: 0, hidden: true, 'aria-label': 'Upload progress'});
  file.addEventListener('change', async () => {
    if (!file.files[0]) return;
    progress.hidden = false;
    try {
      await upload('/api/calendars/upload', file.files[0], (p) => { progress.value = p; });
      app.toast('File received — reading it now.');
      watch();
    } catch (err) { app.toast(err.message); }
    progress.hidden = true;
    file.value = '';
  });
  render();
  return card('calendars', 'Calendars', list, form, ProviderHelp(), h('hr'),
    h('div', {class: 'field'}, h('label', {for: 'ics-file'}, 'Or upload an .ics file'), file, progress));
}

// Settings cards that move data in and out: import/export, API tokens.
import {h, replace, field, fmtDate, ago} from '../lib/dom.js';
import {api, optional, csrf, ApiError} from '../lib/api.js';
import {invalidate} from '../lib/store.js';
import {card, saveForm} from './settings.js';
import '../lib/paths.js';

/** Upload a file with progress (fetch cannot report upload progress). */
export async function upload(url, file, onProgress) {
  const token = await csrf();
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('X-CSRFToken', token);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch { data = null; }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new ApiError(xhr.status, (data && data.message) || `Upload failed (${xhr.status}).`, data && data.errors));
    };
    xhr.onerror = () => reject(new ApiError(0, 'You are offline. Try again once you are back online.'));
    const body = new FormData();
    body.append('file', file);
    xhr.send(body);
  });
}

function ImportReport(report) {
  const problems = [...(report.errors || []), ...(report.skipped_cards || [])];
  const describe = (e) => (typeof e === 'string' ? e : [
    e.card != null ? `Card ${e.card}` : e.line != null ? `Line ${e.line}` : '',
    e.name ? ` (${e.name})` : '', ': ', e.reason || e.message || e.error || 'skipped'].join(''));
  return h('div', {class: 'report', role: 'status', 'data-testid': 'import-report'},
    h('p', null, h('strong', null, `${report.created || 0} added`),
      `, ${report.updated || 0} updated, ${report.merged || 0} merged, ${report.skipped || 0} skipped`,
      report.total != null ? ` — ${report.total} in the file.` : '.'),
    problems.length ? h('details', null, h('summary', null, `${problems.length} not imported — why`),
      h('ul', null, problems.slice(0, 100).map((e) => h('li', null, describe(e))))) : null,
    (report.notes || []).length ? h('details', null, h('summary', null, `${report.notes.length} imported with a note`),
      h('ul', null, report.notes.slice(0, 100).map((e) => h('li', null, describe(e))))) : null);
}

export function DataSection(app) {
  const file = h('input', {type: 'file', id: 'contacts-file', accept: '.vcf,.vcard,.csv,text/vcard,text/csv'});
  const progress = h('progress', {max: 1, value: 0, hidden: true, 'aria-label': 'Import progress'});
  const phase = h('p', {class: 'hint', 'aria-live': 'polite'});
  const report = h('div');
  file.addEventListener('change', async () => {
    const chosen = file.files[0];
    if (!chosen) return;
    progress.hidden = false;
    progress.value = 0;
    replace(report);
    replace(phase, `Uploading ${chosen.name}…`);
    try {
      const result = await upload('/api/contacts/import', chosen, (p) => {
        progress.value = p;
        if (p >= 1) { progress.removeAttribute('value'); replace(phase, 'Reading contacts…'); }
      });
      invalidate('/api/contacts', 'people:', '/api/today');
      replace(phase);
      replace(report, ImportReport(result || {}));
    } catch (err) {
      replace(phase);
      replace(report, h('p', {class: 'form-error', role: 'alert'}, err.message));
    }
    progress.hidden = true;
    file.value = '';
  });
  const backup = h('input', {type: 'file', id: 'backup-file', accept: '.json,application/json'});
  backup.addEventListener('change', async () => {
    const chosen = backup.files[0];
    if (!chosen) return;
    if (!confirm('Restore this backup into your account?')) { backup.value = ''; return; }
    try {
      let result;
      try {
        result = await upload('/api/import.json', chosen, () => {});
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 409 || !confirm(`${err.message} Merge the backup into what you have?`)) throw err;
        result = await upload('/api/import.json?merge=true', chosen, () => {});
      }
      invalidate('/api/');
      const counts = (result && result.restored) || {};
      const summary = Object.entries(counts).filter(([, n]) => typeof n === 'number').map(([k, n]) => `${n} ${k.replace(/_/g, ' ')}`).join(', ');
      replace(report, h('p', {role: 'status', class: 'report'}, `Backup restored${summary ? `: ${summary}` : ''}.`));
    } catch (err) {
      replace(report, h('p', {class: 'form-error', role: 'alert'}, err.message));
    }
    backup.value = '';
  });
  const feed = h('div', {class: 'feed'});
  optional('/api/calendar-feed').then((data) => {
    if (!data || !data.url) return;
    // The address this phone reached, whatever base URL the server was given.
    const link = self.RapportPaths.linkOnOrigin(data.url, location.origin);
    const input = h('input', {type: 'text', id: 'feed-url', readonly: true, value: link.url});
    replace(feed, h('div', {class: 'field'}, h('label', {for: 'feed-url'}, 'Your birthdays & follow-ups calendar'), input,
      h('p', {class: 'hint'}, 'Subscribe to this private link in any calendar app. Keep it secret.'),
      navigator.clipboard ? h('button', {type: 'button', class: 'button small', onClick: async () => { await navigator.clipboard.writeText(link.url); app.toast('Link copied.'); }}, 'Copy link') : null));
  }).catch(() => {});
  return card('data', 'Import & export',
    h('div', {class: 'field'}, h('label', {for: 'contacts-file'}, 'Import contacts (.vcf from iPhone, Android, Google — or Google CSV)'), file, progress, phase),
    report,
    h('div', {class: 'button-row'},
      h('a', {class: 'button small', href: '/api/contacts/export.vcf', download: 'rapport-contacts.vcf'}, 'Export contacts (.vcf)'),
      h('a', {class: 'button small', href: '/api/export.json', download: 'rapport-backup.json'}, 'Download full backup')),
    h('div', {class: 'field'}, h('label', {for: 'backup-file'}, 'Restore a backup (.json)'), backup),
    feed);
}

const TOKEN_SCOPES = [
  ['log', 'Log new entries only'],
  ['read', 'Read only'],
  ['write', 'Read, log and edit'],
  ['admin', 'Everything, including tokens, account and export'],
];
const TOKEN_EXPIRY = [['30', 'In 30 days'], ['90', 'In 90 days'], ['365', 'In a year'], ['', 'Never']];

export function TokensSection(app) {
  const list = h('ul', {class: 'rows'});
  const shown = h('div', {'aria-live': 'polite'});
  const render = async () => {
    const data = await optional('/api/tokens').catch(() => null);
    const items = Array.isArray(data) ? data : (data && data.items) || [];
    replace(list, items.map((t) => h('li', {class: 'thread-row'},
      h('span', {class: 'row-main'}, h('span', {class: 'row-title'}, t.name),
        h('span', {class: 'row-sub'}, [t.prefix ? `${t.prefix}…` : '', (t.scopes || []).join(' + '), t.created_at ? `created ${fmtDate(t.created_at)}` : '', t.expires_at ? `expires ${fmtDate(t.expires_at)}` : '', t.last_used_at ? `last used ${ago(t.last_used_at)}` : 'never used'].filter(Boolean).join(' · '))),
      h('button', {type: 'button', class: 'button small ghost', 'aria-label': `Revoke ${t.name}`, onClick: async () => {
        if (!confirm(`Revoke “${t.name}”? Scripts using it stop working at once.`)) return;
        try { await api.del(`/api/tokens/${t.id}`); render(); } catch (err) { app.toast(err.message); }
      }}, 'Revoke'))));
  };
  const name = h('input', {type: 'text', name: 'name', placeholder: 'e.g. iPhone Shortcut', maxlength: 100, required: true});
  const scope = h('select', {name: 'scope'}, TOKEN_SCOPES.map(([value, text]) => h('option', {value, selected: value === 'log'}, text)));
  const expiry = h('select', {name: 'expires_in_days'}, TOKEN_EXPIRY.map(([value, text]) => h('option', {value, selected: value === '365'}, text)));
  const form = h('form', {novalidate: true}, h('p', {class: 'form-error', role: 'alert', hidden: true}),
    field('Token name', name), field('It may', scope), field('Expires', expiry),
    h('button', {type: 'submit', class: 'button primary'}, 'Create token'));
  saveForm(form, app, async () => {
    const body = {name: name.value.trim() || 'Script', scopes: [scope.value]};
    if (expiry.value) body.expires_in_days = Number(expiry.value);
    const created = await api.post('/api/tokens', body);
    name.value = '';
    const value = h('input', {type: 'text', id: 'new-token', readonly: true, value: created.token, 'data-testid': 'new-token'});
    replace(shown, h('div', {class: 'token-once'}, h('label', {for: 'new-token'}, 'Copy it now — it will not be shown again'), value,
      navigator.clipboard ? h('button', {type: 'button', class: 'button small', onClick: async () => { await navigator.clipboard.writeText(created.token); app.toast('Token copied.'); }}, 'Copy') : null));
    value.select();
    render();
  }, 'Token created.');
  render();
  return card('tokens', 'API tokens', h('p', {class: 'hint'}, 'For iOS Shortcuts, Tasker or curl: send “Authorization: Bearer <token>”.'), list, form, shown);
}

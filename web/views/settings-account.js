// Settings cards for the account itself, all online-only: devices signed in and receiving
// reminders, the password, deleting the account.
import {h, replace, field, fmtDate, ago} from '../lib/dom.js';
import {api, optional} from '../lib/api.js';
import {card, saveForm} from './settings.js';

function deviceName(ua) {
  const s = String(ua || '');
  const os = /iphone/i.test(s) ? 'iPhone' : /ipad/i.test(s) ? 'iPad' : /android/i.test(s) ? 'Android' : /mac os/i.test(s) ? 'Mac' : /windows/i.test(s) ? 'Windows' : /linux/i.test(s) ? 'Linux' : 'Device';
  const browser = /edg\//i.test(s) ? 'Edge' : /firefox/i.test(s) ? 'Firefox' : /chrome|chromium|crios/i.test(s) ? 'Chrome' : /safari/i.test(s) ? 'Safari' : s ? 'Browser' : 'Script';
  return `${browser} on ${os}`;
}

export function DevicesSection(app) {
  const list = h('ul', {class: 'rows'});
  const subs = h('ul', {class: 'rows'});
  const render = async () => {
    const [sessions, subscriptions] = await Promise.all([optional('/api/auth/sessions').catch(() => null), optional('/api/push/subscriptions').catch(() => null)]);
    replace(list, (sessions || []).map((s) => h('li', {class: 'thread-row'},
      h('span', {class: 'row-main'}, h('span', {class: 'row-title'}, deviceName(s.user_agent), s.current ? ' (this one)' : ''), h('span', {class: 'row-sub'}, `Last active ${ago(s.last_seen_at)}`)),
      s.current ? null : h('button', {type: 'button', class: 'button small ghost', 'aria-label': `Sign out ${deviceName(s.user_agent)}`, onClick: async () => {
        try { await api.del(`/api/auth/sessions/${s.id}`); render(); } catch (err) { app.toast(err.message); }
      }}, 'Sign out'))));
    const items = Array.isArray(subscriptions) ? subscriptions : (subscriptions && subscriptions.items) || [];
    replace(subs, items.map((s) => h('li', {class: 'thread-row'},
      h('span', {class: 'row-main'}, h('span', {class: 'row-title'}, s.user_agent ? deviceName(s.user_agent) : (s.label || s.service || 'Push device')),
        h('span', {class: ['row-sub', s.failure_count ? 'warn-text' : '']}, s.failure_count ? `Failing: ${s.last_error || 'the push service refused'}` : s.last_success_at ? `Last reminder ${ago(s.last_success_at)}` : s.created_at ? `Reminders since ${fmtDate(s.created_at)}` : 'Receives reminders')),
      h('button', {type: 'button', class: 'button small ghost', onClick: async () => {
        try { await api.del('/api/push/subscriptions', {endpoint: s.endpoint}); render(); } catch (err) { app.toast(err.message); }
      }}, 'Remove'))));
    subs.previousElementSibling.hidden = !items.length;
  };
  const everywhere = h('button', {type: 'button', class: 'button ghost', onClick: async () => {
    if (!confirm('Sign out on every device, this one included?')) return;
    try { await api.post('/api/auth/logout-all', {}); } catch (err) { app.toast(err.message); return; }
    await app.logout();
  }}, 'Sign out everywhere');
  const section = card('devices', 'Devices', h('h3', null, 'Signed in'), list, h('h3', null, 'Receiving reminders'), subs, everywhere);
  render();
  return section;
}

export function PasswordSection(app) {
  const current = h('input', {type: 'password', name: 'current', autocomplete: 'current-password'});
  const next = h('input', {type: 'password', name: 'new', autocomplete: 'new-password', minlength: 8});
  const revoke = h('input', {type: 'checkbox', id: 'revoke-tokens', name: 'revoke_tokens'});
  const form = h('form', {novalidate: true}, h('p', {class: 'form-error', role: 'alert', hidden: true}),
    field('Current password', current), field('New password', next, 'At least 8 characters. Other devices will be signed out.'),
    h('div', {class: 'check'}, revoke, h('label', {for: 'revoke-tokens'}, 'Also revoke every API token')),
    h('button', {type: 'submit', class: 'button primary'}, 'Change password'));
  saveForm(form, app, async () => {
    await api.post('/api/auth/password', {current: current.value, new: next.value, revoke_tokens: revoke.checked});
    current.value = next.value = '';
    revoke.checked = false;
  }, 'Password changed.');
  return card('password', 'Password', form);
}

export function AccountSection(app) {
  const password = h('input', {type: 'password', name: 'password', autocomplete: 'current-password'});
  const form = h('form', {novalidate: true}, h('p', {class: 'form-error', role: 'alert', hidden: true}),
    h('p', null, 'Deleting your account removes every person, log entry, calendar and device, for good. Export a backup first if you may want it back.'),
    field('Your password', password), h('button', {type: 'submit', class: 'button danger'}, 'Delete my account'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const out = form.querySelector('.form-error');
    if (!confirm('Delete your account and all its data? This cannot be undone.')) return;
    try {
      await api.del('/api/auth/me', {password: password.value});
    } catch (err) {
      out.textContent = err.message;
      out.hidden = false;
      return;
    }
    await self.RapportOutbox.destroy();
    app.me = null;
    await app.logout().catch(() => {});
    app.navigate('/welcome', {replace: true});
  });
  return card('account', 'Delete account', form);
}

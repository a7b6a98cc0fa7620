// Settings → Invitations (admin only): make a single-use sign-up link, copy or share it,
// see the open ones and revoke them.
import {h, replace, field, fmtDate} from '../lib/dom.js';
import {api} from '../lib/api.js';
import {card, saveForm} from './settings.js';

const VALID_FOR = [[1, '1 day'], [7, '7 days'], [30, '30 days']];

/** The link just made, with Copy and (where the phone can) Share. */
function MadeLink(made, app) {
  const link = h('input', {type: 'text', readonly: true, value: made.url, 'aria-label': 'Invitation link', class: 'invite-link'});
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(made.url);
      app.toast('Link copied. It works once and expires on ' + fmtDate(made.expires_at) + '.');
    } catch {
      link.select();
      app.toast('The link is selected: copy it from there.');
    }
  };
  const share = navigator.share
    ? h('button', {type: 'button', class: 'button small', onClick: () => navigator.share({title: 'Join me on Rapport', url: made.url}).catch(() => {})}, 'Share')
    : null;
  return h('div', {class: 'invite-made', 'data-testid': 'invite-made'},
    h('p', null, made.label ? `Send this to ${made.label}. ` : 'Send this to the person you invite. ',
      `It works once and expires on ${fmtDate(made.expires_at)}. It is shown only now.`),
    link,
    h('div', {class: 'button-row'}, h('button', {type: 'button', class: 'button small primary', onClick: copy}, 'Copy link'), share));
}

/** The admin's invitations card (Settings shows it to admins only). */
export function InvitesSection(app) {
  const list = h('ul', {class: 'rows', 'aria-label': 'Open invitations'});
  const made = h('div', {'aria-live': 'polite'});
  const render = async () => {
    const items = await api.get('/api/auth/invites');
    replace(list, items.length ? items.map((invite) => h('li', {class: 'invite-row'},
      h('span', {class: 'row-main'}, h('span', {class: 'row-title'}, invite.label || 'Invitation'),
        h('span', {class: 'row-sub'}, `Made ${fmtDate(invite.created_at)} · expires ${fmtDate(invite.expires_at)}`)),
      h('button', {type: 'button', class: 'button small ghost', 'aria-label': `Revoke ${invite.label || 'invitation'}`, onClick: async () => {
        try { await api.del(`/api/auth/invites/${invite.id}`); app.toast('Invitation revoked: its link no longer works.'); } catch (err) { app.toast(err.message); }
        render();
      }}, 'Revoke')))
      : h('li', null, h('p', {class: 'hint'}, 'No open invitations.')));
  };
  const who = h('input', {type: 'text', name: 'label', maxlength: 100, placeholder: 'e.g. Priya', autocomplete: 'off'});
  const days = h('select', {name: 'expires_in_days'}, VALID_FOR.map(([n, text]) => h('option', {value: String(n), selected: n === 7}, text)));
  const form = h('form', {novalidate: true},
    h('p', {class: 'form-error', role: 'alert', hidden: true}),
    field('Who is it for? (optional)', who), field('Link works for', days),
    h('button', {type: 'submit', class: 'button primary'}, 'Make an invitation link'));
  saveForm(form, app, async () => {
    const result = await api.post('/api/auth/invites', {label: who.value.trim(), expires_in_days: Number(days.value)});
    replace(made, MadeLink(result, app));
    who.value = '';
    await render();
  }, 'Invitation link made.');
  render().catch((err) => app.toast(err.message));
  return card('invites', 'Invitations',
    h('p', {class: 'hint'}, 'Bring someone onto this Rapport. Each link lets one person create an account.'),
    form, made, h('h3', null, 'Open invitations'), list);
}

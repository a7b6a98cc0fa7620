// Opened over plain http from another device (a phone on the LAN): logging works, but the
// browser withholds reminders, offline use and install. Say so once, plainly.
import {h} from '../lib/dom.js';

const SEEN = 'rapport.httpsNotice';
/** The README's section on using Rapport from a phone (HTTPS set-up). */
export const PHONE_GUIDE = 'https://github.com/rapport-app/rapport#on-your-phone';

function seen() {
  try { return localStorage.getItem(SEEN) === 'seen'; } catch { return false; }
}

/**
 * The notice, or null in a secure context (https, localhost) or once dismissed.
 * @returns {HTMLElement|null}
 */
export function HttpsNotice() {
  if (self.isSecureContext || seen()) return null;
  const box = h('aside', {class: 'https-notice', role: 'note', 'aria-label': 'This connection is not secure', 'data-testid': 'https-notice'},
    h('p', null, h('strong', null, 'Logging works here, but reminders, offline use and installing the app need HTTPS. '),
      'This browser only allows them on a secure (https://) address. ',
      h('a', {href: PHONE_GUIDE, target: '_blank', rel: 'noopener'}, 'How to set up HTTPS for your phone')),
    h('button', {type: 'button', class: 'button small ghost', onClick: () => {
      try { localStorage.setItem(SEEN, 'seen'); } catch { /* private mode: it shows again next time */ }
      box.remove();
    }}, 'Got it'));
  return box;
}

// Parts used only online — import and export, calendars, API tokens, invitations, devices and
// password, the first-run checklist, password reset — are not in the precached shell: they load
// when opened (the service worker keeps them once used), so a phone installs less to go offline.
import {h} from './dom.js';

/** The module at url (absolute), or null when it is not on this phone and there is no connection. */
export async function onDemand(url) {
  try {
    return await import(url);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err; // a module that fails to run is a bug, not the network
    console.warn(`${url} is not on this phone yet`, err);
    return null;
  }
}

/** A plain line in place of a part that has to be online the first time it opens. */
export function needsConnection() {
  return h('p', {class: 'hint', 'data-testid': 'needs-connection'}, 'This needs a connection. It opens once you are back online.');
}

// Boot: register the service worker, route by path, mount the view, keep the outbox moving.
import {h, replace} from './lib/dom.js';
import {api, ApiError, forgetCsrf, sessionLive} from './lib/api.js';
import {markSignedIn, wasSignedIn, hasAccount, forgetResponses, clearPersonalData, invalidate, keepMe, keptMe, refreshPeopleIndex} from './lib/store.js';
import {recheckReminders} from './lib/push.js';
import './lib/paths.js';
import {HttpsNotice} from './views/https-notice.js';
import {mountToday} from './views/today.js';
import {mountPeople} from './views/people.js';
import {mountPerson, mountPersonForm} from './views/person.js';
import {mountLog} from './views/log.js';
import {mountHabits} from './views/habits.js';
import {mountWeek} from './views/week.js';
import {mountSettings} from './views/settings.js';
import {mountLogin, mountWelcome} from './views/auth.js';
import {onDemand, needsConnection} from './lib/on-demand.js';

const outbox = self.RapportOutbox;
const main = document.getElementById('main');
const banner = document.getElementById('banner');
const toastEl = document.getElementById('toast');

// A screen used only online: its module loads when it opens; offline and not here, it says so.
const onlineOnly = (url, name, title) => async (view, ctx) => {
  const module = await onDemand(url);
  if (module) return module[name](view, ctx);
  replace(view, h('div', {class: 'empty'}, h('h1', null, title), needsConnection()));
  return null;
};

const ROUTES = [
  [/^\/$/, mountToday, 'today'],
  [/^\/people$/, mountPeople, 'people'],
  [/^\/people\/new$/, mountPersonForm, 'people'],
  [/^\/people\/(\d+)$/, mountPerson, 'people'],
  [/^\/people\/(\d+)\/edit$/, mountPersonForm, 'people'],
  [/^\/log$/, mountLog, 'log'],
  [/^\/habits$/, mountHabits, 'habits'],
  [/^\/week$/, mountWeek, 'habits'],
  [/^\/settings$/, mountSettings, 'settings'],
  [/^\/login$/, mountLogin, null, true],
  [/^\/welcome$/, mountWelcome, null, true],
  [/^\/join$/, mountWelcome, null, true],
  [/^\/reset$/, onlineOnly('/views/reset.js', 'mountReset', 'Choose a new password'), null, true],
];

const state = {me: null, pending: 0, failed: 0, offline: !navigator.onLine, stale: false, installPrompt: null, cleanup: null, seq: 0};

/** Shared by every view: who is signed in, navigation, feedback, sync. */
export const app = {
  get me() { return state.me; },
  set me(value) { state.me = value; },
  navigate,
  toast,
  syncNow,
  logout,
  signedIn,
  get pending() { return state.pending; },
  get installPrompt() { return state.installPrompt; },
  async install() {
    const prompt = state.installPrompt;
    if (!prompt) return false;
    state.installPrompt = null;
    prompt.prompt();
    const choice = await prompt.userChoice;
    document.dispatchEvent(new CustomEvent('rapport:install-changed'));
    return choice.outcome === 'accepted';
  },
};

/** Go to a screen of this app; anything pointing elsewhere opens Today instead. */
function navigate(url, {replace: rep = false} = {}) {
  const path = self.RapportPaths.sameOriginPath(url, location.origin);
  if (rep) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render();
}

let toastTimer = 0;
function toast(message) {
  toastEl.textContent = message;
  toastEl.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => toastEl.classList.remove('show'), 3500);
}

async function render() {
  const seq = ++state.seq;
  if (typeof state.cleanup === 'function') state.cleanup();
  state.cleanup = null;
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const match = ROUTES.find(([re]) => re.test(path));
  if (!match) {
    navigate('/', {replace: true});
    return;
  }
  const [re, mount, tab, isPublic] = match;
  if (!isPublic && !state.me) {
    const next = location.pathname + location.search;
    navigate(hasAccount() ? `/login?next=${encodeURIComponent(next)}` : `/welcome?next=${encodeURIComponent(next)}`, {replace: true});
    return;
  }
  if (isPublic && state.me) {
    navigate('/', {replace: true});
    return;
  }
  document.body.classList.toggle('signed-out', Boolean(isPublic));
  for (const a of document.querySelectorAll('.tabbar a')) {
    if (a.dataset.nav === tab) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const params = path.match(re).slice(1);
  const query = new URLSearchParams(location.search);
  const view = h('div', {class: 'view'});
  replace(main, view);
  window.scrollTo(0, 0);
  try {
    state.cleanup = await mount(view, {params, query, app});
  } catch (err) {
    if (seq !== state.seq) return;
    replace(view, err instanceof ApiError && err.offline ? notKeptHere() : h('div', {class: 'empty'},
      h('h1', {tabindex: '-1'}, err instanceof ApiError && err.status === 404 ? 'Not found' : 'Something went wrong'),
      h('p', null, err instanceof ApiError ? err.message : 'Please try again.'),
      h('a', {class: 'button', href: '/'}, 'Back to Today')));
    if (!(err instanceof ApiError)) console.warn(err);
  }
  if (seq !== state.seq) return;
  const heading = view.querySelector('h1');
  if (heading) {
    document.title = `${heading.textContent} · Rapport`;
    heading.setAttribute('tabindex', '-1');
    if (state.seq > 1) heading.focus({preventScroll: true});
  }
}

// Offline and this screen was never opened on this phone: not an error, just not here yet.
function notKeptHere() {
  const waiting = state.pending
    ? `Your ${state.pending === 1 ? 'entry is' : `${state.pending} entries are`} saved on this phone and will sync when you are back online.`
    : 'Everything you save is kept on this phone until it syncs.';
  return h('div', {class: 'empty', 'data-testid': 'not-kept'},
    h('h1', {tabindex: '-1'}, 'Not on this phone yet'),
    h('p', null, 'This screen opens once you are back online. ', waiting),
    location.pathname === '/' ? null : h('a', {class: 'button', href: '/'}, 'Back to Today'));
}

// Links inside the app navigate without reloading the page.
document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const a = event.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/calendar/')) return;
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
});
window.addEventListener('popstate', render);

function signedIn(me) {
  state.me = me;
  markSignedIn(true);
  keepMe(me);
  forgetCsrf();
  syncNow();
  recheckReminders().catch(() => {});
  whileOnline();
}

// Online and signed in: refresh what the phone keeps for offline use, close settled reminders.
function whileOnline() {
  refreshPeopleIndex().catch((err) => console.warn('people index not refreshed', err));
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.ready.then((reg) => reg.active && reg.active.postMessage({type: 'tidy'})).catch(() => {});
  }
}

async function logout() {
  await syncNow();
  if (state.pending) {
    const ok = confirm(`${state.pending} ${state.pending === 1 ? 'entry has' : 'entries have'} not synced yet. Log out anyway and discard ${state.pending === 1 ? 'it' : 'them'}?`);
    if (!ok) return;
  }
  await api.settled();
  try {
    await api.post('/api/auth/logout', {});
  } catch (err) {
    if (!(err instanceof ApiError) || err.offline) {
      toast('You need to be online to log out.');
      return;
    }
  }
  state.me = null;
  forgetCsrf();
  await clearPersonalData();
  await updatePending();
  navigate('/login', {replace: true});
}

// ----- banner: offline, last-seen data, entries waiting to sync -----

function renderBanner() {
  const parts = [];
  if (state.offline) parts.push(h('span', null, 'Offline — showing what you saw last.'));
  else if (state.stale) parts.push(h('span', null, 'Showing saved data — the server did not answer.'));
  if (state.pending) {
    const text = `${state.pending} waiting to sync`;
    parts.push(state.offline
      ? h('span', {class: 'pill', 'data-testid': 'pending'}, text)
      : h('button', {type: 'button', class: 'pill', 'data-testid': 'pending', onClick: () => syncNow({userAsked: true})}, `${text} · Sync now`));
  }
  if (state.failed) parts.push(h('a', {href: '/settings#sync', class: 'pill warn'}, `${state.failed} could not be saved`));
  banner.hidden = parts.length === 0;
  replace(banner, parts);
}

async function updatePending() {
  if (!state.me) {
    // Signed out: nothing to show, and opening the outbox would recreate the database.
    state.pending = state.failed = 0;
    renderBanner();
    return;
  }
  try {
    const rows = await outbox.all();
    state.failed = rows.filter((r) => r.error && r.error.permanent).length;
    state.pending = rows.length - state.failed;
  } catch {
    state.pending = 0;
  }
  renderBanner();
  document.dispatchEvent(new CustomEvent('rapport:outbox', {detail: {pending: state.pending}}));
}

let syncing = null;
let again = false;
/** Send what the outbox holds now; safe to call from anywhere, any time. */
async function syncNow({userAsked = false, quiet = false} = {}) {
  if (!state.me) return updatePending();
  if (syncing) {
    again = true;
    return syncing;
  }
  syncing = (async () => {
    let sent = 0;
    let offline = false;
    try {
      do {
        again = false;
        const result = await outbox.flush();
        sent += (result && result.sent) || 0;
        offline = Boolean(result && result.offline);
      } while (again && !offline);
      if (sent) {
        window.dispatchEvent(new CustomEvent('rapport:fresh')); // the server took them: not stale
        invalidate('/api/');
        if (!quiet) toast(sent === 1 ? 'Synced 1 entry.' : `Synced ${sent} entries.`);
      } else if (userAsked && offline) {
        toast('Still offline — will sync when you are back.');
      }
    } catch (err) {
      console.warn('outbox flush failed', err);
    } finally {
      await updatePending();
      syncing = null;
    }
  })();
  return syncing;
}

window.addEventListener('online', async () => {
  state.offline = false;
  renderBanner();
  await syncNow();
  // The screen still shows saved data: read it again (not the log form, which may hold typing).
  if (state.stale && state.me && !location.pathname.startsWith('/log')) render();
});
window.addEventListener('offline', () => { state.offline = true; renderBanner(); });
window.addEventListener('rapport:stale', () => { state.stale = true; renderBanner(); });
window.addEventListener('rapport:fresh', () => {
  if (!state.stale) return;
  state.stale = false;
  renderBanner();
});
document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') syncNow(); });
window.addEventListener('rapport:unauthorized', async () => {
  if (!state.me) return;
  state.me = null;
  await forgetResponses();
  navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, {replace: true});
});
if (typeof BroadcastChannel !== 'undefined') {
  new BroadcastChannel(outbox.CHANNEL).addEventListener('message', () => updatePending());
}

// ----- install prompt -----

window.addEventListener('beforeinstallprompt', (event) => {
  event.preventDefault();
  state.installPrompt = event;
  document.dispatchEvent(new CustomEvent('rapport:install-changed'));
});
window.addEventListener('appinstalled', () => {
  state.installPrompt = null;
  document.dispatchEvent(new CustomEvent('rapport:install-changed'));
});

// ----- service worker -----

async function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  try {
    await navigator.serviceWorker.register('/service-worker.js', {scope: '/'});
  } catch (err) {
    console.warn('service worker registration failed', err);
  }
  navigator.serviceWorker.addEventListener('message', (event) => {
    const data = event.data || {};
    if (data.type === 'navigate' && typeof data.url === 'string') navigate(data.url);
    if (data.type === 'outbox') updatePending();
  });
}

/** Ask the browser to replay the outbox later, even if this page is closed. */
export async function scheduleBackgroundSync() {
  try {
    const reg = await navigator.serviceWorker.ready;
    if (reg.sync) await reg.sync.register('rapport-outbox');
  } catch { /* Background Sync is optional; the page replays on its own too. */ }
}
app.scheduleBackgroundSync = scheduleBackgroundSync;

// Who is signed in: the server says, whatever this device remembers (a web app installed from
// Safari keeps the cookie but not the storage); offline, the identity kept at the last sign-in.
async function whoAmI() {
  try {
    if (!(await sessionLive())) throw new ApiError(401, 'Not signed in.');
    const me = await api.get('/api/auth/me');
    markSignedIn(true);
    await keepMe(me);
    return {me, online: true};
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 404)) {
      if (wasSignedIn()) {
        markSignedIn(false);
        await forgetResponses();
      }
      return {me: null, online: true};
    }
    // No answer (no signal, or the server is down): the identity kept at the last sign-in.
    return {me: await keptMe(), online: false};
  }
}

async function boot() {
  registerServiceWorker();
  renderBanner();
  const notice = HttpsNotice();
  if (notice) main.before(notice);
  const {me, online} = await whoAmI();
  state.me = me;
  await render();
  if (state.me) {
    syncNow();
    recheckReminders().catch((err) => console.warn('reminders re-check failed', err));
    if (online && navigator.onLine) whileOnline();
  } else {
    updatePending();
  }
}

boot();

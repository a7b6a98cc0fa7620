// Rapport service worker: the app shell from a versioned cache, last-seen API data when offline,
// the offline outbox replayed by Background Sync, and reminders shown from push messages.
/* global RapportOutbox, RapportPaths */
'use strict';

// Replaced by the server with a hash of the shell files, so every change installs a new cache.
const VERSION = 'dev';
const SHELL_CACHE = `rapport-shell-${VERSION}`;
const API_CACHE = 'rapport-api';
const SHELL_FILES = [
  '/',
  '/app.js',
  '/manifest.webmanifest',
  '/lib/api.js',
  '/lib/dom.js',
  '/lib/meetings.js',
  '/lib/on-demand.js',
  '/lib/outbox.js',
  '/lib/paths.js',
  '/lib/people-index.js',
  '/lib/push.js',
  '/lib/store.js',
  '/lib/uuid.js',
  '/views/attendees.js',
  '/views/auth.js',
  '/views/habits.js',
  '/views/https-notice.js',
  '/views/log.js',
  '/views/people.js',
  '/views/person.js',
  '/views/settings.js',
  '/views/threads.js',
  '/views/today.js',
  '/views/week.js',
  '/styles/base.css',
  '/styles/views.css',
  '/styles/onboarding.css',
  '/styles/habits.css',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/maskable-512.png',
  '/icons/apple-touch-icon.png',
];
// What only works online (import and export, calendars, tokens, invitations, devices and
// password, the first-run checklist, password reset): not precached, so installing the shell
// costs less; kept in the shell's cache once opened, so it opens offline after that.
const ON_DEMAND_FILES = [
  '/lib/calendar-status.js',
  '/views/onboarding.js',
  '/views/reset.js',
  '/views/settings-account.js',
  '/views/settings-calendars.js',
  '/views/settings-data.js',
  '/views/settings-invites.js',
];
// API answers never kept on the phone: secrets, one-off tokens, downloads.
const NEVER_CACHE = /^\/api\/(auth\/csrf|tokens|export\.json|contacts\/export\.vcf|calendar-feed|push\/key)/;
const SHELL_ROUTES = /^\/(people(\/\d+(\/edit)?|\/new)?|log|habits|week|settings|login|welcome|join|reset)?\/?$/;

importScripts('/lib/outbox.js', '/lib/paths.js');

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    await cache.addAll(SHELL_FILES.map((url) => new Request(url, {cache: 'reload'})));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith('rapport-shell-') && n !== SHELL_CACHE).map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/')) {
    if (!NEVER_CACHE.test(url.pathname)) event.respondWith(networkFirst(request));
    return;
  }
  if (request.mode === 'navigate' && SHELL_ROUTES.test(url.pathname)) {
    event.respondWith(shellFirst());
    return;
  }
  if (SHELL_FILES.includes(url.pathname)) event.respondWith(cacheFirst(request));
  else if (ON_DEMAND_FILES.includes(url.pathname)) event.respondWith(keptOnceUsed(request));
});

// The shell opens from the cache at once; the versioned cache is replaced when files change.
async function shellFirst() {
  const cached = await caches.match('/', {cacheName: SHELL_CACHE});
  return cached || fetch('/');
}

async function cacheFirst(request) {
  const cached = await caches.match(request, {cacheName: SHELL_CACHE, ignoreSearch: true});
  return cached || fetch(request);
}

async function keptOnceUsed(request) {
  const cached = await caches.match(request, {cacheName: SHELL_CACHE, ignoreSearch: true});
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await (await caches.open(SHELL_CACHE)).put(request, response.clone());
  return response;
}

// Fresh data when the server answers; the last answer seen when it does not.
async function networkFirst(request) {
  const cache = await caches.open(API_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    else if (response.status === 401) await caches.delete(API_CACHE);
    return response;
  } catch (err) {
    const cached = await cache.match(request);
    if (cached) return withHeader(cached, 'hit');
    return new Response(JSON.stringify({code: 503, message: 'You are offline.'}), {
      status: 503, headers: {'Content-Type': 'application/json', 'X-Rapport-Offline': 'miss'},
    });
  }
}

async function withHeader(response, value) {
  const headers = new Headers(response.headers);
  headers.set('X-Rapport-Offline', value);
  return new Response(await response.blob(), {status: response.status, statusText: response.statusText, headers});
}

// ----- offline outbox -----

self.addEventListener('sync', (event) => {
  if (event.tag === 'rapport-outbox') event.waitUntil(replay());
});

self.addEventListener('message', (event) => {
  const type = event.data && event.data.type;
  if (type === 'flush') event.waitUntil(replay());
  if (type === 'tidy') event.waitUntil(Promise.all([closeSettledReminders(), RapportOutbox.forgetOldMeetings(KEEP_MEETINGS_MS)]));
});

async function replay() {
  const result = await RapportOutbox.flush();
  const windows = await self.clients.matchAll({type: 'window'});
  for (const client of windows) client.postMessage({type: 'outbox'});
  // Still offline: throw so the browser retries the sync later.
  if (result && result.offline) throw new Error('offline; will retry');
  await closeSettledReminders();
  return result;
}

// ----- push -----

/** Read a push payload: our JSON, or the same wrapped as Declarative Web Push. */
function readPush(data) {
  let payload = {};
  if (data) {
    try { payload = data.json(); } catch { payload = {body: data.text()}; }
  }
  const declarative = payload && payload.web_push === 8030 && payload.notification;
  const n = declarative ? payload.notification : payload;
  // The payload's absolute URL carries the server's idea of its address; the path is what counts.
  const url = RapportPaths.pathOnOrigin(payload.url || n.navigate || n.url || '/', self.location.origin);
  const kind = n.kind || payload.kind || '';
  const meeting = kind === 'meeting' ? new URL(url, self.location.origin).searchParams.get('meeting') : null;
  return {
    title: n.title || 'Rapport',
    meeting,
    options: {
      body: n.body || '',
      tag: n.tag || payload.tag || undefined,
      renotify: Boolean(n.tag || payload.tag),
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      lang: n.lang || undefined,
      silent: Boolean(n.silent),
      actions: meeting ? [{action: 'log', title: 'Log it'}, {action: 'skip', title: 'Not worth logging'}] : [],
      data: {url, kind, meeting},
    },
  };
}

// A meeting kept for its reminder is forgotten two weeks after it ended (tidied on app start).
const KEEP_MEETINGS_MS = 14 * 24 * 3600 * 1000;

// A push arrives while the phone is online: keep what the log form needs before showing it, so
// the form opens complete even if the tap comes later with no signal. Bounded: the reminder
// is shown even when the server is slow.
async function keepMeeting(id) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 4000);
  try {
    const res = await fetch(`/api/meetings/${encodeURIComponent(id)}`, {credentials: 'same-origin', signal: controller.signal});
    if (res.ok) await RapportOutbox.keep(`meeting:${id}`, await res.json());
  } catch { /* offline or slow: the form falls back to what else the phone kept */ } finally {
    clearTimeout(timer);
  }
}

// Reminders about meetings logged or set aside elsewhere (another device, the web) are closed.
async function closeSettledReminders(except = null) {
  const shown = (await self.registration.getNotifications())
    .filter((n) => n.data && n.data.meeting && String(n.data.meeting) !== String(except));
  await Promise.all(shown.map(async (n) => {
    try {
      const res = await fetch(`/api/meetings/${encodeURIComponent(n.data.meeting)}`, {credentials: 'same-origin'});
      if (res.status === 404) n.close();
      if (res.ok && !(await res.json()).needs_log) n.close();
    } catch { /* offline: decide next time */ }
  }));
}

// Every push shows a notification: a silent push gets the subscription revoked on iOS.
self.addEventListener('push', (event) => {
  const {title, meeting, options} = readPush(event.data);
  event.waitUntil((async () => {
    if (meeting) await keepMeeting(meeting);
    await self.registration.showNotification(title, options);
    await closeSettledReminders(meeting);
  })());
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const data = event.notification.data || {};
  if (event.action === 'skip' && data.meeting) {
    event.waitUntil(skipMeeting(data.meeting, event.notification.title));
    return;
  }
  const url = RapportPaths.pathOnOrigin(data.url || '/', self.location.origin);
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({type: 'window', includeUncontrolled: true});
    const client = windows.find((c) => new URL(c.url).origin === self.location.origin);
    if (client) {
      await client.focus();
      client.postMessage({type: 'navigate', url});
      return;
    }
    await self.clients.openWindow(url);
  })());
});

// "Not worth logging": through the outbox, so it reaches the server even from a train.
async function skipMeeting(id, title) {
  await RapportOutbox.put({
    id: `skip-meeting-${id}`, url: `/api/meetings/${encodeURIComponent(id)}/skip`, body: {},
    label: `Not worth logging: ${title}`, meeting: id,
  });
  try {
    await replay();
  } catch {
    // Offline: Background Sync replays it where the browser allows; the app does on its next start.
    if (self.registration.sync) await self.registration.sync.register('rapport-outbox').catch(() => {});
  }
}

// The browser replaced the subscription: register the new one without asking the user again.
self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil((async () => {
    const old = event.oldSubscription;
    const sub = event.newSubscription || await self.registration.pushManager.subscribe(
      old ? old.options : {userVisibleOnly: true});
    const token = await (await fetch('/api/auth/csrf', {credentials: 'same-origin'})).json();
    await fetch('/api/push/subscriptions', {
      method: 'POST',
      credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRFToken': token.csrf_token},
      body: JSON.stringify({endpoint: sub.endpoint, keys: sub.toJSON().keys}),
    });
  })());
});

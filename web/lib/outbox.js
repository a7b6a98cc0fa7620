// The offline outbox and what the phone keeps for offline use (the meeting a reminder is
// about, the people index, who is signed in), shared by the page and the service worker.
// A classic script (no import/export) so the service worker can importScripts() it in every
// browser; the page imports it for its side effect and uses self.RapportOutbox.
(function (scope) {
  'use strict';

  const DB_NAME = 'rapport';
  const STORE = 'outbox';
  const KEPT = 'kv';
  const LOCK = 'rapport-outbox-flush';
  const CHANNEL = 'rapport-outbox';
  let flushing = null; // same-context queue when the Web Locks API is missing

  function openDb() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, {keyPath: 'id'});
        if (!db.objectStoreNames.contains(KEPT)) db.createObjectStore(KEPT);
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error('outbox database is blocked'));
    });
  }

  async function tx(mode, fn, store = STORE) {
    const db = await openDb();
    try {
      return await new Promise((resolve, reject) => {
        const t = db.transaction(store, mode);
        const result = fn(t.objectStore(store));
        t.oncomplete = () => resolve(result && 'result' in result ? result.result : undefined);
        t.onerror = () => reject(t.error);
        t.onabort = () => reject(t.error || new Error('outbox transaction aborted'));
      });
    } finally {
      db.close();
    }
  }

  function announce() {
    if (typeof BroadcastChannel === 'undefined') return;
    const ch = new BroadcastChannel(CHANNEL);
    ch.postMessage({type: 'changed'});
    ch.close();
  }

  /**
   * Keep a write on this device first; it is sent by flush(). A log entry by default; any
   * idempotent PUT (e.g. "not worth logging" for a meeting) with its own url.
   * `meeting` names the meeting whose reminder the write settles: its notification is closed
   * once the server has it.
   */
  async function put(entry) {
    const row = {
      id: entry.id,
      method: 'PUT',
      url: entry.url || `/api/interactions/${entry.id}`,
      body: entry.body,
      label: entry.label || '',
      meeting: entry.meeting || (entry.body && entry.body.meeting_id) || null,
      created_at: new Date().toISOString(),
      attempts: 0,
      error: null,
    };
    await tx('readwrite', (s) => s.put(row));
    announce();
    return row;
  }

  async function all() {
    const rows = await tx('readonly', (s) => s.getAll());
    return (rows || []).sort((a, b) => a.created_at.localeCompare(b.created_at));
  }

  async function remove(id) {
    await tx('readwrite', (s) => s.delete(id));
    announce();
  }

  async function update(row) {
    await tx('readwrite', (s) => s.put(row));
  }

  async function count() {
    return (await all()).length;
  }

  async function token() {
    const res = await fetch('/api/auth/csrf', {credentials: 'same-origin', cache: 'no-store'});
    if (!res.ok) throw new Error('no session');
    return (await res.json()).csrf_token;
  }

  // Send every waiting entry once; stop at the first network failure (we are offline).
  // The server stores a replayed UUID once, and the lock keeps the page and the service
  // worker from sending the same row at the same moment.
  async function sendAll() {
    const rows = await all();
    if (!rows.length) return {sent: 0, left: 0};
    let csrfToken;
    try {
      csrfToken = await token();
    } catch (err) {
      return {sent: 0, left: rows.length, offline: true};
    }
    let sent = 0;
    for (const row of rows) {
      if (row.error && row.error.permanent) continue;
      let res;
      try {
        res = await fetch(row.url, {
          method: row.method,
          credentials: 'same-origin',
          headers: {'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': csrfToken},
          body: JSON.stringify(row.body),
        });
      } catch (err) {
        return {sent, left: rows.length - sent, offline: true};
      }
      if (res.ok) {
        await remove(row.id);
        if (row.meeting) await closeReminder(row.meeting);
        sent += 1;
        continue;
      }
      if (res.status === 401 || res.status === 403 || res.status === 429 || res.status >= 500) {
        return {sent, left: rows.length - sent, status: res.status};
      }
      if (res.status === 400) {
        const text = await res.text();
        if (/csrf/i.test(text)) return {sent, left: rows.length - sent, status: 400};
        row.error = {status: 400, message: messageOf(text), permanent: true};
      } else {
        row.error = {status: res.status, message: messageOf(await res.text()), permanent: true};
      }
      row.attempts += 1;
      await update(row);
      announce();
    }
    return {sent, left: (await all()).length};
  }

  function messageOf(text) {
    try { return JSON.parse(text).message || 'The server refused this entry.'; } catch { return 'The server refused this entry.'; }
  }

  /** Replay waiting entries; concurrent calls (page, other tabs, service worker) run one at a time. */
  async function flush() {
    // Rows are read inside the lock, so a row sent by one caller is gone before the next looks.
    if (scope.navigator && scope.navigator.locks) {
      return scope.navigator.locks.request(LOCK, () => sendAll());
    }
    flushing = (flushing || Promise.resolve()).catch(() => {}).then(sendAll);
    return flushing;
  }

  /** Close the notification that asks about this meeting, wherever this code runs. */
  async function closeReminder(meetingId) {
    try {
      const reg = scope.registration
        || (scope.navigator && scope.navigator.serviceWorker && await scope.navigator.serviceWorker.getRegistration());
      if (!reg || !reg.getNotifications) return;
      for (const n of await reg.getNotifications()) {
        if (n.data && String(n.data.meeting) === String(meetingId)) n.close();
      }
    } catch { /* notifications are optional: nothing to close */ }
  }

  /** Keep a value for offline use (replaced as a whole). */
  async function keep(key, value) {
    await tx('readwrite', (s) => s.put(value, key), KEPT);
  }

  /** A value kept for offline use, or undefined. */
  async function kept(key) {
    return tx('readonly', (s) => s.get(key), KEPT);
  }

  /** Forget a kept value. */
  async function unkeep(key) {
    await tx('readwrite', (s) => s.delete(key), KEPT);
  }

  /** Forget meetings kept for reminders that ended more than `maxAgeMs` ago (their reminder
   * is long gone; the form of an old meeting opens online). Returns how many went. */
  async function forgetOldMeetings(maxAgeMs, now = Date.now()) {
    let gone = 0;
    await tx('readwrite', (s) => {
      const req = s.openCursor(IDBKeyRange.bound('meeting:', 'meeting:\uffff'));
      req.onsuccess = () => {
        const cursor = req.result;
        if (!cursor) return;
        const end = Date.parse((cursor.value && (cursor.value.end || cursor.value.start)) || '');
        if (Number.isNaN(end) || now - end > maxAgeMs) {
          cursor.delete();
          gone += 1;
        }
        cursor.continue();
      };
    }, KEPT);
    return gone;
  }

  /** Forget everything kept on this device (on logout). */
  function destroy() {
    return new Promise((resolve) => {
      const req = indexedDB.deleteDatabase(DB_NAME);
      req.onsuccess = req.onerror = req.onblocked = () => { announce(); resolve(); };
    });
  }

  scope.RapportOutbox = {put, all, remove, count, flush, destroy, keep, kept, unkeep, forgetOldMeetings, CHANNEL};
})(self);

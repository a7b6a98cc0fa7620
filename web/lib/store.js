// Last-seen data: an in-memory copy for instant screens, the service worker's cache for
// offline reads, and one place that forgets it all on logout.
import {api, qs} from './api.js';
import {indexEntry} from './people-index.js';
import './outbox.js';

const memory = new Map();
const API_CACHE = 'rapport-api';
const SIGNED_IN = 'rapport.signedIn';
const KNOWN = 'rapport.hasAccount'; // survives logout: returning people see "Log in" first
const PEOPLE_PAGES = 20; // the offline index holds the first 4,000 people by name

/**
 * Render from what we saw last, then from the network.
 * @param {string} path API path
 * @param {(data: any, fresh: boolean) => void} render called once or twice
 * @returns {Promise<any>} the fresh data (or the last-seen copy when offline)
 */
export async function load(path, render) {
  const seen = memory.get(path);
  if (seen !== undefined) render(seen, false);
  try {
    const data = await api.get(path);
    memory.set(path, data);
    render(data, true);
    return data;
  } catch (err) {
    if (seen !== undefined && err.offline) return seen;
    throw err;
  }
}

export function remember(path, data) { memory.set(path, data); }
export function recall(path) { return memory.get(path); }

/** Drop remembered copies whose path starts with prefix (after a write). */
export function invalidate(...prefixes) {
  for (const key of [...memory.keys()]) {
    if (prefixes.some((p) => key.startsWith(p))) memory.delete(key);
  }
}

export function markSignedIn(on) {
  try {
    if (on) {
      localStorage.setItem(SIGNED_IN, '1');
      localStorage.setItem(KNOWN, '1');
    }
    else localStorage.removeItem(SIGNED_IN);
  } catch { /* private mode */ }
}

export function hasAccount() {
  try { return localStorage.getItem(KNOWN) === '1'; } catch { return false; }
}

export function wasSignedIn() {
  try { return localStorage.getItem(SIGNED_IN) === '1'; } catch { return true; }
}

/** Forget cached API responses (not the outbox): after the session ended on the server. */
export async function forgetResponses() {
  memory.clear();
  await self.RapportOutbox.unkeep('me').catch(() => {});
  if ('caches' in self) await caches.delete(API_CACHE);
}

/** Who is signed in, kept on the phone so the app opens signed in without a network. */
export async function keepMe(me) {
  await self.RapportOutbox.keep('me', me).catch(() => {});
}

/** The identity kept by the last online start or sign-in, or null. */
export async function keptMe() {
  return (await self.RapportOutbox.kept('me').catch(() => null)) || null;
}

/** The compact people index for search without a network ([] when none is kept). */
export async function keptPeople() {
  return (await self.RapportOutbox.kept('people').catch(() => null)) || [];
}

/** Refresh the people index from the server (on each online start); keeps the old one on failure. */
export async function refreshPeopleIndex() {
  const people = [];
  for (let page = 1; page <= PEOPLE_PAGES; page += 1) {
    const res = await api.get(`/api/contacts${qs({per_page: 200, page, sort: 'name'})}`, {raw: true});
    // The connection dropped and an older saved page answered: keep the index we have.
    if (res.headers.get('X-Rapport-Offline')) return null;
    const data = await res.json();
    people.push(...data.items.map(indexEntry));
    if (people.length >= data.total || !data.items.length) break;
  }
  await self.RapportOutbox.keep('people', people);
  return people.length;
}

/** Forget every personal thing this device holds: responses, outbox, flags. */
export async function clearPersonalData() {
  await forgetResponses();
  await self.RapportOutbox.destroy();
  markSignedIn(false);
  try { sessionStorage.clear(); } catch { /* ignore */ }
}

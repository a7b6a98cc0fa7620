// Reminders by Web Push: permission only from a tap, subscribe with the server's key,
// register the subscription, and re-check it every time the app starts.
import {api} from './api.js';

/** Where this browser stands: 'unsupported' | 'needs-install' | 'denied' | 'off' | 'on'. */
export async function pushStatus() {
  if (iosNeedsInstall()) return 'needs-install';
  if (!('serviceWorker' in navigator) || !('Notification' in self)) return iosNeedsInstall() ? 'needs-install' : 'unsupported';
  if (!('PushManager' in self)) return iosNeedsInstall() ? 'needs-install' : 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  if (Notification.permission !== 'granted') return 'off';
  const reg = await navigator.serviceWorker.ready;
  const sub = await reg.pushManager.getSubscription();
  return sub ? 'on' : 'off';
}

/** iPhone and iPad only offer push to apps added to the home screen. */
export function iosNeedsInstall() {
  return isIos() && !isStandalone();
}

export function isIos() {
  return /iphone|ipad|ipod/i.test(navigator.userAgent) || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
}

export function isStandalone() {
  return matchMedia('(display-mode: standalone)').matches || navigator.standalone === true;
}

function keyBytes(base64url) {
  const pad = '='.repeat((4 - (base64url.length % 4)) % 4);
  const raw = atob((base64url + pad).replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

function sameKey(sub, key) {
  const current = sub.options && sub.options.applicationServerKey;
  if (!current) return true;
  const a = new Uint8Array(current);
  return a.length === key.length && a.every((b, i) => b === key[i]);
}

async function subscribe(reg) {
  const {public_key: publicKey} = await api.get('/api/push/key');
  const key = keyBytes(publicKey);
  let sub = await reg.pushManager.getSubscription();
  if (sub && !sameKey(sub, key)) {
    await sub.unsubscribe();
    sub = null;
  }
  if (!sub) sub = await reg.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: key});
  await register(sub);
  return sub;
}

async function register(sub) {
  const json = sub.toJSON();
  await api.post('/api/push/subscriptions', {endpoint: json.endpoint, keys: json.keys, user_agent: navigator.userAgent.slice(0, 300)});
}

/** Call from a click handler only: asks for permission, then subscribes. */
export async function enableReminders() {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return permission === 'denied' ? 'denied' : 'off';
  const reg = await navigator.serviceWorker.ready;
  await subscribe(reg);
  setWanted(true);
  return 'on';
}

/** Stop reminders on this device. */
export async function disableReminders() {
  setWanted(false);
  const reg = await navigator.serviceWorker.ready;
  const sub = await reg.pushManager.getSubscription();
  if (!sub) return;
  const {endpoint} = sub.toJSON();
  await sub.unsubscribe();
  await api.del('/api/push/subscriptions', {endpoint});
}

/** On every start: if reminders were allowed, make sure the server has this device's subscription. */
export async function recheckReminders() {
  if (!('serviceWorker' in navigator) || !('PushManager' in self) || !('Notification' in self)) return;
  if (Notification.permission !== 'granted' || !wanted()) return;
  const reg = await navigator.serviceWorker.ready;
  await subscribe(reg);
}

export async function sendTestPush() {
  return api.post('/api/push/test', {});
}

const WANTED = 'rapport.reminders';

function setWanted(on) {
  try { localStorage.setItem(WANTED, on ? 'on' : 'off'); } catch { /* private mode */ }
}

function wanted() {
  try { return localStorage.getItem(WANTED) !== 'off'; } catch { return true; }
}

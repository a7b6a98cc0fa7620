// Thin fetch wrapper: JSON in and out, the CSRF header on unsafe requests, one error type.

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status, 0 when the network is unreachable
   * @param {string} message
   * @param {Record<string, any>} [errors] field errors from the server
   */
  constructor(status, message, errors) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.errors = errors || null;
  }
  get offline() { return this.status === 0; }
}

let csrfToken = null;

/** The CSRF token of this session (fetched once, refreshed after login/logout). */
export async function csrf(refresh = false) {
  if (!csrfToken || refresh) {
    const res = await send('GET', '/api/auth/csrf');
    csrfToken = res.csrf_token;
  }
  return csrfToken;
}

export function forgetCsrf() { csrfToken = null; }

/** Whether this browser holds a live session cookie (asked without a 401 when it does not). */
export async function sessionLive() {
  const res = await send('GET', '/api/auth/csrf');
  csrfToken = res.csrf_token;
  return Boolean(res.signed_in);
}

const inFlight = new Set();

/** Wait (up to `ms`) until every request already sent has its answer: before logging out,
 * so a screen's reads are not answered 401 by a session that ended under them. */
async function settled(ms = 3000) {
  let timer;
  const late = new Promise((resolve) => { timer = setTimeout(resolve, ms); });
  await Promise.race([Promise.allSettled([...inFlight]), late]);
  clearTimeout(timer);
}

function send(method, path, body, options) {
  const request = sendNow(method, path, body, options);
  inFlight.add(request);
  request.then(() => inFlight.delete(request), () => inFlight.delete(request));
  return request;
}

async function sendNow(method, path, body, {signal, raw} = {}) {
  const headers = {Accept: 'application/json'};
  const init = {method, headers, credentials: 'same-origin', signal};
  if (method !== 'GET' && method !== 'HEAD') {
    headers['X-CSRFToken'] = await csrf();
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'You are offline. This will work again once you are back online.');
  }
  const offlineHeader = res.headers.get('X-Rapport-Offline');
  if (offlineHeader === 'miss') {
    throw new ApiError(0, 'You are offline, and this was not saved on the phone yet.');
  }
  if (offlineHeader) {
    window.dispatchEvent(new CustomEvent('rapport:stale', {detail: {path, date: res.headers.get('Date')}}));
  } else {
    // The server answered: whatever the banner said about saved data is over.
    window.dispatchEvent(new CustomEvent('rapport:fresh', {detail: {path}}));
  }
  if (raw && res.ok) return res;
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const message = (data && data.message) || res.statusText || 'Something went wrong.';
    const error = new ApiError(res.status, message, data && data.errors);
    if (res.status === 401 && !path.startsWith('/api/auth/')) {
      window.dispatchEvent(new CustomEvent('rapport:unauthorized'));
    }
    throw error;
  }
  return data;
}

async function request(method, path, body, opts) {
  try {
    return await send(method, path, body, opts);
  } catch (err) {
    // A session change rotates the token; fetch a fresh one and try once more.
    if (err instanceof ApiError && err.status === 400 && /csrf/i.test(err.message) && method !== 'GET') {
      await csrf(true);
      return send(method, path, body, opts);
    }
    throw err;
  }
}

/** Build a query string from an object, skipping empty values. */
export function qs(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '' && v !== false) q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** GET that answers null when the route does not exist on this server (yet). */
export async function optional(path, opts) {
  try {
    return await request('GET', path, undefined, opts);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 405 || err.status === 501)) return null;
    throw err;
  }
}

export const api = {
  get: (path, opts) => request('GET', path, undefined, opts),
  post: (path, body, opts) => request('POST', path, body === undefined ? {} : body, opts),
  put: (path, body, opts) => request('PUT', path, body, opts),
  patch: (path, body, opts) => request('PATCH', path, body, opts),
  del: (path, body, opts) => request('DELETE', path, body, opts),
  settled,
};

// Tiny DOM helpers. User text only ever reaches the page as text nodes or attributes.

const SVG_NS = 'http://www.w3.org/2000/svg';
const PROPS = new Set(['value', 'checked', 'disabled', 'selected', 'indeterminate']);

/**
 * Build an element: h('button', {class: 'chip', onClick}, 'Intro').
 * @param {string} tag
 * @param {Record<string, any>|null} [props]
 * @param {...any} children strings, numbers, nodes, arrays; null/false are skipped
 * @returns {HTMLElement}
 */
export function h(tag, props, ...children) {
  const svg = tag === 'svg' || tag === 'path' || tag === 'circle';
  const el = svg ? document.createElementNS(SVG_NS, tag) : document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value == null || value === false) continue;
    if (key === 'innerHTML' || key === 'outerHTML') throw new Error('h(): HTML strings are not allowed');
    if (key === 'class') el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'style') setStyle(el, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (PROPS.has(key)) el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

// The CSP forbids style attributes; properties set through the CSSOM are allowed.
function setStyle(el, text) {
  for (const decl of String(text).split(';')) {
    const i = decl.indexOf(':');
    if (i > 0) el.style.setProperty(decl.slice(0, i).trim(), decl.slice(i + 1).trim());
  }
}

/** Append children (flattening arrays, skipping null/false). */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false || child === true) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replace everything inside el with children. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

const ICONS = {
  phone: 'M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2c.3-.3.7-.4 1-.2 1.1.4 2.3.6 3.6.6.6 0 1 .4 1 1V20c0 .6-.4 1-1 1A17 17 0 0 1 3 4c0-.6.4-1 1-1h3.5c.6 0 1 .4 1 1 0 1.3.2 2.5.6 3.6.1.3 0 .7-.2 1z',
  message: 'M4 4h16c1.1 0 2 .9 2 2v10c0 1.1-.9 2-2 2H8l-4 4V6c0-1.1.9-2 2-2z',
  mail: 'M3 5h18v14H3zM3 6l9 7 9-7',
  plus: 'M12 5v14M5 12h14',
  back: 'M15 5l-7 7 7 7',
  edit: 'M4 20h4L19 9l-4-4L4 16zM14 6l4 4',
  check: 'M5 12l5 5 9-10',
  search: 'M10.5 4a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13zM20 20l-4.8-4.8',
  x: 'M6 6l12 12M18 6L6 18',
};

/** An inline icon, hidden from assistive technology (its control carries the label). */
export function icon(name) {
  return h('svg', {class: 'icon', viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false'},
    h('path', {d: ICONS[name] || ''}));
}

const HONORIFICS = new Set(['dr', 'mr', 'mrs', 'ms', 'miss', 'mx', 'prof', 'sir', 'dame', 'rev', 'fr']);
const SUFFIXES = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'phd', 'md', 'esq', 'mba']);

/**
 * Initials for an avatar: given and family name, never "Dr." or "Jr."; "Smith, John" → JS.
 * @param {string} name
 */
export function initials(name) {
  let text = String(name || '').trim();
  const comma = text.split(',');
  if (comma.length === 2 && comma[0].trim().split(/\s+/).length <= 2 && comma[1].trim()) text = `${comma[1]} ${comma[0]}`;
  const bare = (w) => w.toLowerCase().replace(/\./g, '');
  let parts = text.split(/[\s,]+/).filter(Boolean);
  while (parts.length > 1 && HONORIFICS.has(bare(parts[0]))) parts = parts.slice(1);
  while (parts.length > 1 && SUFFIXES.has(bare(parts[parts.length - 1]))) parts = parts.slice(0, -1);
  const letters = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : (parts[0] || '?').slice(0, 2);
  return letters.toUpperCase();
}

/** A stable hue for a person, so avatars are easy to tell apart. */
export function hue(text) {
  let n = 0;
  for (const ch of String(text || '')) n = (n * 31 + ch.codePointAt(0)) % 360;
  return n;
}

/** A person's photo when there is one (falls back to initials if it fails), else initials. */
export function avatar(name, size = '', photoUrl = null) {
  const box = h('span', {class: ['avatar', size], 'aria-hidden': 'true', style: `--h:${hue(name)}`}, initials(name));
  if (photoUrl) {
    const img = h('img', {src: photoUrl, alt: '', class: 'avatar-photo', loading: 'lazy', decoding: 'async'});
    img.addEventListener('error', () => img.remove());
    box.append(img);
  }
  return box;
}

let labelSeq = 0;
/** A unique id for pairing labels with controls. */
export function uid(prefix = 'f') {
  labelSeq += 1;
  return `${prefix}-${labelSeq}`;
}

/** A labelled form field: label above the control, optional hint and error line. */
export function field(label, control, hint) {
  const id = control.id || uid();
  control.id = id;
  const hintEl = hint ? h('p', {class: 'hint', id: `${id}-hint`}, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', {class: 'field'}, h('label', {for: id}, label), control, hintEl,
    h('p', {class: 'error', id: `${id}-error`, hidden: true}));
}

/** Show server-side validation errors next to the fields that caused them. */
export function showErrors(form, errors) {
  for (const el of form.querySelectorAll('.field .error')) { el.hidden = true; el.textContent = ''; }
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  let first = null;
  for (const [name, messages] of Object.entries(flattenErrors(errors))) {
    const control = form.querySelector(`[name="${CSS.escape(name)}"]`);
    const out = control && form.querySelector(`#${CSS.escape(control.id)}-error`);
    if (!out) continue;
    out.textContent = messages.join(' ');
    out.hidden = false;
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-errormessage', out.id);
    first = first || control;
  }
  if (first) first.focus();
  return Boolean(first);
}

function flattenErrors(errors) {
  // flask-smorest nests field errors under their location ({json: {name: [...]}}).
  const out = {};
  for (const [key, value] of Object.entries(errors || {})) {
    if (Array.isArray(value)) out[key] = value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
    else if (value && typeof value === 'object') Object.assign(out, flattenErrors(value));
    else out[key] = [String(value)];
  }
  return out;
}

const dateFmt = new Intl.DateTimeFormat(undefined, {day: 'numeric', month: 'short'});
const dateYearFmt = new Intl.DateTimeFormat(undefined, {day: 'numeric', month: 'short', year: 'numeric'});
const timeFmt = new Intl.DateTimeFormat(undefined, {hour: 'numeric', minute: '2-digit'});
const weekdayFmt = new Intl.DateTimeFormat(undefined, {weekday: 'short', day: 'numeric', month: 'short'});

/** "12 Aug" this year, "12 Aug 2023" otherwise. */
export function fmtDate(value) {
  if (!value) return '';
  const d = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00`) : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return (d.getFullYear() === new Date().getFullYear() ? dateFmt : dateYearFmt).format(d);
}

export function fmtTime(value) {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '' : timeFmt.format(d);
}

export function fmtDay(value) {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '' : weekdayFmt.format(d);
}

/** "today", "yesterday", "3 days ago", "5 weeks ago"... */
export function ago(value) {
  if (!value) return 'never';
  const days = Math.round((startOfDay(new Date()) - startOfDay(new Date(value))) / 86400000);
  if (days <= 0) return 'today';
  if (days === 1) return 'yesterday';
  if (days < 14) return `${days} days ago`;
  if (days < 60) return `${Math.round(days / 7)} weeks ago`;
  if (days < 730) return `${Math.round(days / 30)} months ago`;
  return `${Math.round(days / 365)} years ago`;
}

function startOfDay(d) {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

/** Local calendar date as YYYY-MM-DD. */
export function isoDate(d) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Now as ISO 8601 with the local offset, as the API expects. */
export function isoLocal(d = new Date()) {
  const pad = (n) => String(Math.abs(Math.trunc(n))).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return `${isoDate(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${sign}${pad(off / 60)}:${pad(off % 60)}`;
}

/** Human label for API enums ("in_person" → "In person"). */
export function label(value) {
  const s = String(value || '').replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A section with a heading, hidden entirely when it has no rows. */
export function section(title, rows, extra) {
  const items = (rows || []).filter(Boolean);
  if (!items.length && !extra) return null;
  return h('section', {class: 'card-section'}, h('h2', null, title), items.length ? h('ul', {class: 'rows'}, items) : null, extra || null);
}

/** Empty state: a friendly line and an optional action. */
export function empty(text, action) {
  return h('div', {class: 'empty'}, h('p', null, text), action || null);
}

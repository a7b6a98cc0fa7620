// The quick log: who, how, what you gave, what you got, what is on their mind, when to follow up.
// Saved to the phone first (outbox), then sent with PUT /api/interactions/<uuid>.
import {h, append, replace, icon, avatar, isoDate, isoLocal, fmtTime, fmtDay, uid} from '../lib/dom.js';
import {api, qs} from '../lib/api.js';
import {recall, remember, invalidate, keptPeople} from '../lib/store.js';
import {meetingPeople, meetingKind} from '../lib/meetings.js';
import {matchPeople} from '../lib/people-index.js';
import {uuid} from '../lib/uuid.js';
import {CATEGORY_LABELS} from './threads.js';
import {AttendeePrompts} from './attendees.js';

const KINDS = [['in_person', 'In person'], ['call', 'Call'], ['video', 'Video'], ['message', 'Message'], ['event', 'Event']];
const FOLLOW_UPS = [['', 'No'], ['7d', '1 week'], ['1m', '1 month'], ['3m', '3 months']];

/** The follow-up date for a chip, counted from today in local time. */
export function followUpDate(choice, from = new Date()) {
  if (!choice) return null;
  const d = new Date(from.getFullYear(), from.getMonth(), from.getDate());
  if (choice === '7d') d.setDate(d.getDate() + 7);
  if (choice === '1m') d.setMonth(d.getMonth() + 1);
  if (choice === '3m') d.setMonth(d.getMonth() + 3);
  return isoDate(d);
}

function chip(type, name, value, text, checked, size) {
  const id = uid('c');
  return h('span', {class: 'chip-wrap'},
    h('input', {type, name, value, id, class: 'chip-input', checked: Boolean(checked)}),
    h('label', {for: id, class: ['chip', size]}, text));
}

/**
 * Find a meeting by id: from the server, else what this phone kept — the copy the service
 * worker stored when the reminder arrived, or the last Today screen that listed it.
 * Null when the server says there is no such meeting; undefined when it could not be asked
 * and the phone has no copy.
 */
async function findMeeting(id) {
  const key = `meeting:${id}`;
  try {
    const one = await api.get(`/api/meetings/${encodeURIComponent(id)}`);
    self.RapportOutbox.keep(key, one).catch(() => {});
    return one;
  } catch (err) {
    if (!err.offline) return null;
  }
  const kept = await self.RapportOutbox.kept(key).catch(() => undefined);
  if (kept) return kept;
  let today = recall('/api/today');
  if (!today) today = await api.get('/api/today').catch(() => null);
  const listed = today ? [...((today.meetings_to_log || {}).items || []), ...((today.meetings_today || {}).items || [])] : [];
  return listed.find((m) => String(m.id) === String(id));
}

/** Give/take section: a chip per category; a chosen chip opens a note (and, for gave, "promised"). */
function GiveTake(title, name, withPromise) {
  const details = h('div', {class: 'give-details'});
  const chips = h('div', {class: 'chips', role: 'group', 'aria-label': title},
    Object.entries(CATEGORY_LABELS).map(([value, text]) => chip('checkbox', name, value, text)));
  const rows = new Map();
  chips.addEventListener('change', (e) => {
    const box = e.target;
    if (box.checked) {
      const noteId = uid('n');
      const note = h('input', {type: 'text', id: noteId, name: `${name}-note-${box.value}`, placeholder: 'What exactly? (optional)', maxlength: 500, autocomplete: 'off'});
      const row = h('div', {class: 'give-row'}, h('label', {for: noteId}, `${CATEGORY_LABELS[box.value]} —`), note);
      if (withPromise) {
        const pid = uid('p');
        const did = uid('d');
        const promised = h('input', {type: 'checkbox', id: pid, name: `${name}-promised-${box.value}`});
        const due = h('input', {type: 'date', id: did, name: `${name}-due-${box.value}`, hidden: true});
        const dueLabel = h('label', {for: did, hidden: true}, 'due');
        promised.addEventListener('change', () => { due.hidden = dueLabel.hidden = !promised.checked; });
        row.append(h('span', {class: 'promise'}, promised, h('label', {for: pid}, 'Promised, not done yet'), dueLabel, due));
      }
      rows.set(box.value, row);
      details.append(row);
    } else {
      const row = rows.get(box.value);
      if (row) row.remove();
      rows.delete(box.value);
    }
  });
  const fieldset = h('fieldset', {class: 'log-block'}, h('legend', null, title), chips, details);
  fieldset.read = () => [...chips.querySelectorAll('input:checked')].map((box) => {
    const row = rows.get(box.value);
    const item = {category: box.value, note: row ? row.querySelector('input[type=text]').value.trim() : ''};
    const promised = row && row.querySelector('input[type=checkbox]');
    if (promised && promised.checked) {
      item.promised = true;
      const due = row.querySelector('input[type=date]').value;
      if (due) item.due_on = due;
    }
    return item;
  });
  return fieldset;
}

/** Who was there: chosen people as removable chips, the meeting's open questions, and search.
 * `onChange(people)` hears every change of who is chosen. */
function PeoplePicker(initial, prompts, onChange) {
  const chosen = new Map(initial.map((c) => [String(c.id), c]));
  const box = h('div', {class: 'picked'});
  const search = h('input', {type: 'search', id: 'log-people', placeholder: 'Add someone…', autocomplete: 'off', role: 'combobox', 'aria-expanded': 'false', 'aria-controls': 'log-people-list', 'aria-autocomplete': 'list'});
  const list = h('ul', {id: 'log-people-list', class: 'suggestions', role: 'listbox', 'aria-label': 'Matching people', hidden: true});
  let timer = 0;

  function render() {
    const guesses = [...chosen.values()].filter((c) => c.guessed).map((c) => c.name);
    replace(box, [...chosen.values()].map((c) => h('button', {type: 'button', class: 'chip person-chip', 'aria-label': `Remove ${c.name}`, 'data-id': c.id, onClick: () => { chosen.delete(String(c.id)); render(); }},
      avatar(c.name, 'small'), h('span', null, c.name), icon('x'))),
    guesses.length ? h('p', {class: 'hint', 'data-testid': 'guessed'}, `Was it ${guesses.join(', ')}? Guessed from the meeting — remove if not.`) : null);
    onChange([...chosen.values()]);
  }

  function showMatches(items) {
    const left = items.filter((c) => !chosen.has(String(c.id))).slice(0, 6);
    replace(list, left.map((c) => h('li', {role: 'option'}, h('button', {type: 'button', class: 'suggestion', onClick: () => {
      chosen.set(String(c.id), c);
      search.value = '';
      list.hidden = true;
      search.setAttribute('aria-expanded', 'false');
      render();
      search.focus();
    }}, avatar(c.name, 'small'), h('span', null, c.name)))));
    list.hidden = !left.length;
    search.setAttribute('aria-expanded', String(!list.hidden));
  }

  search.addEventListener('input', () => {
    clearTimeout(timer);
    const q = search.value.trim();
    if (!q) { list.hidden = true; return; }
    timer = setTimeout(async () => {
      try {
        const data = await api.get(`/api/contacts${qs({q, per_page: 8})}`);
        showMatches(data.items);
      } catch (err) {
        // No network: search the people index this phone keeps.
        showMatches(matchPeople(await keptPeople(), q));
      }
    }, 120);
  });
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      const first = list.querySelector('button');
      if (first && !list.hidden) first.click();
    }
    if (e.key === 'Escape') { list.hidden = true; search.setAttribute('aria-expanded', 'false'); }
  });
  render();
  const fieldset = h('fieldset', {class: 'log-block'}, h('legend', null, 'With'), box, prompts,
    h('div', {class: 'picker'}, h('label', {for: 'log-people', class: 'visually-hidden'}, 'Add a person'), search, list));
  fieldset.read = () => [...chosen.values()];
  fieldset.add = (person) => { chosen.set(String(person.id), {id: person.id, name: person.name}); render(); };
  // A guess the user turned down on the prompt leaves the entry too.
  fieldset.dropGuess = (id) => {
    const c = chosen.get(String(id));
    if (c && c.guessed) { chosen.delete(String(id)); render(); }
  };
  return fieldset;
}

/** A person by id: from memory, the server, or the copy kept with their card (offline). */
async function findContact(id) {
  const key = `/api/contacts/${encodeURIComponent(id)}`;
  if (recall(key)) return recall(key);
  try {
    const c = await api.get(key);
    remember(key, c);
    return c;
  } catch {
    try {
      return (await api.get(`${key}/timeline`)).contact;
    } catch {
      // Offline and this card was never opened here: the people index knows the name.
      return (await keptPeople()).find((p) => String(p.id) === String(id)) || null;
    }
  }
}

function localDateTimeValue(d) {
  return isoLocal(d).slice(0, 16);
}

export async function mountLog(view, {query, app}) {
  const meetingId = query.get('meeting');
  const contactIds = query.getAll('contact');
  let meeting = null; // or undefined: not readable now
  const people = [];
  if (meetingId) {
    meeting = await findMeeting(meetingId);
    if (meeting) people.push(...meetingPeople(meeting));
  }
  for (const id of contactIds) {
    const c = await findContact(id);
    if (c && !people.some((p) => String(p.id) === String(c.id))) people.push(c);
  }
  // Offline with no copy of the meeting: the reminder's meeting id is still linked on sync.
  const unread = meetingId && meeting === undefined && /^\d+$/.test(meetingId);
  const linkedMeeting = meeting ? meeting.id : (unread ? Number(meetingId) : null);

  // A confirmed or newly added attendee joins the entry being written.
  const prompts = meeting ? AttendeePrompts(meeting, {app, onLinked: (person) => picker.add(person), onDismissed: (id) => picker.dropGuess(id)}) : null;
  // With several people, whose win it is; with one, it is theirs.
  const winWho = h('select', {id: 'log-win-who', name: 'win_contact', 'aria-label': 'Whose win'});
  const showWinWho = (chosen) => {
    const was = winWho.value;
    replace(winWho, chosen.map((c) => h('option', {value: String(c.id)}, c.name)));
    if (chosen.some((c) => String(c.id) === was)) winWho.value = was;
    winWho.hidden = chosen.length < 2;
  };
  const picker = PeoplePicker(people, prompts, showWinWho);
  const kindDefault = meeting ? meetingKind(meeting) : 'in_person';
  const kind = h('fieldset', {class: 'log-block'}, h('legend', null, 'How'),
    h('div', {class: 'chips', role: 'radiogroup', 'aria-label': 'How you met'}, KINDS.map(([v, t]) => chip('radio', 'kind', v, t, v === kindDefault, 'small'))));
  const gave = GiveTake('I gave', 'gave', true);
  const got = GiveTake('I got', 'received', false);
  const challenge = h('input', {type: 'text', id: 'log-challenge', name: 'challenge', maxlength: 500, placeholder: 'e.g. hiring a CTO, father in hospital', autocomplete: 'off'});
  const winText = h('input', {type: 'text', id: 'log-win', name: 'win', maxlength: 500, placeholder: 'e.g. promoted, closed a round', autocomplete: 'off'});
  const winBig = h('input', {type: 'checkbox', id: 'log-win-big', name: 'win_big'});
  const follow = h('fieldset', {class: 'log-block'}, h('legend', null, 'Follow up in'),
    h('div', {class: 'chips', role: 'radiogroup', 'aria-label': 'Follow up in'}, FOLLOW_UPS.map(([v, t]) => chip('radio', 'follow', v, t, v === '', 'small'))));
  const when = h('input', {type: 'datetime-local', id: 'log-when', name: 'occurred_at', value: localDateTimeValue(meeting && meeting.start ? new Date(meeting.start) : new Date())});
  const notes = h('textarea', {id: 'log-notes', name: 'notes', rows: 3, placeholder: 'Anything else worth remembering'});
  const error = h('p', {class: 'form-error', role: 'alert', hidden: true});
  const save = h('button', {type: 'submit', class: 'button primary block big', 'data-testid': 'save-log'}, icon('check'), 'Save');

  const form = h('form', {class: 'log-form', novalidate: true},
    error, picker, kind, gave, got,
    h('div', {class: 'field log-block'}, h('label', {for: 'log-challenge'}, 'On their mind (their challenge)'), challenge),
    h('div', {class: 'field log-block'}, h('label', {for: 'log-win'}, 'Their win'),
      h('div', {class: 'inline-form'}, winWho, winText, h('span', {class: 'promise'}, winBig, h('label', {for: 'log-win-big'}, 'Big one')))),
    follow,
    h('details', {class: 'log-more'}, h('summary', null, 'When and notes'),
      h('div', {class: 'field'}, h('label', {for: 'log-when'}, 'When'), when),
      h('div', {class: 'field'}, h('label', {for: 'log-notes'}, 'Notes'), notes)),
    h('div', {class: 'sticky-actions'}, save));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    const who = picker.read();
    if (!who.length) {
      error.textContent = 'Who was it with? Add at least one person.';
      error.hidden = false;
      form.querySelector('#log-people').focus();
      return;
    }
    const when_ = when.value ? new Date(when.value) : new Date();
    const body = {
      occurred_at: isoLocal(Number.isNaN(when_.getTime()) ? new Date() : when_),
      kind: form.querySelector('input[name=kind]:checked').value,
      contact_ids: who.map((c) => Number(c.id)),
      gave: gave.read(),
      received: got.read(),
      notes: notes.value.trim(),
      challenge: challenge.value.trim(),
      follow_up_on: followUpDate(form.querySelector('input[name=follow]:checked').value),
      // Whose win (the chosen one, or the only person), congratulated by a "congrats" given here.
      win: winText.value.trim() ? {text: winText.value.trim(), big: winBig.checked, contact_id: Number(winWho.value || who[0].id)} : null,
    };
    if (linkedMeeting !== null) body.meeting_id = linkedMeeting;
    const id = uuid();
    save.disabled = true;
    try {
      await self.RapportOutbox.put({id, body, label: who.map((c) => c.name).join(', ')});
    } catch (err) {
      save.disabled = false;
      error.textContent = 'This phone could not keep the entry. Please try again.';
      error.hidden = false;
      return;
    }
    await app.syncNow({quiet: true});
    const row = (await self.RapportOutbox.all()).find((r) => r.id === id);
    if (row && row.error && row.error.permanent) {
      await self.RapportOutbox.remove(id);
      save.disabled = false;
      error.textContent = row.error.message;
      error.hidden = false;
      return;
    }
    invalidate('/api/');
    if (row) {
      app.scheduleBackgroundSync();
      if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
      app.toast('Saved on this phone — it will sync when you are back online.');
    } else {
      app.toast(`Logged with ${who.map((c) => c.name).join(', ')}.`);
    }
    app.navigate(contactIds.length === 1 && who.length === 1 ? `/people/${who[0].id}` : '/', {replace: true});
  });

  append(view, [
    h('header', {class: 'top'},
      h('a', {href: contactIds.length === 1 ? `/people/${contactIds[0]}` : '/', class: 'icon-button', 'aria-label': 'Cancel'}, icon('x')),
      h('h1', null, 'Log')),
    meeting ? h('p', {class: 'meeting-line'}, h('strong', null, meeting.title || 'Meeting'), ` · ${fmtDay(meeting.start)} ${fmtTime(meeting.start)}`) : null,
    !meeting && linkedMeeting !== null ? h('p', {class: 'meeting-line'}, 'This meeting is not on this phone yet — add who it was with; it is linked when it syncs.') : null,
    form]);
}

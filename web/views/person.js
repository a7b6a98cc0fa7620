// Person: the card (balance, keep-in-touch, call / message / e-mail), open threads, timeline;
// and the add / edit form.
import {h, append, replace, avatar, icon, empty, label, fmtDate, ago, field, showErrors, isoDate} from '../lib/dom.js';
import {api, ApiError} from '../lib/api.js';
import {load, invalidate, remember} from '../lib/store.js';
import {KINDS} from './people.js';
import {CATEGORY_LABELS, act, ChallengeRow, FollowUpRow, PromiseRow, WinRow} from './threads.js';
const KIND_LABELS = {in_person: 'In person', call: 'Call', video: 'Video', message: 'Message', event: 'Event'};

function itemsOf(data) {
  if (!data) return [];
  return Array.isArray(data) ? data : (data.items || []);
}

/** "--07-14" or "1984-07-14" → "14 Jul" (+ age when the year is known). */
export function birthdayText(birthday) {
  if (!birthday) return '';
  const m = /^(\d{4}|-)-(\d{2})-(\d{2})$/.exec(birthday);
  if (!m) return birthday;
  const d = new Date(2000, Number(m[2]) - 1, Number(m[3]));
  const text = new Intl.DateTimeFormat(undefined, {day: 'numeric', month: 'long'}).format(d);
  return m[1] === '-' ? text : `${text} ${m[1]}`;
}

function Balance(stats) {
  const gave = stats.gave || 0;
  const got = stats.received || 0;
  const total = Math.max(gave + got, 1);
  const balance = stats.balance ?? gave - got;
  const verdict = balance > 0 ? `You are ${balance} ahead — generous.` : balance < 0 ? `You owe ${-balance} — give next.` : (gave ? 'Even — nicely balanced.' : 'Nothing given or received yet.');
  return h('section', {class: 'card-section balance', 'aria-label': 'Give and take, last 12 months'},
    h('h2', null, 'Give & take'),
    h('div', {class: 'balance-bar', role: 'img', 'aria-label': `Gave ${gave}, received ${got}`},
      h('span', {class: 'gave', style: `flex-grow:${gave / total || 0}`}),
      h('span', {class: 'got', style: `flex-grow:${got / total || 0}`})),
    h('div', {class: 'balance-figures'},
      h('span', null, h('strong', {'data-testid': 'gave-count'}, String(gave)), ' gave'),
      h('span', {class: 'verdict', 'data-testid': 'balance'}, verdict),
      h('span', null, h('strong', {'data-testid': 'got-count'}, String(got)), ' got')),
    h('p', {class: 'hint'}, 'Over the last 12 months.'));
}

function KeepInTouch(contact, nextBirthday) {
  const s = contact.stats || {};
  const rows = [
    ['Last contact', s.last_interaction_at ? ago(s.last_interaction_at) : 'never'],
    ['Last face time', s.last_in_person_at ? ago(s.last_in_person_at) : 'never'],
    contact.face_time_days ? ['See in person', `every ${contact.face_time_days} days`] : null,
    ['Next due', s.next_due_on ? (s.overdue_days > 0 ? `${s.overdue_days} days overdue` : fmtDate(s.next_due_on)) : (contact.cadence_days ? '' : 'no cadence')],
    contact.birthday ? ['Birthday', birthdayText(contact.birthday)
      + (nextBirthday && nextBirthday.days_until <= 30 ? ` (${nextBirthday.days_until === 0 ? 'today' : `in ${nextBirthday.days_until} days`}${nextBirthday.age ? `, turns ${nextBirthday.age}` : ''})` : '')] : null,
  ].filter((r) => r && r[1]);
  return h('section', {class: 'card-section'}, h('h2', null, 'Keep in touch'),
    h('dl', {class: 'facts'}, rows.map(([k, v]) => [h('dt', null, k), h('dd', {class: k === 'Next due' && s.overdue_days > 0 ? 'warn-text' : null}, v)])));
}

function Timeline(items) {
  if (!items.length) return h('section', {class: 'card-section'}, h('h2', null, 'Timeline'), empty('No interactions logged yet.'));
  return h('section', {class: 'card-section'}, h('h2', null, 'Timeline'), h('ol', {class: 'timeline'}, items.map((it) => {
    const gave = (it.gave || []).map((g) => CATEGORY_LABELS[g.category] || g.category);
    const got = (it.received || []).map((g) => CATEGORY_LABELS[g.category] || g.category);
    return h('li', null,
      h('p', {class: 'row-title'}, `${KIND_LABELS[it.kind] || label(it.kind)} · ${fmtDate(it.occurred_at)}`),
      gave.length ? h('p', {class: 'row-sub'}, h('span', {class: 'tag gave'}, 'Gave'), ' ', gave.join(', ')) : null,
      got.length ? h('p', {class: 'row-sub'}, h('span', {class: 'tag got'}, 'Got'), ' ', got.join(', ')) : null,
      it.challenge ? h('p', {class: 'row-sub'}, `On their mind: ${it.challenge}`) : null,
      it.notes ? h('p', {class: 'row-sub notes'}, it.notes) : null);
  })));
}

export async function mountPerson(view, {params, app}) {
  const id = params[0];
  const path = `/api/contacts/${id}/timeline`;
  const ctx = {app, changed: () => load(path, render).catch((err) => app.toast(err.message))};
  let addWin = null; // kept across re-renders, so a refresh never wipes what is being typed

  function render(data) {
    const c = data.contact;
    remember(`/api/contacts/${c.id}`, c);
    const sub = [c.title, c.company].filter(Boolean).join(' at ');
    const phone = (c.phones || [])[0];
    const email = (c.emails || [])[0];
    const tel = phone ? phone.replace(/[^\d+]/g, '') : '';
    const wins = data.wins || [];
    // A refresh moves the kept form: whoever is typing in it keeps the focus (and their keys).
    const typing = addWin && addWin.contains(document.activeElement) ? document.activeElement : null;
    replace(view,
      h('header', {class: 'top'},
        h('a', {href: '/people', class: 'icon-button', 'aria-label': 'Back to people'}, icon('back')),
        h('span', {class: 'spacer'}),
        h('a', {href: `/people/${c.id}/edit`, class: 'icon-button', 'aria-label': `Edit ${c.name}`}, icon('edit'))),
      h('div', {class: 'person-head'}, avatar(c.name, 'large', c.photo_url),
        h('h1', null, c.name),
        sub ? h('p', {class: 'row-sub'}, sub) : null,
        h('p', {class: 'chips static'}, h('span', {class: 'badge'}, label(c.kind)), (c.tags || []).map((t) => h('span', {class: 'badge'}, `#${t}`)))),
      h('nav', {class: 'quick-actions', 'aria-label': 'Contact'},
        h('a', {class: 'qa primary', href: `/log?contact=${c.id}`}, icon('plus'), 'Log'),
        tel ? h('a', {class: 'qa', href: `tel:${tel}`}, icon('phone'), 'Call') : null,
        tel ? h('a', {class: 'qa', href: `sms:${tel}`}, icon('message'), 'Message') : null,
        email ? h('a', {class: 'qa', href: `mailto:${email}`}, icon('mail'), 'E-mail') : null),
      Balance(c.stats || {}),
      KeepInTouch(c, data.next_birthday),
      sectionOf('On their mind', (data.challenges || []).map((ch) => ChallengeRow(ch, ctx)), null, 'challenges'),
      sectionOf(wins.length ? 'Wins to congratulate' : 'Their wins', wins.map((w) => WinRow(w, ctx)), addWin || (addWin = AddWin(c, ctx)), 'wins'),
      sectionOf('Promises you made', (data.promises || []).map((p) => PromiseRow(p, ctx)), null, 'promises'),
      sectionOf('Follow-ups', (data.follow_ups || []).map((f) => FollowUpRow(f, ctx)), null, 'follow-ups'),
      Timeline(itemsOf(data.interactions)),
      c.how_met || c.notes ? h('section', {class: 'card-section'}, h('h2', null, 'Notes'),
        c.how_met ? h('p', null, h('strong', null, 'How you met: '), c.how_met) : null,
        c.notes ? h('p', {class: 'notes'}, c.notes) : null) : null);
    if (typing) typing.focus();
  }

  await load(path, render);
}

/** "Add a win": what happened and when (today unless told otherwise). */
function AddWin(c, ctx) {
  const text = h('input', {type: 'text', id: 'new-win', name: 'text', placeholder: 'e.g. Promoted to VP', maxlength: 500, autocomplete: 'off'});
  const when = h('input', {type: 'date', id: 'new-win-on', name: 'happened_on', value: isoDate(new Date()), max: isoDate(new Date())});
  const big = h('input', {type: 'checkbox', id: 'new-win-big', name: 'big'});
  const submit = h('button', {type: 'submit', class: 'button small primary'}, 'Add win');
  const form = h('form', {class: 'add-win', 'aria-label': 'Add a win'},
    h('div', {class: 'field'}, h('label', {for: 'new-win'}, `A win of ${c.name}'s`), text),
    h('div', {class: 'inline-form'}, h('label', {for: 'new-win-on', class: 'visually-hidden'}, 'When it happened'), when,
      h('span', {class: 'promise'}, big, h('label', {for: 'new-win-big'}, 'Big one')), submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!text.value.trim()) { text.focus(); return; }
    const body = {text: text.value.trim(), happened_on: when.value || isoDate(new Date()), big: big.checked};
    if (await act(ctx, submit, () => api.post(`/api/contacts/${c.id}/wins`, body), 'Win noted — congratulate them!')) {
      text.value = '';
      when.value = isoDate(new Date());
      big.checked = false;
    }
  });
  return form;
}

function sectionOf(title, rows, extra, testid) {
  if (!rows.length && !extra) return null;
  return h('section', {class: 'card-section', 'data-testid': testid}, h('h2', null, title), rows.length ? h('ul', {class: 'rows'}, rows) : null, extra || null);
}

function splitList(text) {
  return text.split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
}

const MONTHS = Array.from({length: 12}, (_, i) => new Intl.DateTimeFormat(undefined, {month: 'long'}).format(new Date(2000, i, 1)));

/** Add a person (/people/new) or edit one (/people/<id>/edit). */
export async function mountPersonForm(view, {params, app}) {
  const id = params[0];
  const c = id ? await api.get(`/api/contacts/${id}`) : {kind: 'peer', emails: [], phones: [], tags: []};
  const bm = /^(\d{4}|-)-(\d{2})-(\d{2})$/.exec(c.birthday || '');
  const input = (name, value, attrs = {}) => h('input', {type: 'text', name, value: value || '', ...attrs});
  const name = input('name', c.name, {required: true, autocomplete: 'off', maxlength: 200});
  const emails = input('emails', (c.emails || []).join(', '), {type: 'text', inputmode: 'email', autocomplete: 'off'});
  const phones = input('phones', (c.phones || []).join(', '), {type: 'text', inputmode: 'tel', autocomplete: 'off'});
  const company = input('company', c.company, {maxlength: 200});
  const title = input('title', c.title, {maxlength: 200});
  const kind = h('select', {name: 'kind'}, KINDS.map((k) => h('option', {value: k, selected: c.kind === k}, label(k))));
  const tags = input('tags', (c.tags || []).join(', '));
  const cadence = h('input', {type: 'number', name: 'cadence_days', min: 1, max: 3650, inputmode: 'numeric', value: c.cadence_days || '', placeholder: 'default for the kind'});
  const faceTime = h('input', {type: 'number', name: 'face_time_days', min: 1, max: 3650, inputmode: 'numeric', value: c.face_time_days || '', placeholder: 'no in-person cadence'});
  const bday = h('select', {name: 'birthday_day', 'aria-label': 'Birthday day'}, h('option', {value: ''}, 'Day'), Array.from({length: 31}, (_, i) => h('option', {value: i + 1, selected: bm && Number(bm[3]) === i + 1}, String(i + 1))));
  const bmonth = h('select', {name: 'birthday_month', 'aria-label': 'Birthday month'}, h('option', {value: ''}, 'Month'), MONTHS.map((m, i) => h('option', {value: i + 1, selected: bm && Number(bm[2]) === i + 1}, m)));
  const byear = h('input', {type: 'number', name: 'birthday_year', 'aria-label': 'Birthday year (optional)', placeholder: 'Year', min: 1800, max: new Date().getFullYear(), inputmode: 'numeric', value: bm && bm[1] !== '-' ? bm[1] : ''});
  const howMet = input('how_met', c.how_met, {maxlength: 500});
  const notes = h('textarea', {name: 'notes', rows: 4}, c.notes || '');
  const submit = h('button', {type: 'submit', class: 'button primary block'}, id ? 'Save changes' : 'Add person');
  const birthdayField = h('fieldset', {class: 'field birthday'}, h('legend', null, 'Birthday'),
    h('div', {class: 'row3'}, bday, bmonth, byear), h('p', {class: 'hint'}, 'Leave the year empty if you do not know it.'),
    h('p', {class: 'error', id: 'birthday-error', hidden: true}));
  const birthdayProxy = h('input', {type: 'hidden', name: 'birthday', id: 'birthday'});
  const form = h('form', {class: 'stack', novalidate: true},
    h('p', {class: 'form-error', role: 'alert', hidden: true}),
    field('Name', name), field('E-mail', emails, 'Separate several with commas.'), field('Phone', phones),
    field('Company', company), field('Job title', title), field('Relationship', kind),
    field('Keep in touch every … days', cadence),
    field('See in person every … days', faceTime, 'e.g. lunch every 90 days, on top of the cadence above.'), birthdayField, birthdayProxy,
    field('Tags', tags, 'Comma separated, e.g. design, london'), field('How you met', howMet), field('Notes', notes),
    h('div', {class: 'sticky-actions'}, submit));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const out = form.querySelector('.form-error');
    out.hidden = true;
    if (!name.value.trim()) { showErrors(form, {name: ['Please enter a name.']}); return; }
    let birthday = null;
    if (bday.value && bmonth.value) {
      const pad = (n) => String(n).padStart(2, '0');
      birthday = `${byear.value ? String(byear.value).padStart(4, '0') : '-'}-${pad(bmonth.value)}-${pad(bday.value)}`;
    }
    const body = {
      name: name.value.trim(), emails: splitList(emails.value), phones: splitList(phones.value),
      company: company.value.trim(), title: title.value.trim(), kind: kind.value, tags: splitList(tags.value),
      cadence_days: cadence.value ? Number(cadence.value) : null,
      face_time_days: faceTime.value ? Number(faceTime.value) : null, birthday, how_met: howMet.value.trim(), notes: notes.value,
    };
    submit.disabled = true;
    try {
      const saved = id ? await api.patch(`/api/contacts/${id}`, body) : await api.post('/api/contacts', body);
      invalidate('/api/contacts', 'people:', '/api/today');
      app.toast(id ? 'Saved.' : `${saved.name} added.`);
      app.navigate(`/people/${saved.id}`, {replace: true});
    } catch (err) {
      const fieldErrors = err instanceof ApiError && err.errors && showErrors(form, err.errors);
      out.textContent = fieldErrors ? 'Please check the highlighted fields.' : err.message;
      out.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });

  const del = id ? h('button', {type: 'button', class: 'button danger ghost block'}, 'Delete this person') : null;
  if (del) del.addEventListener('click', async () => {
    if (!confirm(`Delete ${c.name} and everything logged only with them?`)) return;
    try {
      await api.del(`/api/contacts/${id}`);
      invalidate('/api/');
      app.toast(`${c.name} deleted.`);
      app.navigate('/people', {replace: true});
    } catch (err) { app.toast(err.message); }
  });

  append(view, [h('header', {class: 'top'},
    h('a', {href: id ? `/people/${id}` : '/people', class: 'icon-button', 'aria-label': 'Cancel'}, icon('back')),
    h('h1', null, id ? `Edit ${c.name}` : 'Add a person')), form, del]);
  name.focus();
}

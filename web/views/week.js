// The weekly look-back (the digest push opens it): what went well, who to give to and why.
import {h, replace, fmtDate, empty} from '../lib/dom.js';
import {load} from '../lib/store.js';

const WHY = {promise: 'Owed a promise', win: 'A win to congratulate', challenge: 'A challenge to ask about',
  birthday: 'A birthday this week', drifting: 'Drifting past their rhythm', balance: 'You got more than you gave'};

function GiveTo(item) {
  const who = item.contact;
  return h('li', {class: 'week-item', 'data-reason': item.reason},
    h('span', {class: 'why'}, WHY[item.reason] || ''),
    h('span', {class: 'row-title'}, item.text),
    h('div', {class: 'button-row'},
      h('a', {class: 'button small primary', href: `/log?contact=${encodeURIComponent(who.id)}`, 'aria-label': `Log a conversation with ${who.name}`}, 'Log'),
      item.message_url ? h('a', {class: 'button small', href: item.message_url, 'aria-label': `Message ${who.name}`}, 'Message') : null));
}

export async function mountWeek(view) {
  const body = h('div', {class: 'week'});
  view.append(h('header', {class: 'top'}, h('h1', null, 'Your week')), body);
  await load('/api/week', (data) => replace(body,
    h('p', {class: 'lede'}, `${fmtDate(data.from)} – ${fmtDate(data.to)}`),
    h('section', {class: 'card-section', 'data-testid': 'went-well', 'aria-labelledby': 'week-well'},
      h('h2', {id: 'week-well'}, 'What went well'),
      data.went_well.length ? h('ul', {class: 'week-list'}, data.went_well.map((line) => h('li', null, line)))
        : h('p', {class: 'hint'}, 'Nothing logged this week yet. One conversation noted today starts the streak.')),
    h('section', {class: 'card-section', 'data-testid': 'give-to', 'aria-labelledby': 'week-give'},
      h('h2', {id: 'week-give'}, 'Who to give to next'),
      data.give_to.length ? h('ul', {class: 'week-list'}, data.give_to.map(GiveTo))
        : empty('Nobody is waiting on you. A good week to reach out to someone new.'))));
}

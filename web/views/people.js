// People: instant search, filters by kind / tag / overdue, a list that grows as you scroll.
import {h, replace, avatar, icon, empty, label} from '../lib/dom.js';
import {api, qs} from '../lib/api.js';
import {recall, remember} from '../lib/store.js';

export const KINDS = ['mentor', 'mentee', 'peer', 'client', 'friend', 'other'];
const PER_PAGE = 50;
const ROW_HEIGHT = '4.25rem'; // a row's usual height, so skipped rows still size the scroll bar

/** A row of the long list: the browser skips style and layout for it while it is off screen. */
function ListRow(contact) {
  const row = PersonRow(contact);
  row.style.contentVisibility = 'auto';
  row.style.containIntrinsicSize = `auto ${ROW_HEIGHT}`;
  return row;
}

/** One row of the people list. */
export function PersonRow(contact) {
  const stats = contact.stats || {};
  const sub = [contact.title, contact.company].filter(Boolean).join(' · ') || label(contact.kind || '');
  const badges = [];
  if (stats.overdue_days > 0) badges.push(h('span', {class: 'badge warn'}, `${stats.overdue_days} d overdue`));
  if (stats.balance < 0) badges.push(h('span', {class: 'badge owe', title: 'You have received more than you gave'}, 'Give next'));
  return h('li', {class: 'person-row'},
    h('a', {href: `/people/${contact.id}`, class: 'row-link'},
      avatar(contact.name, '', contact.photo_url),
      h('span', {class: 'row-main'}, h('span', {class: 'row-title'}, contact.name), h('span', {class: 'row-sub'}, sub)),
      badges.length ? h('span', {class: 'row-badges'}, badges) : null));
}

/** Filter contacts already on the phone, for search while offline. */
function localMatches(items, q) {
  const needle = q.trim().toLowerCase();
  if (!needle) return items;
  return items.filter((c) => [c.name, c.company, c.title, ...(c.emails || []), ...(c.tags || [])]
    .some((v) => String(v || '').toLowerCase().includes(needle)));
}

export async function mountPeople(view, {query, app}) {
  const filters = {q: query.get('q') || '', kind: query.get('kind') || '', tag: query.get('tag') || '', overdue: query.get('overdue') === '1'};
  const search = h('input', {type: 'search', id: 'people-search', name: 'q', value: filters.q, placeholder: 'Search name, company, e-mail, tag', autocomplete: 'off', enterkeyhint: 'search'});
  const kindSelect = h('select', {id: 'people-kind', name: 'kind'},
    h('option', {value: ''}, 'Everyone'), KINDS.map((k) => h('option', {value: k, selected: filters.kind === k}, `${label(k)}s`)));
  const overdueBtn = h('button', {type: 'button', class: 'chip', 'aria-pressed': String(filters.overdue)}, 'Overdue');
  const tagRow = h('div', {class: 'chips tags', role: 'group', 'aria-label': 'Tags'});
  const count = h('p', {class: 'count', 'aria-live': 'polite'});
  let list = h('ul', {class: 'rows people-list', 'aria-label': 'People'});
  const more = h('button', {type: 'button', class: 'button ghost block', hidden: true}, 'Show more');
  const sentinel = h('div', {class: 'sentinel', 'aria-hidden': 'true'});

  view.append(
    h('header', {class: 'top'}, h('h1', null, 'People'),
      h('a', {href: '/people/new', class: 'button primary small'}, icon('plus'), 'Add')),
    h('form', {class: 'search', role: 'search', onSubmit: (e) => { e.preventDefault(); search.blur(); }},
      h('label', {for: 'people-search', class: 'visually-hidden'}, 'Search people'), icon('search'), search),
    h('div', {class: 'filters'},
      h('label', {for: 'people-kind', class: 'visually-hidden'}, 'Relationship'), kindSelect, overdueBtn),
    tagRow, count, list, more, sentinel);

  let page = 1;
  let total = 0;
  let controller = null;
  let timer = 0;

  function syncUrl() {
    const url = `/people${qs({q: filters.q, kind: filters.kind, tag: filters.tag, overdue: filters.overdue ? '1' : ''})}`;
    history.replaceState(null, '', url);
  }

  function show(items, append) {
    if (!append) {
      // A fresh list swapped in: the old rows leave detached, without a relayout per row.
      const fresh = list.cloneNode(false);
      list.replaceWith(fresh);
      list = fresh;
    }
    list.append(...items.map(ListRow));
    const shown = list.children.length;
    more.hidden = shown >= total;
    if (!total) {
      replace(count, '');
      const filtered = filters.q || filters.kind || filters.tag || filters.overdue;
      list.append(h('li', null, filtered
        ? empty('Nobody matches. Try another spelling or clear the filters.')
        : empty('No people yet. Add the first person you want to keep in touch with, or import your phone’s contacts in Settings.',
          h('a', {href: '/people/new', class: 'button primary'}, 'Add a person'))));
    } else {
      replace(count, total === 1 ? '1 person' : `${total} people`);
    }
  }

  async function load(append = false) {
    if (controller) controller.abort();
    controller = new AbortController();
    const path = `/api/contacts${qs({q: filters.q, kind: filters.kind, tag: filters.tag, overdue: filters.overdue ? 'true' : '', page, per_page: PER_PAGE})}`;
    const seen = recall(path);
    if (seen && !append) { total = seen.total; show(seen.items, false); }
    try {
      const data = await api.get(path, {signal: controller.signal});
      remember(path, data);
      if (page === 1 && !filters.q && !filters.kind && !filters.tag && !filters.overdue) remember('people:all', data);
      total = data.total;
      show(data.items, append);
    } catch (err) {
      if (err.name === 'AbortError') return;
      if (err.offline) {
        const all = recall('people:all');
        if (all) {
          const items = localMatches(all.items, filters.q).filter((c) => (!filters.kind || c.kind === filters.kind) && (!filters.tag || (c.tags || []).includes(filters.tag)));
          total = items.length;
          show(items, false);
          return;
        }
      }
      replace(list, h('li', null, empty(err.message)));
    }
  }

  function reload() {
    page = 1;
    syncUrl();
    load(false);
  }

  search.addEventListener('input', () => {
    filters.q = search.value;
    clearTimeout(timer);
    timer = setTimeout(reload, 120);
  });
  kindSelect.addEventListener('change', () => { filters.kind = kindSelect.value; reload(); });
  overdueBtn.addEventListener('click', () => {
    filters.overdue = !filters.overdue;
    overdueBtn.setAttribute('aria-pressed', String(filters.overdue));
    reload();
  });
  more.addEventListener('click', () => { page += 1; load(true); });

  // Tags the user has, as one-tap filters (taken from the first page of everyone).
  function renderTags(items) {
    const tags = [...new Set(items.flatMap((c) => c.tags || []))].sort().slice(0, 12);
    if (filters.tag && !tags.includes(filters.tag)) tags.unshift(filters.tag);
    replace(tagRow, tags.map((t) => {
      const btn = h('button', {type: 'button', class: 'chip small', 'aria-pressed': String(filters.tag === t)}, `#${t}`);
      btn.addEventListener('click', () => {
        filters.tag = filters.tag === t ? '' : t;
        for (const b of tagRow.children) b.setAttribute('aria-pressed', String(b === btn && Boolean(filters.tag)));
        reload();
      });
      return btn;
    }));
    tagRow.hidden = !tags.length;
  }

  const io = 'IntersectionObserver' in self ? new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && !more.hidden) more.click();
  }) : null;
  if (io) io.observe(sentinel);

  await load(false);
  const all = recall('people:all');
  if (all) renderTags(all.items);
  else api.get(`/api/contacts${qs({per_page: 200})}`).then((d) => renderTags(d.items)).catch(() => { tagRow.hidden = true; });
  if (!filters.q) search.setAttribute('data-ready', '1');
  return () => { if (io) io.disconnect(); clearTimeout(timer); if (controller) controller.abort(); app; };
}

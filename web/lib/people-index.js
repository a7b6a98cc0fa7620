// The compact list of people kept on the phone for search without a network.

/**
 * @typedef {{id: number, name: string, emails: string[], kind: string}} IndexedPerson
 */

/**
 * The few fields offline search needs.
 * @param {{id: number, name: string, emails?: string[], kind?: string}} contact
 * @returns {IndexedPerson}
 */
export function indexEntry(contact) {
  return {id: contact.id, name: contact.name, emails: contact.emails || [], kind: contact.kind || 'other'};
}

/**
 * People whose name or e-mail contains every word typed, names starting with it first.
 * @param {IndexedPerson[]} index
 * @param {string} query
 * @param {number} [limit]
 * @returns {IndexedPerson[]}
 */
export function matchPeople(index, query, limit = 8) {
  const words = String(query || '').toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [];
  const hits = index.filter((p) => {
    const text = [p.name, ...(p.emails || [])].join(' ').toLowerCase();
    return words.every((w) => text.includes(w));
  });
  const starts = (p) => (p.name.toLowerCase().startsWith(words[0]) ? 0 : 1);
  return hits.sort((a, b) => starts(a) - starts(b) || a.name.localeCompare(b.name)).slice(0, limit);
}

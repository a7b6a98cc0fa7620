// Offline search over the compact people index.
import test from 'node:test';
import assert from 'node:assert/strict';
import {indexEntry, matchPeople} from '../../web/lib/people-index.js';

const index = [
  {id: 1, name: 'Tom Baker', emails: ['tom@acme.example'], kind: 'peer'},
  {id: 2, name: 'Anna Tomlin', emails: [], kind: 'mentor'},
  {id: 3, name: 'Raj Patel', emails: ['raj@example.com'], kind: 'client'},
];

test('an index entry keeps only id, name, e-mails and kind', () => {
  assert.deepEqual(indexEntry({id: 4, name: 'Li', emails: ['li@x.example'], kind: 'friend', notes: 'secret', phones: ['1']}),
    {id: 4, name: 'Li', emails: ['li@x.example'], kind: 'friend'});
  assert.deepEqual(indexEntry({id: 5, name: 'Mo'}), {id: 5, name: 'Mo', emails: [], kind: 'other'});
});

test('search matches names and e-mails, names that start with the word first', () => {
  assert.deepEqual(matchPeople(index, 'tom').map((p) => p.id), [1, 2]);
  assert.deepEqual(matchPeople(index, 'RAJ@EX').map((p) => p.id), [3]);
  assert.deepEqual(matchPeople(index, 'tom acme').map((p) => p.id), [1]);
});

test('an empty query finds nobody and the limit holds', () => {
  assert.deepEqual(matchPeople(index, '  '), []);
  assert.equal(matchPeople(index, 'a', 2).length, 2);
});

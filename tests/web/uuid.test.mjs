// Entry ids in any context: randomUUID when present, getRandomValues otherwise.
import test from 'node:test';
import assert from 'node:assert/strict';
import {webcrypto} from 'node:crypto';
import {uuid} from '../../web/lib/uuid.js';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('without randomUUID (plain http) a version 4 UUID comes from getRandomValues', () => {
  const plain = {getRandomValues: (a) => webcrypto.getRandomValues(a)};
  const ids = new Set(Array.from({length: 500}, () => uuid(plain)));
  assert.equal(ids.size, 500);
  for (const id of ids) assert.match(id, V4);
});

test('the version and variant bits are set even from all-ones bytes', () => {
  assert.equal(uuid({getRandomValues: (a) => a.fill(0xff)}), 'ffffffff-ffff-4fff-bfff-ffffffffffff');
  assert.equal(uuid({getRandomValues: (a) => a.fill(0)}), '00000000-0000-4000-8000-000000000000');
});

test('randomUUID is used where the browser has it', () => {
  assert.equal(uuid({randomUUID: () => 'from-browser', getRandomValues: () => { throw new Error('unused'); }}), 'from-browser');
  assert.match(uuid(), V4);
});

// What Today shows as to log or upcoming, and what the log form starts with.
import test from 'node:test';
import assert from 'node:assert/strict';
import {hasEnded, splitMeetings, meetingPeople, meetingKind} from '../../web/lib/meetings.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const past = {id: 1, start: '2026-12-01T10:00:00Z', end: '2026-12-01T11:00:00Z'};
const running = {id: 2, start: '2026-12-01T11:30:00Z', end: '2026-12-01T12:30:00Z'};
const later = {id: 3, start: '2026-12-01T15:00:00Z', end: '2026-12-01T16:00:00Z'};

test('a meeting has ended once its end is reached', () => {
  assert.equal(hasEnded(past, NOW), true);
  assert.equal(hasEnded({...running, end: NOW.toISOString()}, NOW), true);
  assert.equal(hasEnded(running, NOW), false);
});

test('meetings still running or to come are upcoming, each listed once', () => {
  const {toLog, upcoming} = splitMeetings([past, running, later, past], NOW);
  assert.deepEqual(toLog.map((m) => m.id), [1]);
  assert.deepEqual(upcoming.map((m) => m.id), [2, 3]);
});

test('an ended meeting that needs no log is left out; a logged one stays to show it done', () => {
  const skipped = {...past, id: 4, needs_log: false, logged: false};
  const logged = {...past, id: 5, needs_log: false, logged: true};
  const {toLog, upcoming} = splitMeetings([skipped, logged, {...past, needs_log: true}], NOW);
  assert.deepEqual(toLog.map((m) => m.id), [5, 1]);
  assert.deepEqual(upcoming, []);
});

test('linked attendees are picked, and a suggestion is picked as a guess', () => {
  const meeting = {id: 9, start: '', end: '', attendees: [
    {id: 1, contact_id: 5, contact_name: 'Ann Lee', name: 'Ann'},
    {id: 2, contact_id: null, suggested_contact_id: 7, suggested_contact_name: 'Raj Patel', name: 'Raj Patel'},
    {id: 3, contact_id: null, suggested_contact_id: null, email: 'x@example.com'},
    {id: 4, contact_id: 5, contact_name: 'Ann Lee'},
  ]};
  assert.deepEqual(meetingPeople(meeting), [{id: 5, name: 'Ann Lee'}, {id: 7, name: 'Raj Patel', guessed: true}]);
});

test('a video link makes the meeting a video call', () => {
  assert.equal(meetingKind({location: 'https://us02web.zoom.us/j/1'}), 'video');
  assert.equal(meetingKind({location: 'Café Nero'}), 'in_person');
  assert.equal(meetingKind({}), 'in_person');
});

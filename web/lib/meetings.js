// Meeting rules the screens share: has it ended, and what the log form starts from.

const VIDEO = /zoom|meet\.google|teams|webex|whereby|video/i;

/**
 * @typedef {{id: number, contact_id?: number|null, contact_name?: string|null,
 *   suggested_contact_id?: number|null, suggested_contact_name?: string|null,
 *   name?: string, email?: string|null}} Attendee
 * @typedef {{id: number, title?: string, location?: string, start: string, end: string,
 *   logged?: boolean, needs_log?: boolean, attendees?: Attendee[]}} Meeting
 * @typedef {{id: number, name: string, guessed?: boolean}} Pick
 */

/**
 * Whether the meeting is over at now (only then is there something to log).
 * @param {Meeting} meeting
 * @param {Date} now
 * @returns {boolean}
 */
export function hasEnded(meeting, now) {
  const end = new Date(meeting.end || meeting.start);
  return !Number.isNaN(end.getTime()) && end.getTime() <= now.getTime();
}

/**
 * Ended meetings still to log (or just logged, to show it done) and meetings still to come,
 * each once, in the order given. An ended meeting the server says needs no log (set aside as
 * "not worth logging", declined, nobody else there) is left out.
 * @param {Meeting[]} meetings
 * @param {Date} now
 * @returns {{toLog: Meeting[], upcoming: Meeting[]}}
 */
export function splitMeetings(meetings, now) {
  const seen = new Set();
  const toLog = [];
  const upcoming = [];
  for (const m of meetings) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    if (!hasEnded(m, now)) upcoming.push(m);
    else if (m.logged || m.needs_log !== false) toLog.push(m);
  }
  return {toLog, upcoming};
}

/**
 * Who the log form starts with: linked attendees, and the person a suggestion names
 * ("was it Raj?"), marked as a guess.
 * @param {Meeting} meeting
 * @returns {Pick[]}
 */
export function meetingPeople(meeting) {
  const picks = new Map();
  for (const a of meeting.attendees || []) {
    if (a.contact_id) {
      picks.set(a.contact_id, {id: a.contact_id, name: a.contact_name || a.name || a.email || ''});
    } else if (a.suggested_contact_id && !picks.has(a.suggested_contact_id)) {
      picks.set(a.suggested_contact_id, {id: a.suggested_contact_id, name: a.suggested_contact_name || a.name || '', guessed: true});
    }
  }
  return [...picks.values()];
}

/**
 * How the meeting most likely happened, from where it was held.
 * @param {Meeting} meeting
 * @returns {'video'|'in_person'}
 */
export function meetingKind(meeting) {
  return VIDEO.test(meeting.location || '') ? 'video' : 'in_person';
}

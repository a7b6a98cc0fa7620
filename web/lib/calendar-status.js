// What a calendar's sync state says to a person: pure, no DOM.

/** States in which the worker is still on it (the page keeps polling). */
export const BUSY_STATES = ['queued', 'fetching', 'reading'];

const BUSY_TEXT = {
  queued: 'Waiting for its first read…',
  fetching: 'Downloading the calendar…',
  reading: 'Reading the meetings…',
};

/**
 * The one-line status of a calendar from the API.
 * @param {{state?: string, problem?: string|null, last_error?: string|null, last_synced_at?: string|null,
 *          meeting_count?: number, known_count?: number}} c
 * @returns {{text: string, tone: 'busy'|'ok'|'warn'}}
 */
export function calendarStatus(c) {
  if (BUSY_STATES.includes(c.state)) return {text: BUSY_TEXT[c.state], tone: 'busy'};
  if (c.problem && c.last_error) return {text: c.last_error, tone: 'warn'};
  if (!c.last_synced_at) return {text: BUSY_TEXT.queued, tone: 'busy'};
  const found = c.meeting_count || 0;
  const known = c.known_count || 0;
  const meetings = found === 1 ? '1 meeting found' : `${found} meetings found`;
  return {text: `${meetings}, ${known} with people you know.`, tone: 'ok'};
}

/** Where to find the secret ICS link, per provider. */
export const PROVIDER_HELP = [
  ['Google Calendar', 'On a computer: Settings → pick the calendar under “Settings for my calendars” → “Integrate calendar” → copy “Secret address in iCal format”.'],
  ['Outlook / Microsoft 365', 'Outlook on the web: Settings → Calendar → Shared calendars → “Publish a calendar” → choose the calendar and “Can view all details” → Publish → copy the ICS link.'],
  ['iCloud', 'Calendar app on a Mac or icloud.com: share the calendar, tick “Public calendar” and copy the webcal:// link.'],
  ['Fastmail', 'Settings → Calendars → the calendar’s Edit → “Share with the world” / “iCal” → copy the secret iCal link.'],
  ['Nextcloud', 'Calendar app → the “…” menu beside the calendar → “Share link” → copy the subscription (ICS) link.'],
];

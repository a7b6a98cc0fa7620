// Who was in a meeting but is not linked to a person yet: "Is this Tom Baker?" (confirm teaches
// the address) or "Add ann@example.com as a person". Shown on Today and on the log form.
import {h, replace} from '../lib/dom.js';
import {api} from '../lib/api.js';
import {invalidate} from '../lib/store.js';
import {OFFLINE_MESSAGE} from './threads.js';

/**
 * The open questions about a meeting's attendees; re-renders itself from the server's answer.
 * @param {any} meeting as GET /api/meetings/<id> returns it
 * @param {{app: any, onLinked?: (person: {id: number, name: string}) => void,
 *   onDismissed?: (contactId: number) => void, onChange?: (meeting: any) => void}} opts
 * @returns {HTMLElement}
 */
export function AttendeePrompts(meeting, {app, onLinked, onDismissed, onChange}) {
  const box = h('div', {class: 'attendee-prompts'});

  async function send(attendee, action, body) {
    if (!navigator.onLine) {
      app.toast(OFFLINE_MESSAGE);
      return;
    }
    for (const b of box.querySelectorAll('button')) b.disabled = true;
    try {
      const updated = await api.post(`/api/meetings/${meeting.id}/attendees/${attendee.id}/${action}`, body);
      invalidate('/api/');
      const now = (updated.attendees || []).find((a) => a.id === attendee.id);
      if (now && now.contact_id) {
        const person = {id: now.contact_id, name: now.contact_name || now.name || now.email};
        app.toast(action === 'contact' ? `${person.name} added.` : `Linked to ${person.name}.`);
        if (onLinked) onLinked(person);
      } else if (action === 'dismiss') {
        app.toast(`Noted — not ${attendee.suggested_contact_name || 'them'}.`);
        if (onDismissed && attendee.suggested_contact_id) onDismissed(attendee.suggested_contact_id);
      }
      meeting = updated;
      render();
      if (onChange) onChange(updated);
    } catch (err) {
      app.toast(err && err.offline ? OFFLINE_MESSAGE : (err && err.message) || 'That did not work. Please try again.');
      for (const b of box.querySelectorAll('button')) b.disabled = false;
    }
  }

  function button(text, onClick, primary) {
    const btn = h('button', {type: 'button', class: ['button small', primary ? 'primary' : 'ghost']}, text);
    btn.addEventListener('click', () => onClick(btn));
    return btn;
  }

  function render() {
    const rows = [];
    for (const a of meeting.attendees || []) {
      if (a.contact_id) continue;
      const who = a.name || a.email;
      // What the invitation itself says, so the guess can be checked.
      const named = a.name && a.name !== a.suggested_contact_name ? a.name : '';
      const invited = a.from_title ? `Named in “${meeting.title || 'the title'}”` : [named, a.email].filter(Boolean).join(' · ');
      if (a.suggested_contact_id) {
        const question = `Is this ${a.suggested_contact_name || 'one of your people'}?`;
        rows.push(h('div', {class: 'attendee-prompt', role: 'group', 'aria-label': question},
          h('p', {class: 'row-title'}, question), invited ? h('p', {class: 'row-sub'}, `On the invitation: ${invited}`) : null,
          h('div', {class: 'thread-actions'},
            button('Confirm', () => send(a, 'confirm', {}), true),
            button('Dismiss', () => send(a, 'dismiss')))));
      } else if (who && !a.from_title) {
        rows.push(h('div', {class: 'attendee-prompt'},
          button(`Add ${who} as a person`, () => send(a, 'contact', {})),
          a.name && a.email ? h('p', {class: 'row-sub'}, a.email) : null));
      }
    }
    replace(box, rows);
    box.hidden = !rows.length;
  }

  render();
  return box;
}

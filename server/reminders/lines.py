"""Context lines shared by several kinds: what is open with these people, the last time."""

from __future__ import annotations

from ..models import Contact
from ..push.context import last_interaction_text, open_context_line


def contact_context(user_id: int, contact_ids: list[int]) -> str:
    """One line about the people: an open challenge or an open promise, when there is one."""
    if not contact_ids:
        return ""
    return open_context_line(user_id, contact_ids)


def last_interaction_line(user_id: int, contact: Contact) -> str:
    """"Last time: 12 Aug" from the log, or from the contact's stats when nothing is logged."""
    text = last_interaction_text(user_id, contact.id)
    if text:
        return text
    if contact.last_interaction_at is None:
        return ""
    return f"Last time: {contact.last_interaction_at:%-d %b %Y}"


def first_name(name: str) -> str:
    """The first word of a name ("Raj Patel" → "Raj")."""
    return (name.split() or [name])[0]

"""All models; importing this package registers every table on the metadata."""

from . import balances, calendars, interactions, planning, push  # noqa: F401  (feature models register themselves)
from .base import Base, UTCDateTime, utcnow
from .contacts import CONTACT_KINDS, Contact, ContactEmail, ContactTag
from .system import SystemState
from .users import ApiToken, Invite, User, UserSession

__all__ = [
    "CONTACT_KINDS",
    "ApiToken",
    "Base",
    "Contact",
    "ContactEmail",
    "ContactTag",
    "Invite",
    "SystemState",
    "UTCDateTime",
    "User",
    "UserSession",
    "utcnow",
]

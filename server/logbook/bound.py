"""The bound values of the read models' kept statements.

Today, the Person screen and the lapsed lists build each statement once for each shape (a
cap, a page size, a user's cadences) and keep it, then run it with the request's values
under these names: building a statement and deriving its cache key anew cost more than
running it for a small account. A statement takes the names it uses; extra values are
ignored.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BindParameter, Date, Integer, bindparam

from ..models import UTCDateTime

USER_ID = bindparam("user_id", type_=Integer())
CONTACT_ID = bindparam("contact_id", type_=Integer())
TODAY = bindparam("today", type_=Date())
NOW = bindparam("now", type_=UTCDateTime())


def instant(name: str) -> BindParameter[datetime]:
    """A further instant the caller computes (a window's start, a day's end), by name."""
    return bindparam(name, type_=UTCDateTime())

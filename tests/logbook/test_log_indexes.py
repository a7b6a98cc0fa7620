"""The log's read paths use their indexes once the database has statistics."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert, select, text

from server.extensions import db
from server.logbook.cadence import known_cadences
from server.models import Contact, User
from server.models.interactions import Interaction, Win


def test_a_page_of_logs_finds_its_wins_by_index_among_many_recorded_by_hand(app, user, make_contact):
    ann = make_contact(user, name="Ann Lee")
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the statistics quirk is SQLite's")
        db.session.execute(insert(Win), [
            {"user_id": user.id, "contact_id": ann.id, "text": "Promoted", "big": False,
             "happened_on": date(2025, 1, 1), "created_at": datetime(2025, 1, 1, tzinfo=UTC)}
            for _ in range(500)
        ])
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        # The statement the log page's eager load of `Interaction.win` runs.
        wins_of_page = select(Win).where(Win.interaction_id.in_([1, 2, 3]))
        compiled = wins_of_page.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = " ".join(row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
        assert "ix_wins_interaction_id" in plan, plan
        assert Interaction.win.property.lazy == "selectin"


def test_the_cadences_in_use_are_read_from_their_own_index(app, user, make_contact):
    for n in range(20):
        make_contact(user, name=f"Person {n}", cadence_days=45 if n % 10 == 0 else None)
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the plan is checked on SQLite")
        db.session.execute(text("ANALYZE"))
        fresh = db.session.get(User, user.id)
        assert known_cadences(fresh, {"other": 30}) == {30, 45}
        in_use = select(Contact.cadence_days).where(
            Contact.user_id == user.id, Contact.cadence_days.is_not(None)
        ).distinct()
        compiled = in_use.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = " ".join(row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
        assert "COVERING INDEX ix_contacts_user_id_cadence_days" in plan, plan

"""The log's read paths use their indexes once the database has statistics."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert, select, text

from server.extensions import db
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

"""The registry is the one list of kinds: settings, delivery and the payload read it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.extensions import db
from server.models.push import Notification
from server.push.delivery import deliver_due
from server.reminders.planning import delivery_rules
from server.reminders.registry import all_kinds, kind_for
from tests.push.helpers import fixed, plan


def test_every_switchable_kind_has_its_setting_default_and_screen_entry(auth_client):
    settings = auth_client.get("/api/settings").get_json()
    listed = {k["name"]: k for k in settings["kinds"]}
    for kind in all_kinds():
        if kind.setting is None:
            assert kind.name not in listed
            continue
        assert settings[kind.setting] is kind.default
        assert listed[kind.name]["setting"] == kind.setting
        for option in kind.options:
            assert settings[option.name] == option.default
    assert {"meeting", "brief", "birthday", "followup", "win", "face_time", "digest"} <= set(listed)


def test_a_kind_switch_and_its_options_are_validated_and_saved(auth_client):
    changed = auth_client.patch("/api/settings", json={
        "notify_briefs": False, "brief_minutes_before": 15}).get_json()
    assert changed["notify_briefs"] is False and changed["brief_minutes_before"] == 15
    refused = auth_client.patch("/api/settings", json={"brief_minutes_before": 0})
    assert refused.status_code == 422
    assert "brief_minutes_before" in refused.get_json()["errors"]


def test_delivery_takes_ttl_and_urgency_from_the_kind(app, user, push_service, push_ctx,
                                                      add_device):
    add_device(user.id)
    now = datetime(2026, 5, 4, 11, 0, tzinfo=UTC)
    with app.app_context():
        plan(user.id, "meeting:x", now, kind="meeting")
        plan(user.id, "digest:1:2026-W19", now, kind="digest")
        deliver_due(push_ctx, now, "w", rules=delivery_rules(), clock=fixed(now))
    by_kind = {m.payload["kind"]: m for m in push_service.messages}
    assert by_kind["meeting"].ttl == str(kind_for("meeting").ttl) == str(6 * 3600)
    assert by_kind["meeting"].urgency == "high"
    assert by_kind["digest"].urgency == "low" and by_kind["digest"].ttl == str(24 * 3600)


def test_a_kind_switched_off_after_planning_is_cancelled_at_send_time(
        app, auth_client, user, push_service, push_ctx, add_device):
    add_device(user.id)
    now = datetime(2026, 5, 4, 11, 0, tzinfo=UTC)
    with app.app_context():
        plan(user.id, "win:7", now + timedelta(minutes=1), kind="win")
    auth_client.patch("/api/settings", json={"notify_wins": False})
    due = now + timedelta(minutes=1)
    with app.app_context():
        deliver_due(push_ctx, due, "w", rules=delivery_rules(), clock=fixed(due))
        row = db.session.query(Notification).filter_by(key="win:7").one()
        assert (row.state, row.outcome) == ("cancelled", "turned off in settings")
    assert push_service.received == []

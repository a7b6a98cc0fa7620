"""Open threads as actions: a meeting's unknown attendees, follow-ups, check-ins, wins and
promises, done from Today and from a person's card; each changes the server, not only the page."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import api_call, shoot, sign_up, wait_for_calendars

pytestmark = pytest.mark.usefixtures("calendar_worker")  # uploads are read by the worker


def upload_ics(page: Any, text: str) -> dict[str, Any]:
    """Upload a calendar file through the API, as the Settings screen does."""
    return page.evaluate(
        """async (text) => {
            const csrf = (await (await fetch('/api/auth/csrf')).json()).csrf_token;
            const form = new FormData();
            form.append('file', new Blob([text], {type: 'text/calendar'}), 'work.ics');
            const res = await fetch('/api/calendars/upload', {method: 'POST', headers: {'X-CSRFToken': csrf}, body: form});
            return {status: res.status, body: await res.json()};
        }""",
        text,
    )


def team_lunch(start: datetime, end: datetime) -> str:
    """A meeting with a known address, a known name at an unknown address (twice), a stranger."""
    stamp = "%Y%m%dT%H%M%SZ"
    return "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Rapport tests//EN",
            "BEGIN:VEVENT",
            "UID:team-lunch-1@example.com",
            f"DTSTAMP:{start.strftime(stamp)}",
            f"DTSTART:{start.strftime(stamp)}",
            f"DTEND:{end.strftime(stamp)}",
            "SUMMARY:Team lunch",
            "ORGANIZER:mailto:maya@example.com",
            "ATTENDEE;PARTSTAT=ACCEPTED;CN=Maya Patel:mailto:maya@example.com",
            "ATTENDEE;PARTSTAT=ACCEPTED;CN=Tom Baker:mailto:tom@example.com",
            "ATTENDEE;PARTSTAT=ACCEPTED;CN=Ada Lovelace:mailto:ada.l@gmail.com",
            "ATTENDEE;PARTSTAT=ACCEPTED;CN=Grace Hopper:mailto:gh@elsewhere.example",
            "ATTENDEE;PARTSTAT=ACCEPTED;CN=Ann Lee:mailto:ann@newco.example",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )


def add_contact(page: Any, name: str, *emails: str) -> dict[str, Any]:
    response = api_call(page, "POST", "/api/contacts", {"name": name, "emails": list(emails)})
    assert response["status"] == 201, response
    return response["body"]


def seed_team_lunch(page: Any) -> dict[str, Any]:
    """Tom, Ada and Grace as people, and an ended team lunch with them and a stranger."""
    people = {
        "tom": add_contact(page, "Tom Baker", "tom@example.com"),
        "ada": add_contact(page, "Ada Lovelace", "ada@example.com"),
        "grace": add_contact(page, "Grace Hopper", "grace@navy.example"),
    }
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=20)
    uploaded = upload_ics(page, team_lunch(end - timedelta(hours=1), end))
    assert uploaded["status"] == 202, uploaded
    (calendar,) = wait_for_calendars(page)
    assert calendar["meeting_count"] == 1, calendar
    return people


def meeting_attendees(page: Any) -> tuple[int, dict[str, Any]]:
    since = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    items = api_call(page, "GET", f"/api/meetings?from={since}")["body"]["items"]
    assert len(items) == 1
    return items[0]["id"], {a["name"]: a for a in items[0]["attendees"]}


def test_log_form_confirms_dismisses_and_adds_a_meetings_attendees(page: Any) -> None:
    sign_up(page)
    people = seed_team_lunch(page)
    meeting_id, attendees = meeting_attendees(page)
    assert attendees["Ada Lovelace"]["suggested_contact_id"] == people["ada"]["id"]
    assert attendees["Ann Lee"]["contact_id"] is None and attendees["Ann Lee"]["suggested_contact_id"] is None

    page.goto(f"/log?meeting={meeting_id}")
    page.get_by_role("heading", name="Log").wait_for()
    expect(page.get_by_role("button", name="Remove Tom Baker")).to_be_visible()
    ada = page.get_by_role("group", name="Is this Ada Lovelace?")
    expect(ada).to_contain_text("ada.l@gmail.com")
    expect(page.get_by_role("button", name="Add Ann Lee as a person")).to_be_visible()
    shoot(page, "log-attendees")

    ada.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("button", name="Remove Ada Lovelace")).to_be_visible()
    expect(page.get_by_role("group", name="Is this Ada Lovelace?")).to_have_count(0)
    ada_now = api_call(page, "GET", f"/api/contacts/{people['ada']['id']}")["body"]
    assert "ada.l@gmail.com" in ada_now["emails"]  # confirming taught the address

    page.get_by_role("group", name="Is this Grace Hopper?").get_by_role("button", name="Dismiss").click()
    expect(page.get_by_role("group", name="Is this Grace Hopper?")).to_have_count(0)
    expect(page.get_by_role("button", name="Remove Grace Hopper")).to_have_count(0)
    _, attendees = meeting_attendees(page)
    assert attendees["Grace Hopper"]["contact_id"] is None
    assert attendees["Grace Hopper"]["suggested_contact_id"] is None

    page.get_by_role("button", name="Add Ann Lee as a person").click()
    expect(page.get_by_role("button", name="Remove Ann Lee")).to_be_visible()
    ann = api_call(page, "GET", "/api/contacts?q=Ann%20Lee")["body"]["items"]
    assert [(c["name"], c["emails"]) for c in ann] == [("Ann Lee", ["ann@newco.example"])]

    page.get_by_role("group", name="I gave").get_by_text("Advice").click()
    page.get_by_test_id("save-log").click()
    page.get_by_role("heading", name="Today").wait_for()
    logs = api_call(page, "GET", f"/api/interactions?contact_id={ann[0]['id']}")["body"]["items"]
    assert len(logs) == 1 and logs[0]["meeting_id"] == meeting_id
    assert set(logs[0]["contact_ids"]) == {people["tom"]["id"], people["ada"]["id"], ann[0]["id"]}


def test_today_asks_about_a_meetings_attendees(page: Any) -> None:
    sign_up(page)
    people = seed_team_lunch(page)
    page.goto("/")
    meetings = page.get_by_test_id("meetings")
    expect(meetings.get_by_role("group", name="Is this Ada Lovelace?")).to_be_visible()
    shoot(page, "today-attendees")
    meetings.get_by_role("group", name="Is this Ada Lovelace?").get_by_role("button", name="Confirm").click()
    expect(meetings.get_by_role("group", name="Is this Ada Lovelace?")).to_have_count(0)
    expect(meetings).to_contain_text("Ada Lovelace")
    meetings.get_by_role("button", name="Add Ann Lee as a person").click()
    expect(meetings.get_by_role("button", name="Add Ann Lee as a person")).to_have_count(0)

    _, attendees = meeting_attendees(page)
    assert attendees["Ada Lovelace"]["contact_id"] == people["ada"]["id"]
    assert attendees["Ann Lee"]["contact_id"] is not None


def log_entry(page: Any, contact_id: int, **fields: Any) -> str:
    """Log an interaction a week ago through the API; returns its UUID."""
    entry = str(uuid.uuid4())
    body = {
        "occurred_at": (datetime.now(UTC) - timedelta(days=7)).isoformat(),
        "kind": "in_person",
        "contact_ids": [contact_id],
        **fields,
    }
    response = api_call(page, "PUT", f"/api/interactions/{entry}", body)
    assert response["status"] == 201, response
    return entry


def seed_threads(page: Any) -> dict[str, Any]:
    """Tom with two due follow-ups, two due check-ins, a win and an overdue promise."""
    today = date.today()
    tom = add_contact(page, "Tom Baker", "tom@example.com")
    seeded = {"tom": tom}
    seeded["follow_done"] = log_entry(page, tom["id"], follow_up_on=str(today))
    seeded["follow_snooze"] = log_entry(
        page,
        tom["id"],
        follow_up_on=str(today - timedelta(days=2)),
        challenge="Hiring a CTO",
        challenge_check_in_on=str(today),
    )
    log_entry(
        page,
        tom["id"],
        challenge="Father in hospital",
        challenge_check_in_on=str(today),
        gave=[
            {
                "category": "intro",
                "note": "to Ada",
                "promised": True,
                "due_on": str(today - timedelta(days=1)),
            }
        ],
    )
    challenges = api_call(page, "GET", f"/api/challenges?contact_id={tom['id']}&open=1")["body"]["items"]
    seeded["challenges"] = {c["text"]: c["id"] for c in challenges}
    win = api_call(
        page, "POST", f"/api/contacts/{tom['id']}/wins", {"text": "Promoted to VP", "happened_on": str(today)}
    )
    seeded["win"] = win["body"]["id"]
    seeded["promise"] = api_call(page, "GET", "/api/promises")["body"]["items"][0]["id"]
    return seeded


def shoot_section(page: Any, testid: str, name: str) -> None:
    """Scroll a section to the top of the phone screen, then take the light and dark shots."""
    page.get_by_test_id(testid).evaluate("(el) => el.scrollIntoView({block: 'start'})")
    shoot(page, name)


def follow_up(page: Any, entry: str) -> dict[str, Any]:
    return api_call(page, "GET", f"/api/interactions/{entry}")["body"]


def test_today_marks_follow_ups_check_ins_wins_and_promises_in_place(page: Any) -> None:
    sign_up(page)
    seeded = seed_threads(page)
    page.goto("/")
    follow_ups = page.get_by_test_id("followups")
    expect(follow_ups.get_by_test_id("follow-up")).to_have_count(2)
    expect(follow_ups.get_by_test_id("challenge")).to_have_count(2)
    shoot_section(page, "followups", "today-threads")

    follow_ups.get_by_test_id("follow-up").filter(has_not_text="Hiring a CTO").get_by_role(
        "button", name="Done"
    ).click()
    expect(follow_ups.get_by_test_id("follow-up")).to_have_count(1)
    assert follow_up(page, seeded["follow_done"])["follow_up_done_at"] is not None

    follow_ups.get_by_test_id("follow-up").get_by_role("button", name="Snooze 1 week").click()
    expect(follow_ups.get_by_test_id("follow-up")).to_have_count(0)
    snoozed = api_call(page, "GET", "/api/follow-ups")["body"]["items"]
    assert [(f["interaction_uuid"], f["due_on"]) for f in snoozed] == [
        (seeded["follow_snooze"], str(date.today() + timedelta(days=7)))
    ]

    hospital = follow_ups.get_by_test_id("challenge").filter(has_text="Father in hospital")
    hospital.get_by_role("button", name="Change check-in").click()
    later = date.today() + timedelta(days=10)
    hospital.get_by_label("Check in on").fill(str(later))
    hospital.get_by_role("button", name="Save").click()
    expect(follow_ups.get_by_test_id("challenge").filter(has_text="Father in hospital")).to_have_count(0)
    cto = follow_ups.get_by_test_id("challenge").filter(has_text="Hiring a CTO")
    cto.get_by_role("button", name="Resolved").click()
    expect(page.get_by_test_id("followups")).to_have_count(0)
    challenges = api_call(page, "GET", f"/api/challenges?contact_id={seeded['tom']['id']}")["body"]["items"]
    by_text = {c["text"]: c for c in challenges}
    assert by_text["Father in hospital"]["check_in_on"] == str(later)
    assert by_text["Father in hospital"]["resolved_at"] is None
    assert by_text["Hiring a CTO"]["resolved_at"] is not None

    page.get_by_test_id("wins").get_by_role("button", name="Congratulated").click()
    expect(page.get_by_test_id("wins")).to_have_count(0)
    assert api_call(page, "GET", "/api/wins?open=1")["body"]["items"] == []

    page.get_by_test_id("promises").get_by_role("button", name="Delivered").click()
    expect(page.get_by_test_id("promises")).to_have_count(0)
    assert api_call(page, "GET", "/api/promises")["body"]["items"] == []
    expect(page.get_by_role("status").filter(has_text="Promise kept.")).to_be_visible()


def test_person_card_acts_on_their_threads_and_adds_a_win(page: Any) -> None:
    sign_up(page)
    seeded = seed_threads(page)
    tom = seeded["tom"]
    page.goto(f"/people/{tom['id']}")
    page.get_by_role("heading", name="Tom Baker").wait_for()
    expect(page.get_by_test_id("follow-ups").get_by_test_id("follow-up")).to_have_count(2)
    shoot_section(page, "challenges", "person-threads")

    mind = page.get_by_test_id("challenges")
    hospital = mind.get_by_test_id("challenge").filter(has_text="Father in hospital")
    hospital.get_by_role("button", name="Change check-in").click()
    later = date.today() + timedelta(days=3)
    hospital.get_by_label("Check in on").fill(str(later))
    shoot_section(page, "challenges", "person-check-in")
    hospital.get_by_role("button", name="Save").click()
    expect(mind.get_by_test_id("challenge").filter(has_text="Father in hospital")).to_contain_text(
        "Check in ·"
    )
    challenge = seeded["challenges"]["Father in hospital"]
    rows = {
        c["id"]: c for c in api_call(page, "GET", f"/api/challenges?contact_id={tom['id']}")["body"]["items"]
    }
    assert rows[challenge]["check_in_on"] == str(later)

    mind.get_by_test_id("challenge").filter(has_text="Hiring a CTO").get_by_role(
        "button", name="Resolved"
    ).click()
    expect(mind.get_by_test_id("challenge")).to_have_count(1)

    follow_ups = page.get_by_test_id("follow-ups")
    follow_ups.get_by_test_id("follow-up").filter(has_text="Hiring a CTO").get_by_role(
        "button", name="Snooze 1 week"
    ).click()
    week = date.today() + timedelta(days=7)
    snoozed = follow_ups.get_by_test_id("follow-up").filter(has_text="Hiring a CTO")
    expect(snoozed.get_by_role("button", name="Snooze 1 week")).to_have_count(0)  # not due any more
    assert follow_up(page, seeded["follow_snooze"])["follow_up_snoozed_until"] == str(week)
    follow_ups.get_by_test_id("follow-up").first.get_by_role("button", name="Done").click()
    expect(follow_ups.get_by_test_id("follow-up")).to_have_count(1)

    page.get_by_test_id("promises").get_by_role("button", name="Delivered").click()
    expect(page.get_by_test_id("promises")).to_have_count(0)
    assert api_call(page, "GET", f"/api/promises?contact_id={tom['id']}")["body"]["items"] == []

    wins = page.get_by_test_id("wins")
    wins.get_by_role("button", name="Congratulated").click()
    expect(wins.get_by_test_id("win")).to_have_count(0)
    wins.get_by_label("A win of Tom Baker's").fill("Book published")
    last_week = date.today() - timedelta(days=6)
    wins.get_by_label("When it happened").fill(str(last_week))
    wins.get_by_role("button", name="Add win").click()
    expect(wins.get_by_test_id("win")).to_contain_text("Book published")
    open_wins = api_call(page, "GET", f"/api/wins?contact_id={tom['id']}&open=1")["body"]["items"]
    assert [(w["text"], w["happened_on"]) for w in open_wins] == [("Book published", str(last_week))]
    expect(page.get_by_role("button", name="Add win")).to_be_enabled()  # ready for the next one
    expect(page.get_by_text("null", exact=True)).to_have_count(0)
    shoot_section(page, "wins", "person-threads-after")


def test_actions_offline_say_so_and_change_nothing(page: Any, context: Any) -> None:
    sign_up(page)
    seeded = seed_threads(page)
    page.goto(f"/people/{seeded['tom']['id']}")
    page.get_by_role("heading", name="Tom Baker").wait_for()

    context.set_offline(True)
    page.get_by_test_id("wins").get_by_role("button", name="Congratulated").click()
    expect(page.locator("#toast")).to_contain_text("You are offline")
    expect(page.get_by_test_id("wins").get_by_test_id("win")).to_have_count(1)
    page.get_by_test_id("follow-ups").get_by_role("button", name="Done").first.click()
    expect(page.locator("#toast")).to_contain_text("needs a connection")
    context.set_offline(False)

    assert len(api_call(page, "GET", "/api/wins?open=1")["body"]["items"]) == 1
    assert follow_up(page, seeded["follow_done"])["follow_up_done_at"] is None


def test_a_win_logged_from_the_log_form_shows_on_the_card(page: Any) -> None:
    sign_up(page)
    tom = add_contact(page, "Tom Baker", "tom@example.com")
    page.goto(f"/log?contact={tom['id']}")
    page.get_by_label("Their win").fill("Closed the seed round")
    page.get_by_label("Big one").check()
    shoot(page, "log-their-win")
    page.get_by_test_id("save-log").click()
    page.wait_for_url(f"**/people/{tom['id']}")
    wins = page.get_by_test_id("wins")
    expect(wins.get_by_test_id("win")).to_contain_text("Closed the seed round")
    expect(wins.get_by_test_id("win")).to_contain_text("Big win")
    [log] = api_call(page, "GET", f"/api/interactions?contact_id={tom['id']}")["body"]["items"]
    assert (log["win"]["text"], log["win"]["big"], log["win"]["contact_id"]) == (
        "Closed the seed round", True, tom["id"])

    page.goto(f"/people/{tom['id']}/edit")
    page.get_by_label("See in person every … days").fill("90")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"**/people/{tom['id']}")
    expect(page.get_by_text("every 90 days")).to_be_visible()
    assert api_call(page, "GET", f"/api/contacts/{tom['id']}")["body"]["face_time_days"] == 90


def test_a_group_log_names_whose_win_it_is(page: Any) -> None:
    sign_up(page)
    tom = add_contact(page, "Tom Baker", "tom@example.com")
    ana = add_contact(page, "Ana Lima", "ana@example.com")
    page.goto(f"/log?contact={tom['id']}")
    whose = page.get_by_label("Whose win")
    expect(whose).to_be_hidden()  # one person: the win is theirs
    page.get_by_role("combobox").fill("Ana")
    page.get_by_role("option", name="Ana Lima").click()
    expect(whose).to_be_visible()
    whose.select_option(label="Ana Lima")
    page.get_by_label("Their win").fill("Got the design job")
    page.get_by_test_id("save-log").click()
    page.wait_for_url("**/")
    [log] = api_call(page, "GET", f"/api/interactions?contact_id={ana['id']}")["body"]["items"]
    assert (log["win"]["text"], log["win"]["contact_id"]) == ("Got the design job", ana["id"])
    page.goto(f"/people/{ana['id']}")
    expect(page.get_by_test_id("wins").get_by_test_id("win")).to_contain_text("Got the design job")
    page.goto(f"/people/{tom['id']}")
    expect(page.get_by_test_id("wins").get_by_test_id("win")).to_have_count(0)


def test_typing_a_win_keeps_its_keys_while_the_card_refreshes_under_it(page: Any) -> None:
    sign_up(page)
    tom = seed_threads(page)["tom"]
    page.goto(f"/people/{tom['id']}")
    wins = page.get_by_test_id("wins")
    wins.get_by_test_id("win").first.wait_for()
    held: list[Any] = []
    # Held for the test (on the context: the service worker makes the request).
    page.context.route("**/api/contacts/*/timeline", lambda route: held.append(route))
    wins.get_by_role("button", name="Congratulated").click()
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the card did not refresh after the congratulation"
    field = wins.get_by_label("A win of Tom Baker's")
    field.click()
    page.keyboard.type("Book")
    held[0].continue_()  # the refresh lands while they type
    page.context.unroute("**/api/contacts/*/timeline")
    expect(wins.get_by_role("heading", name="Their wins")).to_be_visible()
    page.keyboard.type(" published")
    expect(field).to_have_value("Book published")

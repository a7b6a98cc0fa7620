"""Small builders for ICS test bodies."""

from __future__ import annotations


def vevent(uid: str = "e1", summary: str = "Lunch with Tom Baker", **props: str) -> str:
    """One VEVENT; keyword names are property names with _ for -, values raw ICS."""
    lines = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20260101T000000Z", f"SUMMARY:{summary}"]
    extra = props.pop("extra", "")
    for key, value in props.items():
        lines.append(f"{key.replace('_', '-').upper()}{value if value.startswith((';', ':')) else ':' + value}")
    if extra:
        lines.append(extra)
    lines.append("END:VEVENT")
    return "\r\n".join(lines)


def vcalendar(*events: str, header: str = "") -> bytes:
    """A VCALENDAR around events (and VTIMEZONEs) given as text."""
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + (header + "\r\n" if header else "")
    return (head + "\r\n".join(events) + "\r\nEND:VCALENDAR\r\n").encode()


def vtimezone_no_tzname(tzid: str = "W. Europe Standard Time") -> str:
    """A Windows-style VTIMEZONE without TZNAME (as Outlook and Thunderbird write it)."""
    return "\r\n".join(
        [
            "BEGIN:VTIMEZONE",
            f"TZID:{tzid}",
            "BEGIN:STANDARD",
            "DTSTART:16010101T030000",
            "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
            "TZOFFSETFROM:+0200",
            "TZOFFSETTO:+0100",
            "END:STANDARD",
            "BEGIN:DAYLIGHT",
            "DTSTART:16010101T020000",
            "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
            "TZOFFSETFROM:+0100",
            "TZOFFSETTO:+0200",
            "END:DAYLIGHT",
            "END:VTIMEZONE",
        ]
    )

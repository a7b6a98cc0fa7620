"""The guarded outbound session: SSRF rules, redirects, deadline and body cap."""

from __future__ import annotations

import ipaddress
import threading

import pytest
import requests

from server.outbound import (
    BodyTooLarge,
    DeadlineExceeded,
    UnsafeURL,
    check_url,
    fetch,
    guarded_session,
    is_public_ip,
    next_hop,
)

from .feedserver import FeedServer, Route, chunked_body, drip, drip_headers, gzip_bomb, redirect

PRIVATE_SPELLINGS = [
    "https://127.0.0.1/feed.ics",
    "https://2130706433/",
    "https://0x7f.1/",
    "https://0x7f000001/",
    "https://127.1/",
    "https://0177.0.0.1/",
    "https://017700000001/",
    "https://[::1]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:7f00:1]/",
    "https://[::ffff:169.254.169.254]/",
    "https://[0:0:0:0:0:ffff:a00:1]/",
    "https://[::]/",
    "https://0.0.0.0/",
    "https://0/",
    "https://10.0.0.1/",
    "https://172.16.5.4/",
    "https://192.168.1.1/",
    "https://169.254.169.254/latest/meta-data/",
    "https://100.64.0.1/",
    "https://100.127.255.254/",
    "https://224.0.0.1/",
    "https://239.255.255.250/",
    "https://240.0.0.1/",
    "https://255.255.255.255/",
    "https://198.18.0.1/",
    "https://192.0.0.8/",
    "https://[fe80::1]/",
    "https://[fc00::1]/",
    "https://[fd12:3456::1]/",
    "https://[fec0::1]/",
    "https://[ff02::1]/",
    "https://[2002:7f00:1::]/",
    "https://[64:ff9b::7f00:1]/",
    "https://[2001::1]/",
    "https://localhost/",
    "https://LOCALHOST./",
    "https://printer.local/",
    "https://db.internal/",
    "https://vm/",  # a name that resolves to 127.0.0.1 on this machine
]


@pytest.mark.parametrize("url", PRIVATE_SPELLINGS)
def test_private_addresses_are_refused_in_every_spelling(url: str) -> None:
    with pytest.raises(UnsafeURL):
        check_url(url, allow_private=False)


@pytest.mark.parametrize(
    "url",
    [
        "http://calendar.google.com/feed.ics",
        "ftp://example.com/a.ics",
        "file:///etc/passwd",
        "gopher://example.com/",
        "javascript:alert(1)",
        "https://user:pass@example.com/a.ics",
        "https:///nohost",
        "https://exa mple.com/",
        "https://example.com:99999/",
        "",
        "   ",
    ],
)
def test_non_https_or_malformed_addresses_are_refused(url: str) -> None:
    with pytest.raises(UnsafeURL):
        check_url(url, allow_private=False)


def test_webcal_is_read_as_https() -> None:
    assert check_url("webcal://8.8.8.8/cal.ics", False, resolve=False) == "https://8.8.8.8/cal.ics"
    assert check_url("WEBCALS://p01-caldav.icloud.com/published/2/x", False, resolve=False) == (
        "https://p01-caldav.icloud.com/published/2/x"
    )


def test_public_addresses_pass() -> None:
    assert check_url("https://8.8.8.8/a.ics", False) == "https://8.8.8.8/a.ics"
    assert check_url("https://[2606:4700:4700::1111]/a", False) == "https://[2606:4700:4700::1111]/a"


def test_switch_on_allows_http_and_loopback() -> None:
    assert check_url("http://127.0.0.1:8000/x.ics", True) == "http://127.0.0.1:8000/x.ics"
    with pytest.raises(UnsafeURL):
        check_url("file:///etc/passwd", True)


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001:82a::200e"],
)
def test_public_ip_policy_accepts_global_unicast(address: str) -> None:
    assert is_public_ip(ipaddress.ip_address(address))


def test_session_refuses_a_name_resolving_to_loopback_at_connect_time(
    feed_server: FeedServer,
) -> None:
    feed_server.routes["/a.ics"] = Route(body=b"BEGIN:VCALENDAR")
    session = guarded_session(allow_private=False)
    with pytest.raises(UnsafeURL):
        # static checks pass for the name "vm"; the pinned resolution finds 127.0.0.1
        session.send(
            requests.Request("GET", f"https://vm:{feed_server.port}/a.ics").prepare(),
            timeout=2,
        )
    assert feed_server.requests == []


def test_session_refuses_plain_http_when_switch_off(feed_server: FeedServer) -> None:
    session = guarded_session(allow_private=False)
    with pytest.raises(UnsafeURL):
        session.get(feed_server.url("/a.ics"), timeout=2)
    assert feed_server.requests == []


def test_redirect_targets_are_rechecked() -> None:
    base = "https://calendar.example.org/feed.ics"
    for location in (
        "https://127.0.0.1/x",
        "http://calendar.example.org/feed.ics",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::ffff:10.0.0.1]/",
        "file:///etc/passwd",
        "https://2130706433/",
    ):
        with pytest.raises(UnsafeURL):
            next_hop(base, location, allow_private=False)
    assert next_hop(base, "/other.ics", allow_private=False) == (
        "https://calendar.example.org/other.ics"
    )


def test_session_never_follows_redirects(feed_server: FeedServer) -> None:
    feed_server.routes["/r"] = redirect("/a.ics")
    feed_server.routes["/a.ics"] = Route(body=b"x")
    response = guarded_session(allow_private=True).get(feed_server.url("/r"), timeout=2)
    assert response.status_code == 302
    assert feed_server.paths() == ["/r"]


def test_fetch_follows_three_hops(feed_server: FeedServer) -> None:
    feed_server.routes["/1"] = redirect("/2")
    feed_server.routes["/2"] = redirect(feed_server.url("/3"), 301)
    feed_server.routes["/3"] = redirect("/a.ics", 307)
    feed_server.routes["/a.ics"] = Route(body=b"BEGIN:VCALENDAR")
    result = fetch(feed_server.url("/1"), allow_private=True)
    assert result.status == 200
    assert result.body == b"BEGIN:VCALENDAR"
    assert result.url.endswith("/a.ics")


def test_fetch_refuses_a_fourth_hop(feed_server: FeedServer) -> None:
    for n in range(1, 5):
        feed_server.routes[f"/{n}"] = redirect(f"/{n + 1}")
    feed_server.routes["/5"] = Route(body=b"never")
    with pytest.raises(requests.TooManyRedirects):
        fetch(feed_server.url("/1"), allow_private=True)
    assert "/5" not in feed_server.paths()


def test_fetch_refuses_redirect_to_another_scheme(feed_server: FeedServer) -> None:
    feed_server.routes["/r"] = redirect("file:///etc/passwd")
    with pytest.raises(UnsafeURL):
        fetch(feed_server.url("/r"), allow_private=True)


def test_conditional_get_sends_validators(feed_server: FeedServer) -> None:
    feed_server.routes["/a.ics"] = Route(body=b"BEGIN:VCALENDAR")
    first = fetch(feed_server.url("/a.ics"), allow_private=True)
    etag = first.headers["ETag"]
    second = fetch(feed_server.url("/a.ics"), allow_private=True, headers={"If-None-Match": etag})
    assert second.status == 304
    assert second.body == b""
    assert feed_server.requests[1][1]["if-none-match"] == etag


def test_body_over_cap_is_refused_by_declared_length(feed_server: FeedServer) -> None:
    feed_server.routes["/big"] = Route(body=b"x" * 5000)
    with pytest.raises(BodyTooLarge):
        fetch(feed_server.url("/big"), allow_private=True, max_bytes=4096)


def test_body_over_cap_is_refused_without_length(feed_server: FeedServer) -> None:
    feed_server.routes["/big"] = Route(handler=chunked_body(b"y" * 300_000))
    with pytest.raises(BodyTooLarge):
        fetch(feed_server.url("/big"), allow_private=True, max_bytes=100_000)
    feed_server.routes["/ok"] = Route(handler=chunked_body(b"y" * 90_000))
    assert len(fetch(feed_server.url("/ok"), allow_private=True, max_bytes=100_000).body) == 90_000


def test_gzip_bomb_is_capped_on_decoded_bytes(feed_server: FeedServer) -> None:
    bomb = gzip_bomb(64 * 1024 * 1024)
    assert len(bomb) < 100_000
    feed_server.routes["/bomb"] = Route(body=bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(BodyTooLarge):
        fetch(feed_server.url("/bomb"), allow_private=True, max_bytes=1024 * 1024)


def test_gzip_body_under_cap_is_decoded(feed_server: FeedServer) -> None:
    import gzip

    feed_server.routes["/z"] = Route(
        body=gzip.compress(b"BEGIN:VCALENDAR\r\n" * 100), headers={"Content-Encoding": "gzip"}
    )
    assert fetch(feed_server.url("/z"), allow_private=True).body == b"BEGIN:VCALENDAR\r\n" * 100


def test_slow_drip_body_hits_the_total_deadline(feed_server: FeedServer) -> None:
    feed_server.routes["/drip"] = Route(handler=drip(feed_server.stop_event, 0.05))
    finished = threading.Event()
    with pytest.raises(DeadlineExceeded):
        try:
            # each byte arrives well inside the read timeout: only the deadline can stop it
            fetch(feed_server.url("/drip"), allow_private=True, total_deadline=0.5, timeout=(2, 2))
        finally:
            finished.set()
    assert finished.is_set()


def test_slow_drip_headers_hit_the_total_deadline(feed_server: FeedServer) -> None:
    feed_server.routes["/hdr"] = Route(handler=drip_headers(feed_server.stop_event, 0.05))
    with pytest.raises(DeadlineExceeded):
        fetch(feed_server.url("/hdr"), allow_private=True, total_deadline=0.5, timeout=(2, 2))


def test_plain_session_request_is_bounded_too(feed_server: FeedServer) -> None:
    feed_server.routes["/drip"] = Route(handler=drip(feed_server.stop_event, 0.05))
    session = guarded_session(allow_private=True, total_deadline=0.5)
    with pytest.raises(DeadlineExceeded):
        session.post(feed_server.url("/drip"), data=b"{}", timeout=(2, 2), allow_redirects=False)


def test_session_caps_non_streamed_bodies(feed_server: FeedServer) -> None:
    feed_server.routes["/big"] = Route(handler=chunked_body(b"z" * 50_000))
    session = guarded_session(allow_private=True, max_bytes=10_000)
    with pytest.raises(BodyTooLarge):
        session.get(feed_server.url("/big"), timeout=2)

"""The front end in real Chromium: offline first paint, People of 5,000 rendered and filtered.

Starts `rapport serve --no-worker` on a user with 5,000 contacts, signs in through the API in a
phone-sized Chromium page and prints JSON:

- `offline_fcp_ms`: first contentful paint of the app opened with the network off (served by
  the service worker), beside the same app online and a one-line `data:` page (the floor);
- `people_render_ms`: from navigation to the first rows of People on screen (cold, then warm,
  with when each API answer arrived on the warm load), read in the page: the frame after the
  first row is in the document. What the harness sees (its own round trips added) is printed
  beside it as `people_render_seen_by_harness_ms`;
- `filter_longest_frame_ms` and `filter_long_tasks`: the longest frame while typing a search
  (and tasks over 50 ms), with the list first scrolled down to `--scrolled` people, beside the
  longest frame of the same page doing nothing for a second (the floor on a busy machine).

    python bench/bench_frontend.py [--contacts 5000] [--scrolled 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench_api import PASSWORD, ROOT, build_data, free_port, start

from server import create_app
from server.cli import migrate_database
from server.config import TestConfig
from server.extensions import db

CHROMIUM = os.environ.get("RAPPORT_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
FRAMES = """() => {
  window.__frames = []; window.__long = [];
  new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__long.push(e.duration)))
    .observe({type: 'longtask', buffered: false});
  let last = performance.now();
  const tick = (t) => { window.__frames.push(t - last); last = t; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
}"""
FCP = "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime"
# In every page: when the first row of People is painted (the frame after it is added).
FIRST_ROW = """(() => {
  const seen = new MutationObserver(() => {
    if (!document.querySelector('.person-row')) return;
    seen.disconnect();
    requestAnimationFrame(() => { window.__firstRowAt = performance.now(); });
  });
  seen.observe(document, {childList: true, subtree: true});
})()"""
ROW_PAINTED = "() => window.__firstRowAt"


def main() -> None:
    """Build the account, start the server, drive Chromium, print the figures."""
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--scrolled", type=int, default=1000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="rapport-bench-front-"))
    env = {**os.environ, "RAPPORT_DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
           "RAPPORT_DATA_DIR": str(tmp), "RAPPORT_SECRET_KEY": "bench-secret-key",
           "PYTHONPATH": str(ROOT)}
    app = create_app(TestConfig(env))
    migrate_database(app)
    with app.app_context():
        build_data(args.contacts, args.contacts, datetime.now(UTC))
        db.engine.dispose()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start([sys.executable, "-m", "server.cli", "serve", "--no-worker", "--port",
                    str(port)], env, base + "/healthz")
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(viewport={"width": 390, "height": 844})
            page = context.new_page()
            page.goto(base + "/login")
            page.get_by_label("E-mail").fill("bench@example.com")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.get_by_role("heading", name="Today").wait_for(timeout=60_000)
            context.add_init_script(script=FIRST_ROW)
            page.goto(base + "/people")
            page.wait_for_function(ROW_PAINTED)
            seen = page.evaluate("() => performance.now()")
            render = page.evaluate(ROW_PAINTED)
            page.goto(base + "/people")
            page.wait_for_function(ROW_PAINTED)
            seen_warm = page.evaluate("() => performance.now()")
            render_warm = page.evaluate(ROW_PAINTED)
            waits = page.evaluate("""() => Object.fromEntries(performance.getEntriesByType('resource')
                .filter((e) => e.name.includes('/api/'))
                .map((e) => [new URL(e.name).pathname, Math.round(e.responseEnd)]))""")
            page.evaluate("() => navigator.serviceWorker.ready")
            while page.locator(".person-row").count() < min(args.scrolled, args.contacts):
                before = page.locator(".person-row").count()
                page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
                page.wait_for_function("(n) => document.querySelectorAll('.person-row').length > n",
                                       arg=before)
            page.evaluate("() => window.scrollTo(0, 0)")
            page.evaluate(FRAMES)
            page.wait_for_timeout(1000)  # the same page doing nothing: the frame floor
            idle = page.evaluate("() => window.__frames.splice(0)")
            idle_long = page.evaluate("() => window.__long.splice(0)")
            shown = page.locator(".person-row").count()
            page.locator("#people-search").type("ann b", delay=60)
            page.wait_for_function("(n) => document.querySelectorAll('.person-row').length < n",
                                   arg=shown)
            page.wait_for_timeout(600)
            frames = page.evaluate("() => window.__frames")
            long_tasks = page.evaluate("() => window.__long")
            floor_page = context.new_page()
            floor_page.goto("data:text/html,<p>hello</p>")
            floor_page.wait_for_timeout(300)
            floor_fcp = floor_page.evaluate(FCP)
            online = context.new_page()
            online.goto(base + "/")
            online.wait_for_selector("main *")
            online.wait_for_timeout(300)
            online_fcp = online.evaluate(FCP)
            context.set_offline(True)
            offline = context.new_page()
            offline.goto(base + "/")
            offline.wait_for_selector("main *")
            offline.wait_for_timeout(300)
            offline_fcp = offline.evaluate(FCP)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(json.dumps({
        "bench": "frontend",
        "contacts": args.contacts,
        "people_render_ms": round(render, 1),
        "people_render_warm_ms": round(render_warm, 1),
        "people_render_seen_by_harness_ms": {"first": round(seen, 1), "warm": round(seen_warm, 1)},
        "people_warm_api_done_ms": waits,
        "scrolled_rows": shown,
        "filter_longest_frame_ms": round(max(frames[1:], default=0), 1),
        "filter_frames": len(frames),
        "filter_long_tasks": len(long_tasks),
        "filter_longest_task_ms": round(max(long_tasks, default=0), 1),
        "idle_longest_frame_ms": round(max(idle[1:], default=0), 1),
        "idle_long_tasks": len(idle_long),
        "offline_fcp_ms": round(offline_fcp, 1) if offline_fcp else None,
        "online_fcp_ms": round(online_fcp, 1) if online_fcp else None,
        "floor_fcp_ms": round(floor_fcp, 1) if floor_fcp else None,
    }))


if __name__ == "__main__":
    main()

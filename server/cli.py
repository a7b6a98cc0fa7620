"""The `rapport` command: serve, worker, migrate, invite."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import click
from flask import Flask
from sqlalchemy.engine import make_url

log = logging.getLogger("rapport")


def _make_app() -> Flask:
    from . import create_app

    return create_app()


def migrate_database(app: Flask) -> None:
    """Bring the database schema up to date (creates it on first run)."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)


def _describe_database(uri: str) -> str:
    url = make_url(uri)
    if url.get_backend_name() == "sqlite":
        return f"SQLite at {url.database}"
    return url.render_as_string(hide_password=True)


def _watch_parent(parent_pid: int) -> None:
    """Exit when the process that started us is gone (e.g. `serve` was killed)."""

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(0)
            time.sleep(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


@click.group()
@click.option("--verbose", "-v", is_flag=True, help="Log debug detail.")
def main(verbose: bool) -> None:
    """Rapport: keep long-lasting professional connections."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not verbose:
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=int, help="Request threads.")
@click.option("--no-worker", is_flag=True, help="Do not start the background worker.")
def serve(host: str, port: int, threads: int, no_worker: bool) -> None:
    """Migrate the database, then serve the app and API with the worker beside it."""
    from waitress import serve as waitress_serve

    app = _make_app()
    migrate_database(app)
    worker: subprocess.Popen[Any] | None = None
    if not no_worker:
        worker = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "server.cli", "worker", "--parent-pid", str(os.getpid())]
        )

    def _terminate(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    # Ctrl-C and a service manager's stop both end the server and its worker, even when the
    # shell that started us left SIGINT ignored (as it does for background jobs).
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    click.echo(f"Rapport is listening on http://{host}:{port}")
    click.echo(f"Data directory: {app.config['DATA_DIR']}")
    click.echo(f"Database: {_describe_database(app.config['SQLALCHEMY_DATABASE_URI'])}")
    click.echo("Worker: " + ("off (--no-worker)" if worker is None else f"running (pid {worker.pid})"))
    click.echo("Press Ctrl-C to stop.")
    try:
        waitress_serve(app, host=host, port=port, threads=threads, ident="rapport")
    except KeyboardInterrupt:
        pass
    finally:
        if worker is not None and worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
        click.echo("Rapport stopped.")


@main.command()
@click.option("--once", is_flag=True, help="Run one full pass and exit.")
@click.option("--parent-pid", type=int, default=None, hidden=True)
def worker(once: bool, parent_pid: int | None) -> None:
    """Run the background worker: sync calendars, plan and deliver notifications."""
    from .models import utcnow
    from .worker import run_forever, run_pass

    app = _make_app()
    if parent_pid:
        _watch_parent(parent_pid)
    if once:
        with app.app_context():
            figures = run_pass(utcnow())
        click.echo(" ".join(f"{k}={v}" for k, v in figures.items()))
        return

    def _stop(signum: int, _frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log.info("worker started")
    try:
        run_forever(app)
    except KeyboardInterrupt:
        pass


@main.command("migrate")
def migrate_command() -> None:
    """Create or upgrade the database schema, then exit."""
    app = _make_app()
    migrate_database(app)
    click.echo(f"Database is up to date: {_describe_database(app.config['SQLALCHEMY_DATABASE_URI'])}")


@main.command("invite")
@click.option("--email", required=True, help="An admin's e-mail, recorded as the inviter.")
@click.option("--days", default=7, show_default=True, type=click.IntRange(1, 90),
              help="Days the link stays valid.")
@click.option("--label", default="", help="Who it is for, shown in Settings' list.")
def invite_command(email: str, days: int, label: str) -> None:
    """Print a single-use sign-up link (the same as Settings → Invitations makes)."""
    from sqlalchemy import select

    from .extensions import db
    from .invites import create_invite, join_url
    from .models import User, utcnow

    app = _make_app()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email.lower()))
        if user is None or not user.is_admin:
            raise click.ClickException("No admin account with that e-mail.")
        _invite, code = create_invite(user, utcnow(), label=label[:100], days=days)
        db.session.commit()
        click.echo(join_url(app.config["BASE_URL"], code))


def register_flask_commands(app: Flask) -> None:
    """Nothing extra under `flask` yet; `flask db ...` comes from Flask-Migrate."""


if __name__ == "__main__":
    main()

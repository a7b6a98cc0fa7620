"""The `rapport` command: serve, worker, migrate, status, invite, reset-password, backup, restore."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from flask import Flask
from sqlalchemy.engine import make_url

from .schema import migrate_database
from .supervisor import WorkerSupervisor

log = logging.getLogger("rapport")
WILDCARD_HOSTS = {"0.0.0.0", "::", ""}  # noqa: S104 - names, not a bind
# Waitress, set deliberately: slow or half-open clients are dropped after CHANNEL_TIMEOUT and
# may hold at most CONNECTION_LIMIT sockets; poll() instead of select() lifts the 1024-fd
# ceiling. Production still runs behind the reverse proxy of the README's deployment section.
WAITRESS_SETTINGS: dict[str, Any] = {
    "connection_limit": 1000,
    "channel_timeout": 20,
    "cleanup_interval": 5,
    "backlog": 1024,
    "asyncore_use_poll": True,
    "max_request_header_size": 64 * 1024,
    "ident": "rapport",
}


def _make_app() -> Flask:
    from . import create_app
    from .keys import KeyMismatch

    try:
        return create_app()
    except KeyMismatch as exc:
        raise click.ClickException(str(exc)) from exc


def prepare_database(app: Flask) -> None:
    """Migrate to the newest schema, then check this node's keys against the database's."""
    from . import verify_keys
    from .keys import KeyMismatch

    migrate_database(app)
    if app.config["VERIFY_KEY_FINGERPRINTS"]:
        try:
            verify_keys(app)
        except KeyMismatch as exc:
            raise click.ClickException(str(exc)) from exc


def prepare_database_in_child(verbose: bool) -> None:
    """`rapport migrate` in a child process, so Alembic and the key check's crypto never load
    into the long-lived server (a fresh database is still migrated on first start)."""
    command = [sys.executable, "-m", "server.cli", *(["--verbose"] if verbose else []), "migrate"]
    done = subprocess.run(command, check=False)  # noqa: S603 - our own interpreter and module
    if done.returncode != 0:
        raise SystemExit(done.returncode)  # the child has printed why


def serving_app() -> Flask:
    """The app `serve` runs once its migrate child has migrated and checked the keys (the check
    would load cryptography here for nothing)."""
    from . import create_app

    return create_app({"VERIFY_KEY_FINGERPRINTS": False})


def default_base_url(host: str, port: int) -> str:
    """`http://host:port` for the address `serve` listens on (loopback for a wildcard bind)."""
    if host in WILDCARD_HOSTS:
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


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
    from .logs import FORMAT

    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, format=FORMAT)
    if verbose:  # create_app leaves levels that were set alone
        logging.getLogger("server").setLevel(logging.DEBUG)
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.DEBUG)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=int, help="Request threads.")
@click.option("--no-worker", is_flag=True, help="Do not start the background worker.")
def serve(host: str, port: int, threads: int, no_worker: bool) -> None:
    """Migrate the database, then serve the app and API with the worker beside it."""
    from waitress import serve as waitress_serve

    # Links in notifications and the calendar feed follow the address we listen on unless the
    # deployment says otherwise (the worker child inherits the same value).
    if not os.environ.get("RAPPORT_BASE_URL"):
        os.environ["RAPPORT_BASE_URL"] = default_base_url(host, port)
    prepare_database_in_child(click.get_current_context().find_root().params["verbose"])
    app = serving_app()
    worker = None if no_worker else WorkerSupervisor().start()

    def _terminate(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    # Ctrl-C and a service manager's stop both end the server and its worker, even when the
    # shell that started us left SIGINT ignored (as it does for background jobs).
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    click.echo(f"Rapport is listening on http://{host}:{port} (links use {app.config['BASE_URL']})")
    click.echo(f"Data directory: {app.config['DATA_DIR']}")
    click.echo(f"Database: {_describe_database(app.config['SQLALCHEMY_DATABASE_URI'])}")
    click.echo("Worker: " + ("off (--no-worker)" if worker is None else f"running (pid {worker.pid})"))
    click.echo("Press Ctrl-C to stop.")
    try:
        waitress_serve(
            app,
            host=host,
            port=port,
            threads=threads,
            # Waitress drops X-Forwarded-* itself unless told otherwise; the app's ProxyFix
            # reads them, for the number of hops RAPPORT_TRUSTED_PROXIES names.
            clear_untrusted_proxy_headers=not app.config["TRUSTED_PROXIES"],
            **WAITRESS_SETTINGS,
        )
    except KeyboardInterrupt:
        pass
    finally:
        if worker is not None:
            worker.stop()
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
    prepare_database(app)
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


@main.command("status")
def status_command() -> None:
    """Print the health /readyz reports; exit 1 when not ready."""
    from .health import readiness
    from .models import utcnow

    app = _make_app()
    with app.app_context():
        ready, checks = readiness(utcnow())
    click.echo(f"Database: {_describe_database(app.config['SQLALCHEMY_DATABASE_URI'])}")
    for name, value in checks.items():
        click.echo(f"{name}: {value.isoformat() if isinstance(value, datetime) else value}")
    click.echo("ready" if ready else "NOT READY")
    raise SystemExit(0 if ready else 1)


@main.command("reset-password")
@click.argument("email")
@click.option("--hours", default=24, show_default=True, type=click.IntRange(1, 24 * 14),
              help="How long the link works.")
def reset_password_command(email: str, hours: int) -> None:
    """Print a one-time link that lets EMAIL set a new password (no e-mail needed)."""
    from datetime import timedelta

    from sqlalchemy import select

    from .extensions import db
    from .models import User, utcnow
    from .password_reset import make_reset_token, reset_link

    app = _make_app()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise click.ClickException("No account with that e-mail.")
        expires = utcnow() + timedelta(hours=hours)
        token = make_reset_token(user, app.config["SECRET_KEY"], expires)
    click.echo(reset_link(app.config["BASE_URL"], token))
    click.echo(f"The link works once, until {expires:%Y-%m-%d %H:%M} UTC; using it signs out every session.",
               err=True)


@main.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
def backup_command(path: Path) -> None:
    """Copy the database and the keys into the new directory PATH (safe while serving)."""
    from .backup import BackupError, make_backup
    from .models import utcnow

    app = _make_app()
    try:
        manifest = make_backup(app.config, path, utcnow())
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backed up the {manifest['database']} database and the keys to {path}")


@main.command("restore")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore_command(path: Path) -> None:
    """Restore a backup from PATH into an empty data directory and database."""
    from .backup import BackupError, restore_backup
    from .config import Config

    config = Config()  # not the app: building it would create fresh keys in the data dir
    try:
        restore_backup(config.DATA_DIR, config.SQLALCHEMY_DATABASE_URI, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {path} into {config.DATA_DIR}; run `rapport migrate` if this release is newer.")


if __name__ == "__main__":
    main()

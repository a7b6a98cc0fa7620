"""The database a benchmark runs on: a fresh SQLite file in its data directory, or the
PostgreSQL database it was given, emptied first (its public schema dropped and made again)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text


def fresh_database(url: str | None, data_dir: Path) -> str:
    """The URL to use, with nothing in it yet."""
    if not url:
        return f"sqlite:///{data_dir / 'bench.sqlite3'}"
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    return url

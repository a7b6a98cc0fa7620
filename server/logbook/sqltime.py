"""Portable SQL for instants: seconds since the epoch on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class epoch_seconds(FunctionElement[float]):  # noqa: N801 - reads like the SQL function it is
    """Seconds since 1970-01-01 UTC of a timestamp column."""

    type = Float()
    inherit_cache = True
    name = "epoch_seconds"


@compiles(epoch_seconds)
def _epoch_default(element: epoch_seconds, compiler: Any, **kw: Any) -> str:
    (arg,) = list(element.clauses)
    return f"EXTRACT(EPOCH FROM {compiler.process(arg, **kw)})"


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler: Any, **kw: Any) -> str:
    # Timestamps are stored as naive UTC text; julianday() reads them.
    (arg,) = list(element.clauses)
    return f"((julianday({compiler.process(arg, **kw)}) - 2440587.5) * 86400.0)"

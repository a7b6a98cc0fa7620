"""The registry of notification kinds: each module in `reminders/kinds/` adds one `Kind`.

Adding a kind is one new module there (and its tests): it is found by name, planned by the
pass, timed and prioritised by delivery, switched by its setting and listed on the settings
screen, with nothing else to edit.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from marshmallow import fields, validate

if TYPE_CHECKING:
    from ..models.push import Notification
    from ..push.outbox import Planned
    from .context import PlanContext

HOUR = 3600


@dataclass(frozen=True)
class Option:
    """A setting of a kind beyond its on/off switch (e.g. minutes before a meeting)."""

    name: str
    default: Any
    field: fields.Field
    label: str
    widget: str = "number"  # how the settings screen asks: number | days | weekday | time | check
    hint: str = ""


@dataclass(frozen=True)
class Kind:
    """One kind of notification, declared in one place."""

    name: str
    label: str  # what the settings screen says next to its switch
    plan: Callable[[PlanContext], list[Planned]] | None = None  # None: not planned by the pass
    key_pattern: str = ""  # the natural key's shape, for the reader (e.g. "meeting:<id>")
    ttl: int = 12 * HOUR  # seconds a push service keeps it for an offline device
    urgency: str = "normal"  # very-low | low | normal | high
    setting: str | None = None  # the boolean setting that turns it on
    default: bool = True
    options: tuple[Option, ...] = ()
    # At send time, for a batch of this kind's rows: why some must not go out any more, by row
    # id (a fixed number of queries for the whole batch).
    still_wanted: Callable[[Sequence[Notification], datetime], dict[int, str]] | None = None
    position: int = 100  # order on the settings screen and in the pass


_KINDS: dict[str, Kind] = {}
_LOADED: list[bool] = []  # set once every module of `kinds/` has been imported
_DEFAULTS: dict[str, Any] = {}  # every kind's setting defaults, gathered once (read per push)


def register(kind: Kind) -> Kind:
    """Add a kind (each module in `kinds/` calls this once, at import)."""
    if kind.name in _KINDS and _KINDS[kind.name] is not kind:
        raise ValueError(f"notification kind {kind.name!r} is declared twice")
    _KINDS[kind.name] = kind
    _DEFAULTS.clear()
    return kind


def _load() -> None:
    """Import every module of `reminders/kinds/` once."""
    if _LOADED:
        return
    from . import kinds

    for module in pkgutil.iter_modules(kinds.__path__):
        importlib.import_module(f"{kinds.__name__}.{module.name}")
    _LOADED.append(True)


def all_kinds() -> list[Kind]:
    """Every kind, in settings-screen order."""
    _load()
    return sorted(_KINDS.values(), key=lambda k: (k.position, k.name))


def kind_for(name: str) -> Kind:
    """The kind called `name` (KeyError for a kind nobody declares)."""
    _load()
    return _KINDS[name]


def setting_defaults() -> dict[str, Any]:
    """The defaults of every kind's switch and options (a copy the caller may change)."""
    if not _DEFAULTS:
        for kind in all_kinds():
            if kind.setting:
                _DEFAULTS[kind.setting] = kind.default
            for option in kind.options:
                _DEFAULTS[option.name] = option.default
    return dict(_DEFAULTS)


def setting_fields() -> dict[str, fields.Field]:
    """Schema fields for every kind's switch and options."""
    found: dict[str, fields.Field] = {}
    for kind in all_kinds():
        if kind.setting:
            found[kind.setting] = fields.Boolean()
        for option in kind.options:
            found[option.name] = option.field
    return found


def option_view(option: Option) -> dict[str, Any]:
    """An option as the settings screen draws it (with the range its field accepts)."""
    view: dict[str, Any] = {"name": option.name, "label": option.label, "widget": option.widget,
                            "hint": option.hint}
    for rule in option.field.validators:
        if isinstance(rule, validate.Range):
            view["min"], view["max"] = rule.min, rule.max
    return view


def turned_off(kind: Kind, settings: dict[str, Any]) -> bool:
    """The user switched this kind off."""
    return kind.setting is not None and not settings[kind.setting]

"""Blueprints of the JSON API, one module per resource."""

from __future__ import annotations

from flask import Flask

from ..extensions import api


def register_blueprints(app: Flask) -> None:
    """Register every API blueprint on the flask-smorest Api."""
    from . import (
        auth,
        calendars,
        contacts,
        dashboard,
        data_io,
        interactions,
        meetings,
        password_reset,
        push,
        settings,
        tokens,
    )

    for module in (
        auth,
        password_reset,
        tokens,
        contacts,
        settings,
        interactions,
        dashboard,
        calendars,
        meetings,
        push,
        data_io,
    ):
        blp = getattr(module, "blp", None)
        if blp is not None:
            api.register_blueprint(blp)
        # Routes outside /api (e.g. the outgoing calendar feed) live on a plain Flask blueprint.
        plain = getattr(module, "site", None)
        if plain is not None:
            app.register_blueprint(plain)

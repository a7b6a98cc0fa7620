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
        invites,
        meetings,
        onboarding,
        password_reset,
        photos,
        push,
        settings,
        tokens,
        week,
    )
    from .read_cache import init_app as init_answer_cache

    init_answer_cache(app)
    for module in (
        auth,
        invites,
        password_reset,
        tokens,
        contacts,
        photos,
        settings,
        interactions,
        dashboard,
        onboarding,
        week,
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

"""Flask extensions, created unbound here and bound in the factory (Flask-Migrate is bound by
server.schema when a migration is checked or run)."""

from __future__ import annotations

from flask import request
from flask_limiter import Limiter
from flask_login import LoginManager, current_user
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from .models.base import Base


def client_address() -> str:
    """The client address (ProxyFix has already applied RAPPORT_TRUSTED_PROXIES)."""
    return request.remote_addr or "unknown"


def account_key() -> str:
    """Rate-limit key for the signed-in account (its address when nobody is signed in)."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"address:{client_address()}"


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=client_address)
api = Api()

"""Encryption of secrets at rest (calendar URLs), keyed from the app secret."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from cryptography.fernet import Fernet


def _fernet(secret_key: str) -> Fernet:
    # cryptography is ~8 MB resident: loaded by the requests that handle calendar URLs only.
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"rapport-secrets-at-rest", info=b"fernet-v1"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(plaintext: str, secret_key: str | None = None) -> str:
    """Encrypt a secret (e.g. a calendar URL) with a key derived from the app secret."""
    return _fernet(secret_key or current_app.config["SECRET_KEY"]).encrypt(plaintext.encode()).decode()


def decrypt_secret(token: str, secret_key: str | None = None) -> str:
    """Decrypt what encrypt_secret produced; raises ValueError when the key does not fit."""
    from cryptography.fernet import InvalidToken

    try:
        return _fernet(secret_key or current_app.config["SECRET_KEY"]).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("secret could not be decrypted with the current key") from exc


def sha256_hex(value: str) -> str:
    """Hex SHA-256 of a high-entropy token (tokens are random, so no salt is needed)."""
    return hashlib.sha256(value.encode()).hexdigest()


def new_token(prefix: str = "", nbytes: int = 32) -> str:
    """A random URL-safe token."""
    return prefix + secrets.token_urlsafe(nbytes)

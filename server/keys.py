"""Secrets generated on first run and kept in the data directory."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from pathlib import Path

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name
VAPID_KEY_FILE = "vapid_private.pem"


def _write_private(path: Path, data: bytes) -> None:
    """Create a file readable by its owner only, never overwriting one that exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def load_or_create_secret_key(data_dir: Path) -> str:
    """Return the stored secret key, generating it on first run."""
    path = data_dir / SECRET_KEY_FILE
    if not path.exists():
        try:
            _write_private(path, secrets.token_urlsafe(48).encode())
        except FileExistsError:
            pass  # another process (the worker) created it first
    return path.read_text().strip()


def load_or_create_vapid_key(data_dir: Path) -> str:
    """Return the stored VAPID private key (PEM), generating a P-256 key on first run."""
    path = data_dir / VAPID_KEY_FILE
    if not path.exists():
        # cryptography (~8 MB resident) is imported only where a key is made or read: a web
        # process that finds its keys on disk never needs it until a push-key request.
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            _write_private(path, pem)
        except FileExistsError:
            pass
    return path.read_text()


def vapid_key_to_pem(value: str) -> str:
    """Accept RAPPORT_VAPID_PRIVATE_KEY as PEM, or as the base64url raw key other push
    libraries print (32-byte private scalar) or DER; always hand back PEM."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    value = value.strip().replace("\\n", "\n")
    if "BEGIN" in value:
        serialization.load_pem_private_key(value.encode(), password=None)  # fail fast if broken
        return value + "\n"
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    if len(raw) == 32:
        key: ec.EllipticCurvePrivateKey = ec.derive_private_key(
            int.from_bytes(raw, "big"), ec.SECP256R1()
        )
    else:
        loaded = serialization.load_der_private_key(raw, password=None)
        if not isinstance(loaded, ec.EllipticCurvePrivateKey):
            raise ValueError("RAPPORT_VAPID_PRIVATE_KEY must be a P-256 key")
        key = loaded
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def vapid_public_key(private_pem: str) -> str:
    """The applicationServerKey form of the public key: uncompressed point, base64url."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    raw = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


FINGERPRINTS_STATE = "keys.fingerprints"
# Which setting carries each key, for the message a mismatching node prints.
KEY_SETTINGS = {
    "secret_key": "RAPPORT_SECRET_KEY",
    "vapid_public_key": "RAPPORT_VAPID_PRIVATE_KEY",
}


class KeyMismatch(RuntimeError):
    """This node's keys differ from the ones the database was first used with."""


def key_fingerprints(secret_key: str, vapid_private_pem: str) -> dict[str, str]:
    """Fingerprints that identify the keys without revealing them (the secret is stretched)."""
    secret = hashlib.pbkdf2_hmac("sha256", secret_key.encode(), b"rapport key fingerprint", 200_000)
    vapid = hashlib.sha256(vapid_public_key(vapid_private_pem).encode()).digest()
    return {"secret_key": secret.hex()[:32], "vapid_public_key": vapid.hex()[:32]}


def verify_key_fingerprints(secret_key: str, vapid_private_pem: str) -> None:
    """Record the keys' fingerprints on first start; refuse keys that differ from them later."""
    from sqlalchemy.exc import IntegrityError

    from .extensions import db
    from .models import SystemState, utcnow

    mine = key_fingerprints(secret_key, vapid_private_pem)
    row = db.session.get(SystemState, FINGERPRINTS_STATE)
    if row is None:
        try:
            db.session.add(SystemState(key=FINGERPRINTS_STATE, value=mine, updated_at=utcnow()))
            db.session.commit()
            return
        except IntegrityError:  # another node recorded its keys at the same moment
            db.session.rollback()
            row = db.session.get(SystemState, FINGERPRINTS_STATE)
            assert row is not None
    differing = [KEY_SETTINGS[name] for name, value in mine.items() if row.value.get(name) != value]
    db.session.rollback()
    if differing:
        raise KeyMismatch(
            "This node's keys differ from the ones this database was set up with; every node "
            f"must share them. Set {' and '.join(differing)} to the value the other nodes use "
            "(or copy secret_key / vapid_private.pem from their data directory)."
        )

"""Secrets generated on first run and kept in the data directory."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def _write_private(path: Path, data: bytes) -> None:
    """Create a file readable by its owner only, never overwriting one that exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def load_or_create_secret_key(data_dir: Path) -> str:
    """Return the stored secret key, generating it on first run."""
    path = data_dir / "secret_key"
    if not path.exists():
        try:
            _write_private(path, secrets.token_urlsafe(48).encode())
        except FileExistsError:
            pass  # another process (the worker) created it first
    return path.read_text().strip()


def load_or_create_vapid_key(data_dir: Path) -> str:
    """Return the stored VAPID private key (PEM), generating a P-256 key on first run."""
    path = data_dir / "vapid_private.pem"
    if not path.exists():
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
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    raw = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

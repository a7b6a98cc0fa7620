"""The server's VAPID identity: the signing key, its public form and the contact subject."""

from __future__ import annotations

import time
from functools import lru_cache
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

from ..keys import vapid_public_key

CLAIM_LIFETIME_SECONDS = 12 * 3600  # push services refuse tokens valid for more than 24 h


@lru_cache(maxsize=4)
def vapid_signer(private_pem: str) -> Vapid02:
    """The RFC 8292 signer for a PEM private key (parsed once per key)."""
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError("the VAPID key must be a P-256 private key")
    return Vapid02(private_key=key)


@lru_cache(maxsize=4)
def application_server_key(private_pem: str) -> str:
    """The public key as `PushManager.subscribe({applicationServerKey})` expects it."""
    return vapid_public_key(private_pem)


def endpoint_origin(endpoint: str) -> str:
    """`scheme://host[:port]` of a push endpoint: the JWT audience."""
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


def fresh_claims(endpoint: str, subject: str) -> dict[str, str | int]:
    """New claims for one request: pywebpush mutates what it is given, so never reuse them."""
    return {
        "aud": endpoint_origin(endpoint),
        "sub": subject,
        "exp": int(time.time()) + CLAIM_LIFETIME_SECONDS,
    }


def resolve_subject(configured: str, base_url: str, admin_email: str | None) -> str:
    """The `sub` claim: the configured address, else the admin's mailto:, else an https: site."""
    if configured:
        if configured.startswith(("mailto:", "https://")):
            return configured
        if "@" in configured:
            return f"mailto:{configured}"
        raise ValueError("RAPPORT_VAPID_SUBJECT must be a mailto: or https: address")
    if admin_email and not admin_email.endswith("@localhost"):
        return f"mailto:{admin_email}"
    if base_url.startswith("https://"):
        return base_url
    # Apple refuses @localhost; a syntactically real address keeps development working.
    return "mailto:rapport@example.org"

"""The server's VAPID identity: the signing key, its public form and the contact subject."""

from __future__ import annotations

import threading
import time
from functools import lru_cache
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

from ..keys import vapid_public_key

CLAIM_LIFETIME_SECONDS = 12 * 3600  # push services refuse tokens valid for more than 24 h
RESIGN_AFTER_SECONDS = 3600  # one signature per push service per hour, not one per message


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


class AuthorizationCache:
    """Signed `Authorization: vapid …` headers by (key, audience, subject), re-signed hourly."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._headers: dict[tuple[str, str, str], tuple[float, str]] = {}

    def header(self, private_pem: str, endpoint: str, subject: str) -> str:
        """The header for a push to `endpoint`, signing a new token only when the last is old."""
        key = (private_pem, endpoint_origin(endpoint), subject)
        now = time.time()
        with self._lock:
            cached = self._headers.get(key)
            if cached is not None and now - cached[0] < RESIGN_AFTER_SECONDS:
                return cached[1]
        claims = {"aud": key[1], "sub": subject, "exp": int(now) + CLAIM_LIFETIME_SECONDS}
        signed = str(vapid_signer(private_pem).sign(claims)["Authorization"])
        with self._lock:
            self._headers[key] = (now, signed)
        return signed


authorizations = AuthorizationCache()


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

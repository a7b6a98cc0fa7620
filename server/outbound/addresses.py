"""Which addresses the server may contact: https only (http and private ranges only when
allowed, for development and tests), no credentials in URLs, no non-public address however it
is spelled or resolved."""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit, urlunsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges Python's ipaddress flags do not all cover (or only cover on newer interpreters).
_BLOCKED_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "100.64.0.0/10",  # CGNAT
        "192.0.0.0/24",
        "192.88.99.0/24",  # 6to4 relay anycast
        "198.18.0.0/15",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/96",  # IPv4-compatible (deprecated) addresses
        "64:ff9b::/96",  # NAT64
        "64:ff9b:1::/48",
        "2001::/23",  # Teredo and other IETF protocol assignments
        "2001:db8::/32",
        "2002::/16",  # 6to4: embeds an IPv4 address
        "3fff::/20",
        "5f00::/16",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
)
_NUMERIC_HOST = re.compile(r"^[0-9a-fx.]+$")


class UnsafeURL(ValueError):
    """An address the server refuses to contact; the message is fit to show the user."""


def is_public_ip(ip: IPAddress) -> bool:
    """True only for globally routable unicast addresses."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return is_public_ip(ip.ipv4_mapped)
    if any(ip.version == net.version and ip in net for net in _BLOCKED_NETWORKS):
        return False
    flags = (
        ip.is_private,
        ip.is_loopback,
        ip.is_link_local,
        ip.is_multicast,
        ip.is_reserved,
        ip.is_unspecified,
    )
    return ip.is_global and not any(flags)


def _literal_ip(host: str) -> IPAddress | None:
    """The address a host names literally, in any spelling a resolver would accept."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_HOST.match(host):
        try:  # inet_aton accepts 2130706433, 0x7f.1, 127.1, 0177.0.0.1 ...
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def check_url(url: str, allow_private: bool, resolve: bool = True) -> str:
    """Validate an outbound URL and return it normalised (webcal → https); raise UnsafeURL."""
    if not isinstance(url, str) or not url.strip():
        raise UnsafeURL("Enter an address starting with https://.")
    url = url.strip()
    if len(url) > 4096 or any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise UnsafeURL("That address contains spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL("That address is not a valid URL.") from exc
    scheme = parts.scheme.lower()
    if scheme in ("webcal", "webcals"):
        scheme = "https"
    allowed = ("https", "http") if allow_private else ("https",)
    if scheme not in allowed:
        raise UnsafeURL("Only https:// (or webcal://) addresses are accepted.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL("Addresses with a user name or password are not supported.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeURL("That address has no server name.")
    try:
        ascii_host = host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise UnsafeURL("That server name is not valid.") from exc
    netloc = f"[{ascii_host}]" if ":" in ascii_host else ascii_host
    if port is not None:
        netloc += f":{port}"
    normalised = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    if allow_private:
        return normalised
    _check_host(ascii_host, port or 443, resolve)
    return normalised


def _check_host(host: str, port: int, resolve: bool) -> None:
    """Refuse hosts that are, spell or resolve to a non-public address."""
    literal = _literal_ip(host)
    if literal is not None:
        if str(literal) != host and not (literal.version == 6 and ":" in host):
            raise UnsafeURL("Unusual spellings of IP addresses are not accepted.")
        if not is_public_ip(literal):
            raise UnsafeURL("That address points to a private or local network.")
        return
    last_label = host.rsplit(".", 1)[-1]
    if last_label.isdigit() or _NUMERIC_HOST.match(host) and host.startswith("0x"):
        raise UnsafeURL("Unusual spellings of IP addresses are not accepted.")
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise UnsafeURL("That address points to a private or local network.")
    if not resolve:
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return  # not resolvable now: the fetch will report it; the pinned check still applies
    for info in infos:
        address = str(info[4][0]).split("%", 1)[0]
        if not is_public_ip(ipaddress.ip_address(address)):
            raise UnsafeURL("That address points to a private or local network.")

"""Where a webhook may be sent: https to a host whose every address is public. With
ADVISERCRM_WEBHOOK_ALLOW_PRIVATE=1 (local development, tests) http and private,
loopback and link-local hosts are allowed too. Read when a url is checked, so a server's
setting applies to each subscription as it is made."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from urllib.parse import urlsplit

NOT_A_URL = "The :attribute field must be a valid URL."
NOT_HTTPS = "The :attribute field must be an https URL."
NOT_PUBLIC = "The :attribute host must resolve only to public addresses."
UNRESOLVED = "The :attribute host could not be resolved."


def private_allowed() -> bool:
    return os.environ.get("ADVISERCRM_WEBHOOK_ALLOW_PRIVATE") == "1"


def public(address: str) -> bool:
    """Whether an address is on the public internet. An IPv4 address written as IPv6
    (::ffff:127.0.0.1) is judged as the IPv4 address it reaches."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global


async def addresses(host: str) -> list[str] | None:
    """The host's addresses (an IP literal is its own); None when it does not resolve."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None
    return [str(info[4][0]) for info in found]


async def url_problem(url: str) -> str | None:
    """Why the url cannot take webhooks (a message template), or None."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return NOT_A_URL
    if parts.scheme not in ("http", "https") or not host:
        return NOT_A_URL
    allowed = private_allowed()
    if parts.scheme != "https" and not allowed:
        return NOT_HTTPS
    if allowed:
        return None
    found = await addresses(host)
    if not found:
        return UNRESOLVED
    if not all(public(a) for a in found):
        return NOT_PUBLIC
    return None

"""The HTTP client webhooks are delivered with. Unless private targets are allowed
(`safety.private_allowed`), each request resolves its host itself, refuses it when any
address is not public, and connects to the address it checked: a DNS answer that changes
between the check and the connect (rebinding) cannot reach the loopback or a private
network. The request keeps its Host header, and TLS sends the url's name (SNI) and checks
the certificate against it. Redirects are not followed (each would be a new, unchecked
target). The worker sends on the transport itself, without httpx's client around it: the
client's layers (authentication, redirects, cookies, event hooks) do nothing for a
webhook and cost a fifth of the worker's CPU; nor does a bare transport take a proxy from
the environment."""

from __future__ import annotations

import asyncio
from typing import Any

import httpcore
import httpx

from advisercrm.webhooks import backend, safety


class TargetRefused(httpx.TransportError):
    """A request refused before any connection: its host is not on the public internet."""


async def _checked_address(request: httpx.Request) -> str:
    """The address to connect to: the host's first, once every one is found public."""
    host = request.url.host
    timeout = request.extensions.get("timeout", {}).get("connect")
    try:
        async with asyncio.timeout(timeout):
            found = await safety.addresses(host)
    except TimeoutError:
        raise httpx.ConnectTimeout(f"resolving {host} timed out", request=request) from None
    if not found:
        raise httpx.ConnectError(f"host {host} could not be resolved", request=request)
    for address in found:
        if not safety.public(address):
            message = f"host resolves to a non-public address {address}"
            raise TargetRefused(message, request=request)
    return found[0]


class CheckedTransport(httpx.AsyncHTTPTransport):
    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # httpx gives no way to name its pool's network backend: set on the pool it made.
        assert isinstance(self._pool, httpcore.AsyncConnectionPool)
        self._pool._network_backend = backend.Backend()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if safety.private_allowed():
            return await super().handle_async_request(request)
        address = await _checked_address(request)
        # The same request sent to the checked address: its headers (Host among them,
        # set from the url when the request was built) and body as they are.
        pinned = httpx.Request(
            request.method,
            request.url.copy_with(host=address),
            headers=request.headers,
            stream=request.stream,
            extensions={**request.extensions, "sni_hostname": request.url.host},
        )
        return await super().handle_async_request(pinned)


def client() -> CheckedTransport:
    """The transport the worker sends on (an async context manager that closes its pool)."""
    return CheckedTransport()

"""Headers every response carries: a request id and the usual hardening for an API;
and what browsers on other origins may send and read (CORS), when enabled."""

from __future__ import annotations

import re
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]
NO_STORE = (b"cache-control", b"no-store")
# A caller's own id is kept (to follow one request through a proxy, the app and the
# logs) when it is short and plain: it lands in headers and log lines as it came.
REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{1,128}")

CORS_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
CORS_REQUEST_HEADERS = [
    "Authorization",
    "Content-Type",
    "X-PLANNR-ACCOUNT-UUID",
    "Idempotency-Key",
    "X-Request-Id",
]
CORS_EXPOSED_HEADERS = [
    "X-Request-Id",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "Retry-After",
    "Idempotent-Replayed",
]


def cors_options(origins: tuple[str, ...]) -> dict[str, Any]:
    """Starlette CORSMiddleware's arguments. Tokens travel in a header, never a cookie, so
    credentials (cookies) stay disallowed."""
    return {
        "allow_origins": list(origins),
        "allow_methods": CORS_METHODS,
        "allow_headers": CORS_REQUEST_HEADERS,
        "expose_headers": CORS_EXPOSED_HEADERS,
    }


def request_id(scope: Scope) -> str:
    """The caller's X-Request-Id when it is valid, else a new one."""
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            given: bytes = value
            return given.decode() if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    return uuid.uuid4().hex


def fixed_headers(request_id: str) -> dict[str, str]:
    """The request id and hardening headers, for a response sent outside the middleware
    (the 500 of an unhandled error)."""
    headers = {k.decode(): v.decode() for k, v in SECURITY_HEADERS}
    return {**headers, "x-request-id": request_id}


class ResponseHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        scope.setdefault("state", {})["request_id"] = rid
        private = scope["path"].startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(SECURITY_HEADERS)
                headers.append((b"x-request-id", rid.encode()))
                limits = scope["state"].get("ratelimit") or {}
                headers.extend((k.lower().encode(), v.encode()) for k, v in limits.items())
                if private:  # API answers hold client data: never cache them
                    headers.append(NO_STORE)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)

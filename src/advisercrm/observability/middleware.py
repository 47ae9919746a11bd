"""Each request, once answered: counted and timed by route template, and one log line.

Pure ASGI (no BaseHTTPMiddleware): a few microseconds a request. It runs inside the
response-headers middleware, which has chosen the request's id by then. The log line
names the route template, never the raw path or query string (where a careless client
could put a token), and no header or body."""

from __future__ import annotations

import logging
from time import perf_counter

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from advisercrm.logs import REQUEST_ID
from advisercrm.observability import metrics

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "<unmatched>"  # no route: a 404, or a CORS preflight answered before routing
access = logging.getLogger("advisercrm.access")


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = perf_counter()
        request_id: str | None = scope.get("state", {}).get("request_id")
        context = REQUEST_ID.set(request_id)
        # An unhandled error's 500 is sent by Starlette outside every middleware: a
        # request that raises before its response starts is that 500.
        status = 500

        async def observed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        except Exception:
            _finish(scope, request_id, status, start)
            raise
        else:
            _finish(scope, request_id, status, start)
        finally:
            REQUEST_ID.reset(context)


def _finish(scope: Scope, request_id: str | None, status: int, start: float) -> None:
    seconds = perf_counter() - start
    method = scope["method"] if scope["method"] in METHODS else "other"
    # Routing stored the matched route in the scope; its path is the template. A mounted
    # app (the docs' assets) has no route: its mount point stands for it.
    route = getattr(scope.get("route"), "path", None) or scope.get("root_path") or UNMATCHED
    metrics.observe(method, route, status, seconds)
    if access.isEnabledFor(logging.INFO):
        ms = round(seconds * 1000, 2)
        fields = {
            "request_id": request_id,
            "method": method,
            "route": route,
            "status": status,
            "duration_ms": ms,
        }
        access.info(
            "%s %s %s %.2fms request_id=%s", method, route, status, ms, request_id, extra=fields
        )

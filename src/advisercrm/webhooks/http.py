"""One webhook request: a POST and what came of it, as data, never an exception.

A 2xx answer is a success; anything else (another status, a redirect, a timeout, a
refused or dropped connection) is a failure to retry. At most `MAX_ANSWER` bytes of the
answer are read: a receiver's answer is not ours to buffer."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from advisercrm.webhooks.transport import TargetRefused

MAX_ANSWER = 64 * 1024
# httpx logs every request at INFO with the receiver's url, which may carry a token in its
# query, and a line per delivery costs the worker a tenth of its time. The worker logs
# failed attempts itself.
logging.getLogger("httpx").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Attempt:
    status: int | None  # the answer's status; None when there was no answer
    error: str | None  # why it failed ("timeout", "HTTP 500", "refused: ..."); None on 2xx
    duration_ms: int


def _network_error(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError | TargetRefused):
        return f"refused: {detail}"
    return f"{type(exc).__name__}: {detail}"


async def post(
    transport: httpx.AsyncBaseTransport,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    timeouts: httpx.Timeout,
) -> Attempt:
    started = time.monotonic()

    def elapsed() -> int:
        return round((time.monotonic() - started) * 1000)

    try:
        request = httpx.Request(
            "POST", url, content=body, headers=headers, extensions={"timeout": timeouts.as_dict()}
        )
        answer = await transport.handle_async_request(request)
        try:
            read = 0
            assert isinstance(answer.stream, httpx.AsyncByteStream)  # an async transport's
            async for chunk in answer.stream:
                read += len(chunk)
                if read >= MAX_ANSWER:
                    break
        finally:
            await answer.aclose()
        status = answer.status_code
    except httpx.HTTPError as exc:
        return Attempt(None, _network_error(exc), elapsed())
    except OSError as exc:  # below httpx's own errors (a socket closed under it)
        return Attempt(None, f"refused: {exc}", elapsed())
    except (httpx.InvalidURL, ValueError) as exc:  # a url checked when saved, so rare
        return Attempt(None, f"invalid url: {exc}", elapsed())
    error = None if 200 <= status < 300 else f"HTTP {status}"
    return Attempt(status, error, elapsed())

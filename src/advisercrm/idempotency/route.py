"""Idempotency-Key on every POST: the same key and body within 24 hours answer the first
response again without doing the work twice; the same key with another body is 422.

A route class gives every POST route the key dependency and wraps its endpoint so the
response it builds is stored in the request's own transaction, before the commit."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.routing import APIRoute

from advisercrm.auth.deps import CurrentPrincipal
from advisercrm.db import Conn
from advisercrm.idempotency.repository import IdempotencyRepository
from advisercrm.kit.errors import ApiError, ValidationFailed

HEADER = "Idempotency-Key"
KEY_HELP = "Repeat a POST safely: the same key and body within 24 hours replay the first response."
_KEY = re.compile(r"[\x21-\x7e]{1,255}\Z")
_slot: ContextVar[dict[str, Response] | None] = ContextVar("idempotent_response", default=None)


class Replay(ApiError):
    """The stored first response of a repeated request."""

    def __init__(self, status: int, body: bytes) -> None:
        super().__init__("replayed")
        self.status = status
        self.content = body


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed({HEADER: [message]})


async def idempotency(
    request: Request,
    conn: Conn,
    principal: CurrentPrincipal,
    key: Annotated[str | None, Header(alias=HEADER, description=KEY_HELP)] = None,
) -> AsyncIterator[None]:
    if key is None:
        yield
        return
    if not _KEY.match(key):
        raise _invalid("The Idempotency-Key header must be 1 to 255 visible ASCII characters.")
    digest = hashlib.sha256(
        b"\0".join(
            [
                request.method.encode(),
                request.url.path.encode(),
                principal.account_uuid.encode(),
                await request.body(),
            ]
        )
    ).digest()
    repo = IdempotencyRepository(conn, principal.user_id)
    earlier = await repo.claim(key, digest)
    if earlier is not None:
        if earlier["request_hash"] != digest:
            raise _invalid("The Idempotency-Key was already used with a different request.")
        raise Replay(int(earlier["status"]), bytes(earlier["body"]))
    slot: dict[str, Response] = {}
    token = _slot.set(slot)
    try:
        yield
    finally:
        _slot.reset(token)
    response = slot.get("response")
    if response is not None and 200 <= response.status_code < 300:
        await repo.remember(key, response.status_code, bytes(response.body))
    else:
        await repo.release(key)


def _remembering(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        response = await endpoint(*args, **kwargs)
        slot = _slot.get()
        if slot is not None and isinstance(response, Response):
            slot["response"] = response
        return response

    return wrapper


class ApiRoute(APIRoute):
    """The route class of every API router: POST routes take an Idempotency-Key."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if "POST" in {m.upper() for m in kwargs.get("methods") or ()}:
            endpoint = _remembering(endpoint)
            extra = [Depends(idempotency, scope="function")]
            kwargs["dependencies"] = [*(kwargs.get("dependencies") or []), *extra]
        super().__init__(path, endpoint, **kwargs)


async def replay_response(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Replay)
    headers = {"Idempotent-Replayed": "true"}
    return Response(
        exc.content, status_code=exc.status, media_type="application/json", headers=headers
    )

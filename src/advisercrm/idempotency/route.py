"""Idempotency-Key on every POST: the same key and body within 24 hours answer the first
response again without doing the work twice; the same key with another body is 422.

A route class gives every POST route the key dependency and wraps its endpoint so the
response it builds is stored in the request's own transaction, before the commit. The
key is the endpoint's last dependency, so the record in the path (404) and the
permission (403) are checked before it (auth/access.py).

The route class also defers a JSON body that does not parse: its 400 comes after the
path's 404 and the permission's 403, as Laravel reads such a body as empty input."""

from __future__ import annotations

import functools
import hashlib
import inspect
import re
from collections.abc import AsyncIterator, Callable, Coroutine
from contextvars import ContextVar
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from advisercrm.auth.deps import CurrentPrincipal
from advisercrm.db import Conn
from advisercrm.idempotency.repository import IdempotencyRepository
from advisercrm.kit.body import guarded
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


_IDEMPOTENCY = "_idempotency"


def _remembering(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs.pop(_IDEMPOTENCY, None)
        response = await endpoint(*args, **kwargs)
        slot = _slot.get()
        if slot is not None and isinstance(response, Response):
            slot["response"] = response
        return response

    # The key dependency as the endpoint's last parameter: FastAPI solves dependencies in
    # parameter order, and the route's own `dependencies` would come before all of them.
    signature = inspect.signature(endpoint, eval_str=True)
    key = inspect.Parameter(
        _IDEMPOTENCY,
        inspect.Parameter.KEYWORD_ONLY,
        annotation=Annotated[None, Depends(idempotency, scope="function")],
    )
    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*signature.parameters.values(), key]
    )
    return wrapper


# Stands for a JSON body that does not parse until the dependencies have run: a value no
# body model accepts (FastAPI validates bodies with from_attributes, so an object with
# attributes might pass as an empty update).
_MALFORMED = "malformed JSON"


def declares_json(request: Request) -> bool:
    """The test FastAPI applies before it parses a body as JSON."""
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


async def _malformed(request: Request) -> bool:
    """Parse a JSON body ahead of FastAPI; one that does not parse is kept as `_MALFORMED`,
    which fails the body's validation after every dependency instead of before them."""
    if not declares_json(request) or not await request.body():
        return False
    try:
        await request.json()
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deep
        request._json = _MALFORMED
        return True
    return False


class ApiRoute(APIRoute):
    """The route class of every API router: POST routes take an Idempotency-Key, and a
    body declared with ALL_RULES never passes with its shape errors unreported."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        endpoint = guarded(endpoint)
        if "POST" in {m.upper() for m in kwargs.get("methods") or ()}:
            endpoint = _remembering(endpoint)
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def handle(request: Request) -> Response:
            malformed = await _malformed(request)
            try:
                return await handler(request)
            except RequestValidationError as error:
                if not malformed:
                    raise
                bad = {"type": "json_invalid", "loc": ("body", 0), "msg": "JSON decode error"}
                raise RequestValidationError([bad]) from error

        return handle


async def replay_response(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Replay)
    headers = {"Idempotent-Replayed": "true"}
    return Response(
        exc.content, status_code=exc.status, media_type="application/json", headers=headers
    )

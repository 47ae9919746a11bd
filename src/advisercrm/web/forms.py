"""What the workspace's forms share: a POST's fields, checked against the session's
CSRF token; whether the API's own permission check lets the acting account in; and a
write run in a savepoint of the page's transaction, so a write the API refuses leaves
nothing behind when the page answers with the form again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth.access import Action, Allowed, Who
from advisercrm.auth.principal import Principal
from advisercrm.kit.errors import Forbidden, ValidationFailed
from advisercrm.kit.transactions import savepoint
from advisercrm.web.guard import Acting, Interrupt
from advisercrm.web.sessions import CSRF_FIELD, csrf_ok, read_fields
from advisercrm.web.signing import expired

T = TypeVar("T")
Errors = dict[str, list[str]]


async def fields(request: Request, acting: Acting, most: int = 50) -> dict[str, list[str]]:
    """The form's fields, every value of each (checkboxes of one name); a form without
    the session's CSRF token is answered with the page-expired page."""
    found = await read_fields(request, most)
    first = {name: values[0] for name, values in found.items()}
    if not csrf_ok(request, acting.session.token, first):
        raise Interrupt(expired(request))
    found.pop(CSRF_FIELD, None)
    return found


async def form(request: Request, acting: Acting) -> dict[str, str]:
    """The form's fields, the first value of each, once its CSRF token is checked."""
    return {name: values[0] for name, values in (await fields(request, acting)).items()}


async def may(principal: Principal, action: Action = "write", who: Who = "staff") -> bool:
    """Whether the API's route guarded by `Allowed(action, who)` would let them in."""
    try:
        await Allowed(action, who)(principal)
    except Forbidden:
        return False
    return True


async def attempt(
    conn: AsyncConnection, write: Callable[[], Awaitable[T]]
) -> tuple[T | None, Errors]:
    """The write's result; or, when the API refuses it with 422, nothing of it kept and
    its errors by field. Any other refusal of the API's is raised."""
    try:
        async with savepoint(conn):
            return await write(), {}
    except ValidationFailed as failed:
        return None, failed.errors

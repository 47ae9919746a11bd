"""What a workspace route needs before it runs: a connection, the signed-in session and
the account it acts as, each as a FastAPI dependency. A page that cannot be shown yet
answers with a redirect (to sign in, or to choose an account) through `Interrupt`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from asyncpg import Record
from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth.principal import Principal
from advisercrm.db import connect
from advisercrm.kit.fields import path_uuid
from advisercrm.kit.render import Ctx
from advisercrm.resource import service as resource_service
from advisercrm.resource.description import Resource
from advisercrm.web import sessions
from advisercrm.web.sessions import Session
from advisercrm.web.templating import redirect, to_sign_in


class Interrupt(Exception):
    """Answer with this response instead of the page."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


async def interrupted(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Interrupt)
    return exc.response


async def _connection(request: Request) -> AsyncIterator[AsyncConnection]:
    # One transaction per page, committed before the response: reading a session may
    # also note that it was seen, so even a GET writes.
    async with connect(request.app.state.engine, begin=True) as conn:
        yield conn


WebConn = Annotated[AsyncConnection, Depends(_connection, scope="function")]


async def _signed_in(request: Request, conn: WebConn) -> Session:
    session = await sessions.current(request, conn)
    if session is None:
        raise Interrupt(to_sign_in(request))
    return session


SignedIn = Annotated[Session, Depends(_signed_in)]


@dataclass(frozen=True)
class Acting:
    session: Session
    principal: Principal
    ctx: Ctx  # how the principal's records are rendered, as the API renders them


async def _acting(request: Request, session: SignedIn) -> Acting:
    if session.principal is None:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise Interrupt(redirect("/account?" + _next(here)))
    principal = session.principal
    return Acting(session, principal, principal.ctx(str(request.base_url)))


def _next(path: str) -> str:
    return urlencode({"next": path})


ActingAs = Annotated[Acting, Depends(_acting)]


async def record(
    conn: AsyncConnection,
    acting: Acting,
    described: Resource,
    raw: str,
    loaded: bool = False,
    lock: bool = False,
) -> Record | None:
    """The record of `described` a path names, if the acting account may open it, found
    as the API finds it; None too when `raw` is not a UUID."""
    parsed = path_uuid(raw)
    if parsed is None:
        return None
    return await resource_service.find(
        conn, acting.principal, described, parsed, loaded=loaded, lock=lock
    )

"""Personal access tokens: the signed-in user's own, made and revoked through the API's
token service (`tokens.router`): making one needs the password, under the same throttle
of failed confirmations as the API's route; its plain token is shown once, on the page
that answers the form."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from advisercrm.kit import transactions
from advisercrm.kit.errors import ValidationFailed
from advisercrm.kit.fields import path_uuid
from advisercrm.ratelimit.limiter import TooManyAttempts
from advisercrm.tokens import service
from advisercrm.tokens.schemas import TokenCreate
from advisercrm.web.guard import Acting, WebConn
from advisercrm.web.settings.common import Manager, attempt, body, form, one
from advisercrm.web.templating import not_found, page, redirect

router = APIRouter(include_in_schema=False)
HERE = "/settings/tokens"


async def _list_page(
    request: Request,
    acting: Acting,
    conn: WebConn,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    entered: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    tokens = await service.list_tokens(conn, acting.principal, acting.ctx)
    return page(
        request,
        "settings/tokens.html",
        acting.session,
        status=status,
        headers=headers,
        tokens=tokens,
        errors=errors or {},
        entered=entered or {},
    )


@router.get(HERE)
async def tokens(request: Request, acting: Manager, conn: WebConn) -> Response:
    return await _list_page(request, acting, conn)


@router.post(HERE)
async def create(request: Request, acting: Manager, conn: WebConn) -> Response:
    fields = await form(request, acting)
    raw: dict[str, Any] = {"name": one(fields, "name"), "password": one(fields, "password")}
    if expires := one(fields, "expires_at").strip():
        raw["expires_at"] = expires
    entered = {"name": raw["name"], "expires_at": expires}
    state = request.app.state
    address = request.client.host if request.client else "unknown"
    try:
        async with transactions.savepoint(conn):
            made = await service.create_token(
                conn,
                acting.principal,
                body(TokenCreate, raw),
                state.secret_key,
                acting.ctx,
                state.attempts,
                address,
            )
    except ValidationFailed as failed:
        return await _list_page(request, acting, conn, 422, failed.errors, entered)
    except TooManyAttempts as limited:
        errors = {"password": [limited.message]}
        return await _list_page(request, acting, conn, 429, errors, entered, limited.headers)
    # Answered here, not after a redirect: the plain token is on this response only.
    return page(request, "settings/token_created.html", acting.session, token=made)


@router.post(HERE + "/{token_uuid}/revoke")
async def revoke(request: Request, token_uuid: str, acting: Manager, conn: WebConn) -> Response:
    await form(request, acting)
    parsed = path_uuid(token_uuid)
    found = await service.find_token(conn, acting.principal, parsed) if parsed else None
    if found is None:
        return not_found(request, acting.session)

    async def work() -> None:
        await service.revoke_token(conn, acting.principal, found)

    await attempt(request, acting, conn, work, HERE)
    return redirect(HERE)

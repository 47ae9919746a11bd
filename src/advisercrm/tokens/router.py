"""Logins (/api/v1/logins) and personal access tokens (/api/v1/personal-access-tokens)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from advisercrm.auth.access import Found
from advisercrm.auth.deps import CurrentPrincipal, CurrentUser, RenderCtx
from advisercrm.db import Conn
from advisercrm.idempotency.route import ApiRoute
from advisercrm.kit.listing import ListQuery, Page, paginated
from advisercrm.kit.render import JSON
from advisercrm.logins.schemas import LoginOut
from advisercrm.tokens import service
from advisercrm.tokens.schemas import TokenCreate, TokenOut

router = APIRouter(route_class=ApiRoute, tags=["auth"])


def _whole(items: list[object], request: Request) -> JSON:
    """Logins and tokens are few per user: one page holds them all."""
    query = ListQuery(page=1, per_page=max(1, len(items)), sort="created_at", descending=False)
    return paginated(request, query, items, len(items))


@router.get("/api/v1/logins", response_model=Page[LoginOut])
async def list_logins(request: Request, conn: Conn, user: CurrentUser) -> JSON:
    return _whole(list(await service.list_logins(conn, user, str(request.base_url))), request)


@router.post("/api/v1/personal-access-tokens", status_code=201, response_model=TokenOut)
async def create_token(
    body: TokenCreate, request: Request, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    state = request.app.state
    address = request.client.host if request.client else "unknown"
    data = await service.create_token(
        conn, principal, body, state.secret_key, ctx, state.attempts, address
    )
    return JSON(data, status_code=201)


@router.get("/api/v1/personal-access-tokens", response_model=Page[TokenOut])
async def list_tokens(
    request: Request, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    return _whole(list(await service.list_tokens(conn, principal, ctx)), request)


# A token is the caller's own credential, not firm data: revoking needs no permission.
Token = Annotated[int, Depends(Found(service.find_token))]


@router.delete("/api/v1/personal-access-tokens/{uuid}", status_code=204)
async def revoke_token(token: Token, conn: Conn, principal: CurrentPrincipal) -> Response:
    await service.revoke_token(conn, principal, token)
    return Response(status_code=204)

"""Circle rules: 2..50 distinct client accounts, groups of the firm; staff write."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.accounts.repository import AccountRepository
from advisercrm.auth.principal import Principal
from advisercrm.circles import schemas
from advisercrm.circles.repository import CircleRepository
from advisercrm.circles.schemas import CircleCreate, CircleUpdate
from advisercrm.groups.repository import GroupRepository
from advisercrm.kit.errors import Errors, NotFound
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.references import check_uuid_list
from advisercrm.kit.render import Ctx


async def render(
    conn: AsyncConnection, principal: Principal, ids: list[int], ctx: Ctx
) -> list[dict[str, Any]]:
    loaded = await CircleRepository(conn, principal.firm_id).load(ids, principal)
    return [schemas.circle(loaded[i], ctx) for i in ids if i in loaded]


async def render_embedded(
    conn: AsyncConnection, principal: Principal, ids: list[int], ctx: Ctx
) -> dict[int, dict[str, Any]]:
    """The circles another resource embeds, by id: only those the principal may open."""
    loaded = await CircleRepository(conn, principal.firm_id).load(ids, principal)
    return {i: schemas.circle(row, ctx) for i, row in loaded.items() if row["visible"]}


async def _references(
    conn: AsyncConnection, principal: Principal, body: CircleCreate | CircleUpdate
) -> tuple[list[int] | None, list[int] | None]:
    errors = Errors()
    account_ids = group_ids = None
    if body.account_uuids is not None:
        found = await AccountRepository(conn, principal.firm_id).resolve(
            body.account_uuids, principal
        )
        account_ids = check_uuid_list(
            "account_uuids",
            body.account_uuids,
            found,
            errors,
            lambda r: r["visible"] and r["type"] == "client",
        )
    if body.group_uuids is not None:
        groups = await GroupRepository(conn, principal.firm_id).resolve(body.group_uuids)
        group_ids = check_uuid_list("group_uuids", body.group_uuids, groups, errors)
    errors.raise_if_any()
    return account_ids, group_ids


def _may_write(principal: Principal) -> None:
    principal.require_employee()
    principal.require_write()


async def _find(repo: CircleRepository, principal: Principal, circle_uuid: uuid.UUID | None) -> int:
    circle_id = await repo.find_id(circle_uuid, principal) if circle_uuid else None
    if circle_id is None:
        raise NotFound()
    return circle_id


async def create(
    conn: AsyncConnection, principal: Principal, body: CircleCreate, ctx: Ctx
) -> dict[str, Any]:
    _may_write(principal)
    account_ids, group_ids = await _references(conn, principal, body)
    repo = CircleRepository(conn, principal.firm_id)
    circle_id = await repo.insert(body.name)
    await repo.replace_accounts(circle_id, account_ids or [])
    await repo.replace_groups(circle_id, group_ids or [])
    return (await render(conn, principal, [circle_id], ctx))[0]


async def get(
    conn: AsyncConnection, principal: Principal, circle_uuid: uuid.UUID | None, ctx: Ctx
) -> dict[str, Any]:
    circle_id = await _find(CircleRepository(conn, principal.firm_id), principal, circle_uuid)
    return (await render(conn, principal, [circle_id], ctx))[0]


async def update(
    conn: AsyncConnection,
    principal: Principal,
    circle_uuid: uuid.UUID | None,
    body: CircleUpdate,
    ctx: Ctx,
) -> dict[str, Any]:
    repo = CircleRepository(conn, principal.firm_id)
    circle_id = await _find(repo, principal, circle_uuid)
    _may_write(principal)
    account_ids, group_ids = await _references(conn, principal, body)
    await repo.update(circle_id, {"name": body.name} if body.name is not None else {})
    if account_ids is not None:
        await repo.replace_accounts(circle_id, account_ids)
    if group_ids is not None:
        await repo.replace_groups(circle_id, group_ids)
    return (await render(conn, principal, [circle_id], ctx))[0]


async def delete(
    conn: AsyncConnection, principal: Principal, circle_uuid: uuid.UUID | None
) -> None:
    repo = CircleRepository(conn, principal.firm_id)
    circle_id = await _find(repo, principal, circle_uuid)
    principal.require_employee()
    principal.require_delete()
    await repo.delete(circle_id)


async def list_circles(
    conn: AsyncConnection, principal: Principal, query: ListQuery, ctx: Ctx
) -> tuple[list[dict[str, Any]], int]:
    ids, total = await CircleRepository(conn, principal.firm_id).page(query, principal)
    return await render(conn, principal, ids, ctx), total

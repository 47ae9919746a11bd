"""Plan rules: 1..10 client owners the caller sees; staff with write permission write."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.accounts.repository import AccountRepository
from advisercrm.auth.principal import Principal
from advisercrm.kit.errors import Errors, NotFound
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.references import check_uuid_list
from advisercrm.kit.render import Ctx
from advisercrm.plans import schemas
from advisercrm.plans.repository import PlanRepository
from advisercrm.plans.schemas import PlanCreate, PlanUpdate

COLUMNS = {"name", "type", "policy_number", "status"}


async def render(
    conn: AsyncConnection, principal: Principal, ids: list[int], ctx: Ctx
) -> list[dict[str, Any]]:
    loaded = await PlanRepository(conn, principal.firm_id).load(ids, principal)
    return [schemas.plan(loaded[i], ctx) for i in ids if i in loaded]


async def _owner_ids(
    conn: AsyncConnection, principal: Principal, uuids: list[uuid.UUID]
) -> list[int]:
    found = await AccountRepository(conn, principal.firm_id).resolve(uuids, principal)
    errors = Errors()
    ids = check_uuid_list(
        "accounts", uuids, found, errors, lambda r: r["visible"] and r["type"] == "client"
    )
    errors.raise_if_any()
    return ids


def _may_write(principal: Principal) -> None:
    principal.require_employee()
    principal.require_write()


async def _find(repo: PlanRepository, principal: Principal, plan_uuid: uuid.UUID | None) -> int:
    plan_id = await repo.find_id(plan_uuid, principal) if plan_uuid else None
    if plan_id is None:
        raise NotFound()
    return plan_id


async def create(
    conn: AsyncConnection, principal: Principal, body: PlanCreate, ctx: Ctx
) -> dict[str, Any]:
    _may_write(principal)
    owner_ids = await _owner_ids(conn, principal, body.accounts)
    repo = PlanRepository(conn, principal.firm_id)
    plan_id = await repo.insert(body.model_dump(include=COLUMNS))
    await repo.replace_owners(plan_id, owner_ids)
    return (await render(conn, principal, [plan_id], ctx))[0]


async def get(
    conn: AsyncConnection, principal: Principal, plan_uuid: uuid.UUID | None, ctx: Ctx
) -> dict[str, Any]:
    plan_id = await _find(PlanRepository(conn, principal.firm_id), principal, plan_uuid)
    return (await render(conn, principal, [plan_id], ctx))[0]


async def update(
    conn: AsyncConnection,
    principal: Principal,
    plan_uuid: uuid.UUID | None,
    body: PlanUpdate,
    ctx: Ctx,
) -> dict[str, Any]:
    repo = PlanRepository(conn, principal.firm_id)
    plan_id = await _find(repo, principal, plan_uuid)
    _may_write(principal)
    owner_ids = None
    if body.accounts is not None:
        owner_ids = await _owner_ids(conn, principal, body.accounts)
    await repo.update(plan_id, body.model_dump(include=COLUMNS & body.model_fields_set))
    if owner_ids is not None:
        await repo.replace_owners(plan_id, owner_ids)
    return (await render(conn, principal, [plan_id], ctx))[0]


async def delete(conn: AsyncConnection, principal: Principal, plan_uuid: uuid.UUID | None) -> None:
    repo = PlanRepository(conn, principal.firm_id)
    plan_id = await _find(repo, principal, plan_uuid)
    principal.require_employee()
    principal.require_delete()
    await repo.delete(plan_id)


async def list_plans(
    conn: AsyncConnection, principal: Principal, query: ListQuery, ctx: Ctx
) -> tuple[list[dict[str, Any]], int]:
    ids, total = await PlanRepository(conn, principal.firm_id).page(query, principal)
    return await render(conn, principal, ids, ctx), total

"""Case rules: client participants the caller sees, employee assignees, groups of the firm,
a review moment read in the firm's zone; staff with write permission write."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.accounts.repository import AccountRepository
from advisercrm.auth.principal import Principal
from advisercrm.cases import schemas
from advisercrm.cases.repository import CaseRepository
from advisercrm.cases.schemas import CaseCreate, CaseUpdate
from advisercrm.groups.repository import GroupRepository
from advisercrm.kit.errors import Errors, NotFound
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.references import check_uuid_list
from advisercrm.kit.render import Ctx, zone
from advisercrm.kit.times import in_zone


@dataclass
class Links:
    """Link ids the body names; None where the body leaves them unchanged."""

    participants: list[int] | None = None
    assignees: list[int] | None = None
    groups: list[int] | None = None


async def render(
    conn: AsyncConnection, principal: Principal, ids: list[int], ctx: Ctx
) -> list[dict[str, Any]]:
    loaded = await CaseRepository(conn, principal.firm_id).load(ids, principal)
    return [schemas.case(loaded[i], ctx) for i in ids if i in loaded]


async def _links(
    conn: AsyncConnection, principal: Principal, body: CaseCreate | CaseUpdate
) -> Links:
    """Check every UUID the body names (accounts in one query, groups in another)."""
    given = body.model_fields_set
    participants = body.participants
    assignees = body.assigned_to_uuids or []
    groups = body.group_uuids or []
    found = await AccountRepository(conn, principal.firm_id).resolve(
        [*(participants or []), *assignees], principal
    )
    errors, links = Errors(), Links()
    if participants is not None:
        links.participants = check_uuid_list(
            "participants", participants, found, errors, _of_type("client")
        )
    if "assigned_to_uuids" in given:
        links.assignees = check_uuid_list(
            "assigned_to_uuids", assignees, found, errors, _of_type("employee")
        )
    if "group_uuids" in given:
        resolved = await GroupRepository(conn, principal.firm_id).resolve(groups)
        links.groups = check_uuid_list("group_uuids", groups, resolved, errors)
    errors.raise_if_any()
    return links


def _of_type(kind: str) -> Callable[[dict[str, Any]], bool]:
    return lambda row: bool(row["visible"]) and row["type"] == kind


def _columns(principal: Principal, body: CaseCreate | CaseUpdate) -> dict[str, Any]:
    values = body.model_dump(include={"name", "value", "review_at"} & body.model_fields_set)
    if body.review_at is not None:
        values["review_at"] = in_zone(body.review_at, zone(principal.timezone))
    return values


async def _save_links(repo: CaseRepository, case_id: int, links: Links) -> None:
    if links.participants is not None:
        await repo.replace_participants(case_id, links.participants)
    if links.assignees is not None:
        await repo.replace_assignees(case_id, links.assignees)
    if links.groups is not None:
        await repo.replace_groups(case_id, links.groups)


def _may_write(principal: Principal) -> None:
    principal.require_employee()
    principal.require_write()


async def _find(repo: CaseRepository, principal: Principal, case_uuid: uuid.UUID | None) -> int:
    case_id = await repo.find_id(case_uuid, principal) if case_uuid else None
    if case_id is None:
        raise NotFound()
    return case_id


async def create(
    conn: AsyncConnection, principal: Principal, body: CaseCreate, ctx: Ctx
) -> dict[str, Any]:
    _may_write(principal)
    links = await _links(conn, principal, body)
    repo = CaseRepository(conn, principal.firm_id)
    case_id = await repo.insert(_columns(principal, body))
    await _save_links(repo, case_id, links)
    return (await render(conn, principal, [case_id], ctx))[0]


async def get(
    conn: AsyncConnection, principal: Principal, case_uuid: uuid.UUID | None, ctx: Ctx
) -> dict[str, Any]:
    case_id = await _find(CaseRepository(conn, principal.firm_id), principal, case_uuid)
    return (await render(conn, principal, [case_id], ctx))[0]


async def update(
    conn: AsyncConnection,
    principal: Principal,
    case_uuid: uuid.UUID | None,
    body: CaseUpdate,
    ctx: Ctx,
) -> dict[str, Any]:
    repo = CaseRepository(conn, principal.firm_id)
    case_id = await _find(repo, principal, case_uuid)
    _may_write(principal)
    links = await _links(conn, principal, body)
    await repo.update(case_id, _columns(principal, body))
    await _save_links(repo, case_id, links)
    return (await render(conn, principal, [case_id], ctx))[0]


async def delete(conn: AsyncConnection, principal: Principal, case_uuid: uuid.UUID | None) -> None:
    repo = CaseRepository(conn, principal.firm_id)
    case_id = await _find(repo, principal, case_uuid)
    principal.require_employee()
    principal.require_delete()
    await repo.delete(case_id)


async def list_cases(
    conn: AsyncConnection, principal: Principal, query: ListQuery, ctx: Ctx
) -> tuple[list[dict[str, Any]], int]:
    ids, total = await CaseRepository(conn, principal.firm_id).page(query, principal)
    return await render(conn, principal, ids, ctx), total

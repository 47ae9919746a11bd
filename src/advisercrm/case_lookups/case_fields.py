"""What a case carries of the lookups: its status and type (UUIDs of the firm's records
when written, the records when shown), the plans it covers (those the viewer may open
are shown), its completion (set when it moves into a completed-type status, cleared when
it leaves one), and the list filters and sorts they bring. The case description takes
these as they are."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from asyncpg import Record
from sqlalchemy import and_, any_, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth.principal import Principal
from advisercrm.auth.visibility import shown
from advisercrm.case_lookups.schemas import case_status, case_type
from advisercrm.kit.errors import Errors
from advisercrm.kit.listing import bool_filter, uuid_list_filter
from advisercrm.kit.references import INVALID
from advisercrm.kit.render import Ctx, timestamp
from advisercrm.kit.repository import FirmRepository
from advisercrm.kit.sql import FIRM
from advisercrm.plans.description import PLANS
from advisercrm.plans.description import visible as plan_visible
from advisercrm.resource import service
from advisercrm.resource.description import Link, Where, linked, linked_to
from advisercrm.tables import (
    accounts,
    case_assignees,
    case_participants,
    case_plans,
    case_statuses,
    case_types,
    cases,
    circle_accounts,
    circles,
    plans,
)

c, cs, ct, cpl = cases, case_statuses, case_types, case_plans
cp, circle_members = case_participants, circle_accounts

# Body fields of the case stored through `check` (as status_id and type_id).
COLUMNS = frozenset({"status", "type"})
# The names `columns` gives.
LINKED = ("status", "type", "plans")
INCLUDES = ("participants", "participants_count", "type", "status", "plans")


async def _plans_named(
    conn: AsyncConnection, principal: Principal, uuids: list[uuid.UUID]
) -> dict[uuid.UUID, Any]:
    return await service.resolve(conn, principal, PLANS, uuids)


# A plan the writer cannot open is refused like one that does not exist.
PLANS_LINK = Link("plans", cpl, "case_id", "plan_id", _plans_named, null_clears=True)


def _named(table: Any, value: uuid.UUID | None, repo: FirmRepository) -> Any:
    return select(table.c.id).where(repo.scoped(table), table.c.uuid == value).scalar_subquery()


async def check(
    conn: AsyncConnection,
    principal: Principal,
    current: Record | None,
    values: dict[str, Any],
    errors: Errors,
) -> dict[str, Any]:
    """`status` and `type` name a case status and a case type of the firm (one query for
    both); a status change sets or clears `completed_at`."""
    given = {name: values.pop(name) for name in ("status", "type") if name in values}
    named = {name: ref for name, ref in given.items() if ref is not None}
    found: Mapping[str, Any] = {}
    if named:
        repo = FirmRepository(conn, principal.firm_id)
        status = named.get("status")
        completed = (
            select(cs.c.is_type_completed)
            .where(repo.scoped(cs), cs.c.uuid == status)
            .scalar_subquery()
        )
        query = select(
            _named(cs, status, repo).label("status"),
            completed.label("completed"),
            _named(ct, named.get("type"), repo).label("type"),
        )
        found = await repo.first(query) or {}
    for name in named:
        if found.get(name) is None:
            errors.add(name, INVALID)
    for name in given:
        values[f"{name}_id"] = found.get(name)
    if "status" in given:
        was = current is not None and current["completed_at"] is not None
        now = bool(found.get("completed"))
        if now and not was:
            values["completed_at"] = func.now()
        elif was and not now:
            values["completed_at"] = None
    return values


def columns(firm_id: Any, case_id: Any, viewer: Principal | None) -> dict[str, Any]:
    """The case's status, type and the plans the viewer may open, as scalar subqueries
    correlated to the given columns (the case list's own rows, or a task's case)."""
    inner = c.alias("lookup_case")

    def record(table: Any, column: str) -> Any:
        row = table.alias()
        joined = inner.join(
            row, and_(row.c.firm_id == inner.c.firm_id, row.c.id == inner.c[column])
        )
        return (
            select(row.table_valued())
            .select_from(joined)
            .where(inner.c.firm_id == firm_id, inner.c.id == case_id)
            .scalar_subquery()
        )

    p = plans.alias("case_plan")
    covered = (
        select(func.array_agg(aggregate_order_by(p.table_valued(), p.c.name, p.c.id)))
        .select_from(cpl.join(p, and_(p.c.firm_id == cpl.c.firm_id, p.c.id == cpl.c.plan_id)))
        .where(cpl.c.firm_id == firm_id, cpl.c.case_id == case_id, *shown(viewer, plan_visible, p))
        .scalar_subquery()
    )
    shown_by_name = (record(cs, "status_id"), record(ct, "type_id"), covered)
    return dict(zip(LINKED, shown_by_name, strict=True))


def _plan(row: Mapping[str, Any], ctx: Ctx) -> dict[str, Any]:
    return {
        "uuid": str(row["uuid"]),
        "name": row["name"],
        "type": row["type"],
        "status": row["status"],
        "policy_number": row["policy_number"],
        "created_at": timestamp(row["created_at"], ctx),
        "updated_at": timestamp(row["updated_at"], ctx),
    }


def render(row: Mapping[str, Any], ctx: Ctx) -> dict[str, Any]:
    """The case resource's status, type, plans and completion."""
    status, kind = row.get("status"), row.get("type")
    return {
        "status": case_status(status, ctx) if status is not None else None,
        "type": case_type(kind, ctx) if kind is not None else None,
        "completed_at": timestamp(row.get("completed_at"), ctx),
        "plans": [_plan(p, ctx) for p in row.get("plans") or []],
    }


def _named_in(column: Any, table: Any) -> Callable[[Any], Any]:
    """A list filter's condition: `column` names one of the `table` rows with the UUIDs."""

    def condition(uuids: Any) -> Any:
        named = select(table.c.id).where(table.c.firm_id == FIRM, table.c.uuid == any_(uuids))
        return column.in_(named)

    return condition


def _in_circles(uuids: Any) -> Any:
    """Cases with a participant in any of the circles."""
    ci = circles
    members = (
        select(circle_members.c.account_id)
        .join(
            ci,
            and_(ci.c.firm_id == circle_members.c.firm_id, ci.c.id == circle_members.c.circle_id),
        )
        .where(ci.c.firm_id == FIRM, ci.c.uuid == any_(uuids))
    )
    return linked(c, cp, cp.c.account_id.in_(members))


FILTERS = {
    "status": Where(uuid_list_filter, _named_in(c.c.status_id, cs)),
    "type": Where(uuid_list_filter, _named_in(c.c.type_id, ct)),
    "plan_uuid": Where(uuid_list_filter, linked_to(c, cpl, plans)),
    # Participants, and assigned employees, among the accounts named.
    "account_uuids": Where(uuid_list_filter, linked_to(c, cp, accounts)),
    "employee_account_uuids": Where(uuid_list_filter, linked_to(c, case_assignees, accounts)),
    "circle_uuids": Where(uuid_list_filter, _in_circles),
    "completed": Where(bool_filter, lambda yes: c.c.completed_at.is_not(None) == yes),
    "in_progress": Where(bool_filter, lambda yes: c.c.completed_at.is_(None) == yes),
}

# The case's status's position on the board; a case without a status sorts last.
_status_position = (
    select(cs.c.position)
    .where(cs.c.firm_id == c.c.firm_id, cs.c.id == c.c.status_id)
    .scalar_subquery()
)
_status_position.nullable = True  # type: ignore[attr-defined]
SORTS = {"status_position": _status_position, "completed_at": c.c.completed_at}

"""The change feed (GET /api/v1/changes): a firm's events after a cursor, in commit order,
for a client to sync from without webhooks.

Cursors are handed out in commit order (`resource.events`): a read numbers the events
committed since the last numbering, then reads in one snapshot, so what it sees is every
event up to some cursor, with no gap a later commit could fill, its caller's own writes
included.
Owners and admins get every event with its data as recorded. Anyone else gets the
changes of records they may open now, each with the record as they see it now (the
recorded data may embed what they may not see); a record gone since is left out, and its
deletion shows only to those who could open it when it went (`events.seen_by`).

A cursor below what the retention pruned (`webhooks.retention`) answers 410 with the
cursor to follow from after listing the records again: the feed never skips silently."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from asyncpg import Record
from fastapi import APIRouter, Request
from sqlalchemy import BigInteger, Integer, bindparam, func, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.accounts.description import ACCOUNTS
from advisercrm.auth.deps import CurrentPrincipal, RenderCtx
from advisercrm.auth.principal import Principal
from advisercrm.cases.description import CASES
from advisercrm.circles.description import CIRCLES
from advisercrm.db import Conn, own_transactions
from advisercrm.goals.description import GOALS
from advisercrm.idempotency.route import ApiRoute
from advisercrm.kit.errors import Errors, Gone
from advisercrm.kit.render import JSON, Ctx, timestamp
from advisercrm.kit.sql import FIRM, Query
from advisercrm.kit.transactions import snapshot
from advisercrm.plans.description import PLANS
from advisercrm.resource import service as resource_service
from advisercrm.resource.description import Resource
from advisercrm.resource.events import number_pending
from advisercrm.tables import event_counters, events
from advisercrm.tasks.description import TASKS
from advisercrm.tasks.includes import render as render_tasks

router = APIRouter(route_class=ApiRoute, tags=["changes"])
LIMIT_DEFAULT, LIMIT_MAX = 100, 500
Renderer = Callable[[AsyncConnection, Principal, list[int], Ctx], Awaitable[list[dict[str, Any]]]]


def _renderer(resource: Resource) -> Renderer:
    async def render(
        conn: AsyncConnection, principal: Principal, ids: list[int], ctx: Ctx
    ) -> list[dict[str, Any]]:
        return await resource_service.render(conn, principal, resource, ids, ctx)

    return render


async def _tasks(
    conn: AsyncConnection, principal: Principal, ids: list[int], ctx: Ctx
) -> list[dict[str, Any]]:
    return await render_tasks(conn, principal, ids, ctx)


# Each record type's resource and how its GET renders it.
KINDS: dict[str, tuple[Resource, Renderer]] = {
    "account": (ACCOUNTS, _renderer(ACCOUNTS)),
    "circle": (CIRCLES, _renderer(CIRCLES)),
    "case": (CASES, _renderer(CASES)),
    "plan": (PLANS, _renderer(PLANS)),
    "task": (TASKS, _tasks),
    "goal": (GOALS, _renderer(GOALS)),
}

_MARK = (
    select(func.coalesce(func.max(event_counters.c.pruned_through), 0).label("pruned"))
    .where(event_counters.c.firm_id == FIRM)
    .subquery("mark")
)
_ROWS = (
    select(
        events.c.cursor,
        events.c.name,
        events.c.created_at,
        events.c.uuid,
        events.c.record_type,
        events.c.record_uuid,
        events.c.payload,
        events.c.seen_by,
    )
    .where(events.c.firm_id == FIRM, events.c.cursor > bindparam("after", type_=BigInteger))
    .order_by(events.c.cursor)
    .limit(bindparam("limit", type_=Integer))
    .lateral("page")
)
# The page, and the highest cursor the retention pruned: one row with no event when the
# page is empty.
_PAGE = Query(
    select(_MARK.c.pruned, *_ROWS.c)
    .select_from(_MARK.outerjoin(_ROWS, true()))
    .order_by(_ROWS.c.cursor)
)


_PRUNED = (
    "Changes after cursor {after} are no longer kept: list the records again, then follow "
    "the changes after the cursor given here."
)


def _number(request: Request, name: str, default: int, least: int, most: int | None) -> Any:
    """A whole-number query parameter as Laravel's integer, min and max rules read it."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    text = raw.strip()
    if not text.lstrip("-").isdigit() or len(text) > 18:
        return f"The {name} field must be an integer."
    value = int(text)
    if value < least:
        return f"The {name} field must be at least {least}."
    if most is not None and value > most:
        return f"The {name} field must not be greater than {most}."
    return value


async def _visible_now(
    conn: AsyncConnection, principal: Principal, rows: Sequence[Record], ctx: Ctx
) -> dict[uuid.UUID, dict[str, Any]]:
    """The records of these events the principal may open now, as they see them, by UUID:
    per record type, one statement to find them and one to render them."""
    wanted: defaultdict[str, set[uuid.UUID]] = defaultdict(set)
    for row in rows:
        if not row["name"].endswith(".deleted"):
            wanted[row["record_type"]].add(row["record_uuid"])
    shown: dict[uuid.UUID, dict[str, Any]] = {}
    for kind, uuids in sorted(wanted.items()):
        resource, render = KINDS[kind]
        found = await resource_service.resolve(conn, principal, resource, sorted(uuids))
        ids = {int(r["id"]): ref for ref, r in found.items() if r["visible"]}
        if ids:
            rendered = await render(conn, principal, list(ids), ctx)
            shown |= {uuid.UUID(item["uuid"]): item for item in rendered}
    return shown


def _item(row: Record, data: Any, ctx: Ctx) -> dict[str, Any]:
    return {
        "cursor": str(row["cursor"]),
        "event": row["name"],
        "created_at": timestamp(row["created_at"], ctx),
        "uuid": str(row["uuid"]),
        "data": data,
    }


@router.get("/api/v1/changes", summary="The firm's changes after a cursor, in commit order")
@own_transactions
async def list_changes(
    request: Request, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    errors = Errors()
    after = _number(request, "after", 0, 0, None)
    limit = _number(request, "limit", LIMIT_DEFAULT, 1, LIMIT_MAX)
    for name, value in (("after", after), ("limit", limit)):
        if isinstance(value, str):
            errors.add(name, value)
    errors.raise_if_any()
    await number_pending(conn, principal.firm_id)
    async with snapshot(conn):
        return await _page(conn, principal, ctx, after, limit)


async def _page(
    conn: AsyncConnection, principal: Principal, ctx: Ctx, after: int, limit: int
) -> JSON:
    found = await _PAGE.all(conn, firm_id=principal.firm_id, after=after, limit=limit)
    if after < found[0]["pruned"]:
        raise Gone(_PRUNED.format(after=after), {"after": str(found[0]["pruned"])})
    rows = [row for row in found if row["cursor"] is not None]
    # The cursor moves past every event read, shown or not.
    following = str(rows[-1]["cursor"]) if rows else str(after)
    if principal.sees_whole_firm:
        return JSON({"data": [_item(r, r["payload"], ctx) for r in rows], "next": following})
    now = await _visible_now(conn, principal, rows, ctx)
    data = []
    for row in rows:
        if row["name"].endswith(".deleted"):
            if principal.account_id in (row["seen_by"] or ()):
                data.append(_item(row, row["payload"], ctx))
        elif row["record_uuid"] in now:
            data.append(_item(row, now[row["record_uuid"]], ctx))
    return JSON({"data": data, "next": following})

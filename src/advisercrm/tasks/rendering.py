"""Rendering many tasks at once: one statement for the tasks and everything they show
(`TaskRepository.rendered_rows`), and one more for client taskables when there are any."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asyncpg import Record
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.accounts.description import ACCOUNTS
from advisercrm.accounts.schemas import compact
from advisercrm.auth.principal import Principal
from advisercrm.cases.description import CASE_LINKS, case_row
from advisercrm.cases.schemas import case
from advisercrm.kit.render import Ctx, timestamp
from advisercrm.plans.schemas import plan
from advisercrm.resource import service as resource_service
from advisercrm.task_statuses.schemas import task_status
from advisercrm.tasks import schemas
from advisercrm.tasks.repository import TaskRepository


def person(row: Record | Mapping[str, Any] | None, ctx: Ctx) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        **compact(dict(row), ctx),
        "created_at": timestamp(row["created_at"], ctx),
        "updated_at": timestamp(row["updated_at"], ctx),
    }


class _Once:
    """Statuses and people recur across a page's tasks (three statuses, a few authors and
    assignees): each is rendered once per page and the result shared, as nothing changes
    a rendered task's parts afterwards."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.statuses: dict[int, dict[str, Any]] = {}
        self.people: dict[int, dict[str, Any] | None] = {}

    def status(self, row: Record) -> dict[str, Any]:
        shown = self.statuses.get(row["id"])
        if shown is None:
            shown = self.statuses[row["id"]] = task_status(dict(row), self.ctx)
        return shown

    def person(self, row: Record | None) -> dict[str, Any] | None:
        if row is None:
            return None
        if row["id"] not in self.people:
            self.people[row["id"]] = person(row, self.ctx)
        return self.people[row["id"]]


def _taskable(row: Record, clients: dict[int, Any], ctx: Ctx) -> Any:
    """The taskable resource: plans and cases come with the task's row, clients apart;
    None when the viewer may not open it."""
    kind = row["taskable_type"]
    if kind == "client":
        return clients.get(row["client_id"])
    if kind == "plan":
        if row["plan"] is None:  # not one the viewer may open
            return None
        return plan({**dict(row["plan"]), "accounts": row["plan_accounts"]}, ctx)
    if row["case"] is None:
        return None
    links = {name: row[f"case_{name}"] for name in CASE_LINKS}
    return case(case_row({**dict(row["case"]), **links}), ctx)


def _custom_fields(row: Record, ctx: Ctx) -> list[dict[str, Any]]:
    """The task's custom values in their fields' order (position, then creation)."""
    fields = sorted(row["fields"] or [], key=lambda field: (field["position"], field["id"]))
    values = dict(row["custom_values"] or [])
    return [schemas.custom_value(dict(field), values[field["id"]], ctx) for field in fields]


async def render(
    conn: AsyncConnection,
    principal: Principal,
    ids: list[int],
    ctx: Ctx,
    includes: set[str] | None = None,
) -> list[dict[str, Any]]:
    rows = await TaskRepository(conn, principal.firm_id).rendered_rows(ids, principal)
    client_ids = sorted({r["client_id"] for r in rows.values() if r["client_id"]})
    clients: dict[int, Any] = {}
    if client_ids:  # those the viewer may not open are left out: their tasks show null
        clients = await resource_service.render_embedded(conn, principal, ACCOUNTS, client_ids, ctx)
    once, rendered = _Once(ctx), []
    for task_id in ids:
        row = rows.get(task_id)
        if row is None:
            continue
        # By name, then creation: the links come back in no particular order.
        assignees = sorted(row["assignees"] or [], key=lambda a: (a["name"], a["id"]))
        related = {
            "status": once.status(row["status"]),
            "taskable": _taskable(row, clients, ctx),
            "author": once.person(row["author"]),
            "assigned_to": [once.person(a) for a in assignees],
            "completed_by": once.person(row["completed_by"]),
            "custom_fields": _custom_fields(row, ctx),
            "group_uuids": sorted(str(u) for u in row["group_uuids"] or []),
        }
        rendered.append(schemas.task(dict(row), related, ctx))
    if includes:
        await _include(conn, principal, rows, rendered, ctx, includes)
    return rendered


async def _include(
    conn: AsyncConnection,
    principal: Principal,
    rows: dict[int, Any],
    rendered: list[dict[str, Any]],
    ctx: Ctx,
    includes: set[str],
) -> None:
    """Embed parent tasks and subtasks (one level, as the list whitelist allows)."""
    by_uuid = {item["uuid"]: item for item in rendered}
    id_of = {str(row["uuid"]): task_id for task_id, row in rows.items()}
    if "parent_task" in includes:
        parents = {r["parent_id"] for r in rows.values() if r["parent_id"]}
        visible = await TaskRepository(conn, principal.firm_id).visible_ids(parents, principal)
        shown = {item["uuid"]: item for item in await render(conn, principal, sorted(visible), ctx)}
        for item in rendered:
            item["parent_task"] = (
                shown.get(item["parent_task_uuid"]) if item["parent_task_uuid"] else None
            )
    if "subtasks" in includes:
        links = await TaskRepository(conn, principal.firm_id).subtask_ids(
            list(id_of.values()), principal
        )
        children = await render(conn, principal, [link["id"] for link in links], ctx)
        for item in rendered:
            item["subtasks"] = []
        for child in children:
            parent = by_uuid.get(child["parent_task_uuid"])
            if parent is not None:
                parent["subtasks"].append(child)

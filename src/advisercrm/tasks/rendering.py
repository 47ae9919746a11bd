"""Rendering many tasks at once: a fixed number of queries however many tasks, people,
statuses, taskables and custom fields a page holds."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.accounts import service as accounts_service
from advisercrm.accounts.repository import AccountRepository
from advisercrm.accounts.schemas import compact
from advisercrm.auth.principal import Principal
from advisercrm.cases import service as cases_service
from advisercrm.custom_fields.repository import CustomFieldRepository
from advisercrm.kit.render import Ctx, timestamp
from advisercrm.plans import service as plans_service
from advisercrm.task_statuses.repository import TaskStatusRepository
from advisercrm.task_statuses.schemas import task_status
from advisercrm.tasks import schemas
from advisercrm.tasks.repository import TaskRepository


def person(row: dict[str, Any] | None, ctx: Ctx) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        **compact(row, ctx),
        "created_at": timestamp(row["created_at"], ctx),
        "updated_at": timestamp(row["updated_at"], ctx),
    }


async def _by_id(
    renderer: Any, conn: AsyncConnection, principal: Principal, ids: set[int], ctx: Ctx
) -> dict[int, Any]:
    ordered = sorted(ids)
    if not ordered:
        return {}
    return dict(zip(ordered, await renderer(conn, principal, ordered, ctx), strict=True))


async def render(
    conn: AsyncConnection,
    principal: Principal,
    ids: list[int],
    ctx: Ctx,
    includes: set[str] | None = None,
) -> list[dict[str, Any]]:
    repo = TaskRepository(conn, principal.firm_id)
    rows = await repo.rows(ids)
    assignees: dict[int, list[int]] = defaultdict(list)
    group_uuids: dict[int, list[str]] = defaultdict(list)
    values: dict[int, list[tuple[int, Any]]] = defaultdict(list)
    for link in await repo.links(ids):
        if link["kind"] == "assignee":
            assignees[link["task_id"]].append(link["ref"])
        elif link["kind"] == "group":
            group_uuids[link["task_id"]].append(str(link["value"]))
        else:
            values[link["task_id"]].append((link["ref"], link["value"]))
    people_ids = {r[k] for r in rows.values() for k in ("author_id", "completed_by_id") if r[k]}
    people_ids |= {a for linked in assignees.values() for a in linked}
    clients = {r["client_id"] for r in rows.values() if r["client_id"]}
    people = await AccountRepository(conn, principal.firm_id).load(people_ids)
    taskables = {
        "client": await _by_id(accounts_service.render, conn, principal, clients, ctx),
        "case": await _by_id(
            cases_service.render,
            conn,
            principal,
            {r["case_id"] for r in rows.values() if r["case_id"]},
            ctx,
        ),
        "plan": await _by_id(
            plans_service.render,
            conn,
            principal,
            {r["plan_id"] for r in rows.values() if r["plan_id"]},
            ctx,
        ),
    }
    statuses = await TaskStatusRepository(conn, principal.firm_id).load(
        {r["status_id"] for r in rows.values()}
    )
    fields = await CustomFieldRepository(conn, principal.firm_id).load(
        {f for v in values.values() for f, _ in v}
    )
    rendered = []
    for task_id in ids:
        row = rows.get(task_id)
        if row is None:
            continue
        taskable_id = row[f"{row['taskable_type']}_id"]
        custom = sorted(values[task_id], key=lambda item: (fields[item[0]]["position"], item[0]))
        related = {
            "status": task_status(statuses[row["status_id"]], ctx),
            "taskable": taskables[row["taskable_type"]].get(taskable_id),
            "author": person(people.get(row["author_id"]), ctx),
            # By name, then creation: the links come back in no particular order.
            "assigned_to": [
                person(people[a], ctx)
                for a in sorted(assignees[task_id], key=lambda a: (people[a]["name"], a))
            ],
            "completed_by": person(people.get(row["completed_by_id"]), ctx),
            "custom_fields": [schemas.custom_value(fields[f], v, ctx) for f, v in custom],
            "group_uuids": sorted(group_uuids[task_id]),
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

"""Tasks as the resource shows them, with the includes a request asks for: the parent
task and the subtasks (one level, as the list whitelist allows), each only if the viewer
may open it."""

from __future__ import annotations

import uuid
from typing import Any

from asyncpg import Record
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth.principal import Principal
from advisercrm.kit.render import Ctx
from advisercrm.resource import service as resource_service
from advisercrm.tasks.description import TASKS
from advisercrm.tasks.repository import TaskRepository


async def render(
    conn: AsyncConnection,
    principal: Principal,
    ids: list[int],
    ctx: Ctx,
    includes: set[str] | None = None,
) -> list[dict[str, Any]]:
    rendered = await resource_service.render(conn, principal, TASKS, ids, ctx)
    if includes:
        await include(conn, principal, rendered, ctx, includes)
    return rendered


async def show(
    conn: AsyncConnection, principal: Principal, row: Record, ctx: Ctx, includes: set[str]
) -> dict[str, Any]:
    """A task found `loaded` (`resource.router.path_row`), with its includes."""
    rendered = [await resource_service.show(conn, principal, TASKS, row, ctx)]
    if includes:
        await include(conn, principal, rendered, ctx, includes)
    return rendered[0]


async def include(
    conn: AsyncConnection,
    principal: Principal,
    rendered: list[dict[str, Any]],
    ctx: Ctx,
    includes: set[str],
) -> None:
    """Add the includes asked for to rendered tasks."""
    if "parent_task" in includes:
        # A parent the viewer may not open has no UUID in its subtask already.
        wanted = {item["parent_task_uuid"] for item in rendered} - {None}
        uuids = [uuid.UUID(u) for u in wanted]
        found = await resource_service.resolve(conn, principal, TASKS, uuids)
        parent_ids = sorted(row["id"] for row in found.values() if row["visible"])
        shown = {item["uuid"]: item for item in await render(conn, principal, parent_ids, ctx)}
        for item in rendered:
            item["parent_task"] = shown.get(item["parent_task_uuid"] or "")
    for item in rendered:
        if "related_tasks" in includes:
            item["related_tasks"] = []
        if "workflow_task" in includes:
            item["workflow_task"] = None
    if "subtasks" in includes:
        parents = [uuid.UUID(item["uuid"]) for item in rendered]
        links = await TaskRepository(conn, principal.firm_id).subtask_ids(parents, principal)
        children = await render(conn, principal, [link["id"] for link in links], ctx)
        by_uuid = {item["uuid"]: item for item in rendered}
        for item in rendered:
            item["subtasks"] = []
        for child in children:
            parent = by_uuid.get(child["parent_task_uuid"])
            if parent is not None:
                parent["subtasks"].append(child)

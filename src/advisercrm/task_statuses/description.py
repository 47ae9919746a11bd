"""Task statuses (/api/v1/task-status), the columns of a firm's task board: everyone in
the firm reads them, managers write; positions are appended, and an update may move a
status (the others shift to make room); a completed-type status is
never also "not started"; a status still used by tasks cannot be deleted (archive it)."""

from __future__ import annotations

from typing import Any

from asyncpg import Record
from sqlalchemy import true
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth.principal import Principal
from advisercrm.kit.errors import Conflict, Errors
from advisercrm.kit.listing import bool_filter, uuid_list_filter
from advisercrm.resource.description import Resource, Where, any_of, contains
from advisercrm.tables import task_statuses as ts
from advisercrm.task_statuses.repository import FLAGS, TaskStatusRepository
from advisercrm.task_statuses.schemas import (
    TaskStatusCreate,
    TaskStatusOut,
    TaskStatusUpdate,
    task_status,
)

# The first three are the colours of the defaults (and of migration 0002's backfill).
PALETTE = (
    "#9e9e9e",
    "#398898",
    "#4caf50",
    "#f44336",
    "#ff9800",
    "#2196f3",
    "#9c27b0",
    "#795548",
)
DEFAULTS: tuple[dict[str, Any], ...] = (
    {"name": "Not Started", "is_not_started": True},
    {"name": "In Progress"},
    {"name": "Completed", "is_type_completed": True},
)
IN_USE = "The task status is in use by tasks; archive it instead."
BOTH_FLAGS = "The :attribute field cannot be true for a completed-type status."


def default_colour(position: int) -> str:
    return PALETTE[(position - 1) % len(PALETTE)]


async def create_defaults(conn: AsyncConnection, firm_id: int) -> None:
    """The statuses a new firm starts with: Not Started, In Progress, Completed."""
    rows = [
        {
            "is_type_completed": False,
            "is_archived": False,
            "is_not_started": False,
            **status,
            "colour": default_colour(position),
            "position": position,
        }
        for position, status in enumerate(DEFAULTS, start=1)
    ]
    await TaskStatusRepository(conn, firm_id).insert_many(rows)


async def _check(
    conn: AsyncConnection,
    principal: Principal,
    current: Record | None,
    values: dict[str, Any],
    errors: Errors,
) -> dict[str, Any]:
    """A new status goes last, in the palette's next colour."""
    repo = TaskStatusRepository(conn, principal.firm_id)
    flags = {"is_type_completed": False, "is_not_started": False}
    if current is not None:
        flags = {name: current[name] for name in flags}
    flags |= {name: values[name] for name in flags if name in values}
    if flags["is_type_completed"] and flags["is_not_started"]:
        errors.add("is_not_started", BOTH_FLAGS)
    if current is None and not errors:
        await repo.lock("task_statuses")
        values["position"] = await repo.next_position(ts)
        values.setdefault("colour", default_colour(values["position"]))
    elif current is not None and "position" in values and not errors:
        await repo.lock("task_statuses")
        values["position"] = min(values["position"], await repo.next_position(ts) - 1)
        await repo.move(current["id"], current["position"], values["position"])
    return values


async def _unused(conn: AsyncConnection, principal: Principal, status: Record) -> None:
    if await TaskStatusRepository(conn, principal.firm_id).in_use(status["id"]):
        raise Conflict(IN_USE)


TASK_STATUSES = Resource(
    name="task_statuses",
    one="task_status",
    table=ts,
    visible=lambda principal: true(),
    render=task_status,
    sorts={"position": ts.c.position, "created_at": ts.c.created_at, "name": ts.c.name},
    default_sort="position",
    filters={
        "uuid": Where(uuid_list_filter, any_of(ts.c.uuid)),
        "name": contains(ts.c.name),
        **{flag: Where(bool_filter, ts.c[flag].__eq__) for flag in FLAGS},
    },
    columns=frozenset({"name", "colour", "position", *FLAGS}),
    check=_check,
    before_delete=_unused,
    who="manager",
    path="/api/v1/task-status",
    create=TaskStatusCreate,
    update=TaskStatusUpdate,
    out=TaskStatusOut,
)

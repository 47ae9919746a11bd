"""Task-status rules: managers write, everyone in the firm reads; positions are appended;
a status still used by tasks cannot be deleted (archive it instead)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth.principal import Principal
from advisercrm.kit.errors import Conflict, Errors, NotFound
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.render import Ctx
from advisercrm.task_statuses import schemas
from advisercrm.task_statuses.repository import TaskStatusRepository
from advisercrm.task_statuses.schemas import TaskStatusCreate, TaskStatusUpdate

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


def _may_write(principal: Principal) -> None:
    principal.require_manager()
    principal.require_write()


def _check_flags(completed: bool, not_started: bool) -> None:
    errors = Errors()
    if completed and not_started:
        errors.add("is_not_started", BOTH_FLAGS)
    errors.raise_if_any()


async def _find(repo: TaskStatusRepository, status_uuid: uuid.UUID | None) -> dict[str, Any]:
    row = await repo.find(status_uuid) if status_uuid else None
    if row is None:
        raise NotFound()
    return row


async def create(
    conn: AsyncConnection, principal: Principal, body: TaskStatusCreate, ctx: Ctx
) -> dict[str, Any]:
    _may_write(principal)
    _check_flags(body.is_type_completed, body.is_not_started)
    repo = TaskStatusRepository(conn, principal.firm_id)
    await repo.lock_positions()
    position = await repo.next_position()
    values = body.model_dump()
    values["colour"] = body.colour or default_colour(position)
    row = await repo.insert({**values, "position": position})
    return schemas.task_status(row, ctx)


async def get(
    conn: AsyncConnection, principal: Principal, status_uuid: uuid.UUID | None, ctx: Ctx
) -> dict[str, Any]:
    repo = TaskStatusRepository(conn, principal.firm_id)
    status_id = (await _find(repo, status_uuid))["id"]
    return schemas.task_status((await repo.load([status_id]))[status_id], ctx)


async def update(
    conn: AsyncConnection,
    principal: Principal,
    status_uuid: uuid.UUID | None,
    body: TaskStatusUpdate,
    ctx: Ctx,
) -> dict[str, Any]:
    repo = TaskStatusRepository(conn, principal.firm_id)
    current = await _find(repo, status_uuid)
    _may_write(principal)
    values = body.model_dump(exclude_none=True)
    merged = {**current, **values}
    _check_flags(merged["is_type_completed"], merged["is_not_started"])
    return schemas.task_status(await repo.update(current["id"], values), ctx)


async def delete(
    conn: AsyncConnection, principal: Principal, status_uuid: uuid.UUID | None
) -> None:
    repo = TaskStatusRepository(conn, principal.firm_id)
    status_id = (await _find(repo, status_uuid))["id"]
    principal.require_manager()
    principal.require_delete()
    if await repo.in_use(status_id):
        raise Conflict(IN_USE)
    await repo.delete(status_id)


async def list_statuses(
    conn: AsyncConnection, principal: Principal, query: ListQuery, ctx: Ctx
) -> tuple[list[dict[str, Any]], int]:
    repo = TaskStatusRepository(conn, principal.firm_id)
    ids, total = await repo.page(query)
    loaded = await repo.load(ids)
    return [schemas.task_status(loaded[i], ctx) for i in ids if i in loaded], total

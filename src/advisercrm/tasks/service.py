"""Task rules: taskables, statuses and completion, subtasks without
cycles, assignees, groups and custom-field values."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from asyncpg import Record
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth.principal import Principal
from advisercrm.kit.body import BodyErrors
from advisercrm.kit.errors import Conflict, Errors, ValidationFailed
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.references import INVALID, check_uuid_list
from advisercrm.kit.render import Ctx
from advisercrm.kit.times import in_zone
from advisercrm.resource import events
from advisercrm.resource import service as resource_service
from advisercrm.task_statuses.repository import TaskStatusRepository
from advisercrm.tasks import listing
from advisercrm.tasks.description import TASKS
from advisercrm.tasks.includes import include, render
from advisercrm.tasks.repository import TaskRepository
from advisercrm.tasks.schemas import PRIORITIES, TaskCreate, TaskUpdate
from advisercrm.tasks.values import check_values

TASKABLE_ID = {"client": "client_id", "case": "case_id", "plan": "plan_id"}
REFERENCES = ("taskable_id", "status", "parent_id", "accounts", "groups", "fields")
Row = Record | Mapping[str, Any]


@dataclass
class Resolved:
    """What the body's references resolve to, as column values and link ids."""

    columns: dict[str, Any] = field(default_factory=dict)
    status: Row | None = None
    assignee_ids: list[int] | None = None
    group_ids: list[int] | None = None
    custom_values: dict[int, Any] = field(default_factory=dict)


def _by_uuid(pairs: list[tuple[Any, ...]] | None, *names: str) -> dict[uuid.UUID, dict[str, Any]]:
    """(uuid, values...) tuples as rows by UUID, for `check_uuid_list`."""
    return {pair[0]: dict(zip(names, pair[1:], strict=True)) for pair in pairs or []}


async def _resolve(
    conn: AsyncConnection,
    principal: Principal,
    body: TaskCreate | TaskUpdate,
    ctx: Ctx,
    task: Row | None,
) -> Resolved:
    """Check every reference of the body, looked up in one round trip. For a create the
    status row is locked there too: see `TaskRepository.create`."""
    errors, out, given = BodyErrors(body), Resolved(), body.model_fields_set
    repo = TaskRepository(conn, principal.firm_id)
    kind = body.taskable_type or (task["taskable_type"] if task else None)
    wants_parent = "parent_task_uuid" in given and body.parent_task_uuid is not None
    values = {
        "taskable_uuid": body.taskable_uuid if kind is not None else None,
        "status_uuid": body.task_status_uuid,
        "parent_uuid": body.parent_task_uuid if wants_parent else None,
        "account_uuids": body.assigned_to_uuids or [],
        "group_uuids": body.group_uuids or [],
        "with_fields": body.custom_fields is not None or task is None,
    }
    refs: Any = dict.fromkeys(REFERENCES)
    if any(values.values()):  # an update may name nothing to look up
        refs = await repo.references(principal, kind, values, lock_status=task is None)
    if body.taskable_uuid is not None and kind is not None:
        taskable_id = refs["taskable_id"]
        if taskable_id is None:
            errors.add("taskable_uuid", INVALID)
        out.columns |= {"taskable_type": kind, "client_id": None, "case_id": None, "plan_id": None}
        out.columns[TASKABLE_ID[kind]] = taskable_id
    elif _same_kind(body, task):
        pass  # a task's own taskable type, read and written back: nothing changes
    elif (body.taskable_type is not None or "taskable_uuid" in given) and (
        "taskable_type" not in errors.rejected
    ):
        errors.add(
            "taskable_uuid", "The :attribute field is required when taskable type is present."
        )
    if body.task_status_uuid is not None:
        out.status = refs["status"]
        if out.status is None:
            errors.add("task_status_uuid", INVALID)
        elif out.status["is_archived"]:
            errors.add("task_status_uuid", "The selected :attribute is archived.")
    await _resolve_parent(repo, body, task, refs["parent_id"], out, errors)
    if body.assigned_to_uuids is not None:
        found = _by_uuid(refs["accounts"], "id", "visible")
        out.assignee_ids = check_uuid_list(
            "assigned_to_uuids", body.assigned_to_uuids, found, errors, lambda r: r["visible"]
        )
    if body.group_uuids is not None:
        groups = _by_uuid(refs["groups"], "id")
        out.group_ids = check_uuid_list("group_uuids", body.group_uuids, groups, errors)
    definitions = [dict(d) for d in refs["fields"] or []]
    if body.custom_fields is not None:
        out.custom_values = check_values(
            definitions, body.custom_fields, task is None, ctx.timezone, errors
        )
    elif task is None:
        check_values(definitions, {}, True, ctx.timezone, errors)
    errors.raise_if_any()
    return out


def _same_kind(body: TaskCreate | TaskUpdate, task: Row | None) -> bool:
    """An update naming the task's own taskable type and no taskable UUID."""
    given = body.model_fields_set
    kind = task["taskable_type"] if task else None
    return kind is not None and body.taskable_type == kind and "taskable_uuid" not in given


async def _resolve_parent(
    repo: TaskRepository,
    body: TaskCreate | TaskUpdate,
    task: Row | None,
    parent_id: int | None,
    out: Resolved,
    errors: Errors,
) -> None:
    if "parent_task_uuid" not in body.model_fields_set:
        return
    if body.parent_task_uuid is None:
        out.columns["parent_id"] = None
        return
    if parent_id is None:
        errors.add("parent_task_uuid", INVALID)
    elif task is not None and await repo.in_subtree(int(task["id"]), int(parent_id)):
        errors.add(
            "parent_task_uuid", "The :attribute cannot be the task itself or one of its subtasks."
        )
    else:
        out.columns["parent_id"] = int(parent_id)


def _plain_columns(body: TaskCreate | TaskUpdate, ctx: Ctx) -> dict[str, Any]:
    given = body.model_fields_set
    columns: dict[str, Any] = {k: getattr(body, k) for k in ("name", "description") if k in given}
    if "priority" in given:
        columns["priority"] = PRIORITIES.index(body.priority) + 1 if body.priority else None
    if "due_at" in given:
        columns["due_at"] = in_zone(body.due_at, ctx.timezone) if body.due_at else None
    return columns


def _completion(principal: Principal, done: bool) -> dict[str, Any]:
    if done:
        return {"completed_at": dt.datetime.now(dt.UTC), "completed_by_id": principal.account_id}
    return {"completed_at": None, "completed_by_id": None}


async def _save_links(repo: TaskRepository, task_id: int, resolved: Resolved) -> None:
    if resolved.assignee_ids is not None:
        await repo.replace_assignees(task_id, resolved.assignee_ids)
    if resolved.group_ids is not None:
        await repo.replace_groups(task_id, resolved.group_ids)
    if resolved.custom_values:
        await repo.set_custom_values(task_id, resolved.custom_values)


async def create(
    conn: AsyncConnection, principal: Principal, body: TaskCreate, ctx: Ctx
) -> dict[str, Any]:
    resolved = await _resolve(conn, principal, body, ctx, None)
    assert resolved.status is not None
    columns = {
        **_plain_columns(body, ctx),
        **resolved.columns,
        **_completion(principal, bool(resolved.status["is_type_completed"])),
        "status_id": int(resolved.status["id"]),
        "author_id": principal.account_id,
    }
    # A new task has no links yet: nothing to delete, and no value to clear.
    values = {k: v for k, v in resolved.custom_values.items() if v is not None}
    row = await TaskRepository(conn, principal.firm_id).create(
        principal, columns, resolved.assignee_ids or [], resolved.group_ids or [], values
    )
    # The row comes loaded from the insert: rendered with no statement after it.
    shown = (await resource_service.render_rows(conn, principal, TASKS, [row], ctx))[0]
    return await _recorded(conn, principal, "created", int(row["id"]), ctx, shown=shown)


async def _recorded(
    conn: AsyncConnection,
    principal: Principal,
    action: str,
    task_id: int,
    ctx: Ctx,
    completed: bool = False,
    others: Sequence[events.Event] = (),
    shown: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The task as the writer sees it (`shown`, else rendered), its events recorded:
    task.completed too when the write completed it, and then the `others` the write
    caused."""

    async def again(owner: Principal) -> dict[str, Any]:
        return (await render(conn, owner, [task_id], ctx))[0]

    if shown is None:
        shown = (await render(conn, principal, [task_id], ctx))[0]
    also = ["task.completed"] if completed else []
    return await resource_service.recorded(
        conn, principal, TASKS, action, shown, again, also, others
    )


def _completes(task: Record, columns: dict[str, Any]) -> bool:
    """Whether writing these columns completes an open task."""
    return task["completed_at"] is None and columns.get("completed_at") is not None


async def find_status(
    conn: AsyncConnection, principal: Principal, status_uuid: uuid.UUID
) -> Row | None:
    """A task status of the firm, named in an uncomplete path."""
    found = await TaskStatusRepository(conn, principal.firm_id).resolve([status_uuid])
    return found.get(status_uuid)


async def _move(
    repo: TaskRepository, principal: Principal, task: Row, status: Row
) -> dict[str, Any]:
    """Columns for moving a task to a status: the end of its column, and completion kept
    in step with whether the new status is a completed one."""
    if int(status["id"]) == task["status_id"]:
        return {}
    columns: dict[str, Any] = {"status_id": int(status["id"])}
    columns["position"] = await repo.append_position(int(status["id"]))
    if bool(status["is_type_completed"]) != (task["completed_at"] is not None):
        columns |= _completion(principal, bool(status["is_type_completed"]))
    return columns


async def update(
    conn: AsyncConnection,
    principal: Principal,
    task: Record,
    body: TaskUpdate,
    ctx: Ctx,
) -> dict[str, Any]:
    repo = TaskRepository(conn, principal.firm_id)
    resolved = await _resolve(conn, principal, body, ctx, task)
    columns = {**_plain_columns(body, ctx), **resolved.columns}
    if resolved.status is not None:
        columns |= await _move(repo, principal, task, resolved.status)
    shifted: list[int] = []
    if body.position is not None:
        status_id = columns.get("status_id", task["status_id"])
        old = columns.get("position", task["position"])
        placed = await repo.place(int(task["id"]), status_id, old, body.position)
        columns["position"], shifted = placed
    await repo.update(int(task["id"]), columns)
    await _save_links(repo, int(task["id"]), resolved)
    completes = _completes(task, columns)
    others = await resource_service.updated(conn, principal, {"tasks": shifted}, ctx)
    return await _recorded(conn, principal, "updated", int(task["id"]), ctx, completes, others)


async def complete(
    conn: AsyncConnection, principal: Principal, task: Record, ctx: Ctx
) -> dict[str, Any]:
    repo = TaskRepository(conn, principal.firm_id)
    statuses = TaskStatusRepository(conn, principal.firm_id)
    current = (await statuses.load([task["status_id"]]))[task["status_id"]]
    if not current["is_type_completed"]:
        target = await statuses.first_completed()
        if target is None:
            raise Conflict("The firm has no completed task status to move the task to.")
        columns = await _move(repo, principal, task, target)
        await repo.update(int(task["id"]), columns | _completion(principal, True))
        return await _recorded(conn, principal, "updated", int(task["id"]), ctx, True)
    # Already in a completed status: nothing changes, so nothing is recorded.
    return (await render(conn, principal, [int(task["id"])], ctx))[0]


async def uncomplete(
    conn: AsyncConnection,
    principal: Principal,
    task: Record,
    status: Row,
    ctx: Ctx,
) -> dict[str, Any]:
    repo = TaskRepository(conn, principal.firm_id)
    if status["is_type_completed"] or status["is_archived"]:
        message = (
            "The selected task status uuid must be an open status (not completed or archived)."
        )
        raise ValidationFailed({"task_status_uuid": [message]})
    columns = await _move(repo, principal, task, status)
    await repo.update(int(task["id"]), columns | _completion(principal, False))
    return await _recorded(conn, principal, "updated", int(task["id"]), ctx)


async def list_tasks(
    conn: AsyncConnection, principal: Principal, query: ListQuery, ctx: Ctx
) -> tuple[list[dict[str, Any]], int]:
    compiled, params = listing.statement(query, principal, ctx.timezone)
    rendered, total = await resource_service.rendered_page(
        conn, principal, TASKS, compiled, query, ctx, **params
    )
    if query.includes:
        await include(conn, principal, rendered, ctx, query.includes)
    return rendered, total

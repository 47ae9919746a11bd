"""Task rules (spec section 3): taskables, statuses and completion, subtasks without
cycles, assignees, groups and custom-field values."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.accounts.repository import AccountRepository
from advisercrm.auth.principal import Principal
from advisercrm.cases.repository import CaseRepository
from advisercrm.custom_fields.repository import CustomFieldRepository
from advisercrm.groups.repository import GroupRepository
from advisercrm.kit.errors import Conflict, Errors, Forbidden, NotFound, ValidationFailed
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.references import INVALID, check_uuid_list
from advisercrm.kit.render import Ctx
from advisercrm.kit.times import in_zone
from advisercrm.plans.repository import PlanRepository
from advisercrm.task_statuses.repository import TaskStatusRepository
from advisercrm.tasks.rendering import render
from advisercrm.tasks.repository import TaskRepository
from advisercrm.tasks.schemas import PRIORITIES, TaskCreate, TaskUpdate
from advisercrm.tasks.values import check_values

TASKABLE_ID = {"client": "client_id", "case": "case_id", "plan": "plan_id"}


@dataclass
class Resolved:
    """What the body's references resolve to, as column values and link ids."""

    columns: dict[str, Any] = field(default_factory=dict)
    status: RowMapping | None = None
    assignee_ids: list[int] | None = None
    group_ids: list[int] | None = None
    custom_values: dict[int, Any] = field(default_factory=dict)


def _may_write(principal: Principal) -> None:
    """Staff write tasks; client and external accounts never do."""
    if not principal.is_employee:
        raise Forbidden()
    principal.require_write()


async def _taskable(
    conn: AsyncConnection, principal: Principal, kind: str, ref: uuid.UUID
) -> int | None:
    if kind == "client":
        found = await AccountRepository(conn, principal.firm_id).resolve([ref], principal)
        row = found.get(ref)
        return int(row["id"]) if row and row["visible"] and row["type"] == "client" else None
    repo = (
        CaseRepository(conn, principal.firm_id)
        if kind == "case"
        else PlanRepository(conn, principal.firm_id)
    )
    record = (await repo.resolve([ref], principal)).get(ref)
    return int(record["id"]) if record and record["visible"] else None


async def _resolve(
    conn: AsyncConnection,
    principal: Principal,
    body: TaskCreate | TaskUpdate,
    ctx: Ctx,
    task: RowMapping | None,
) -> Resolved:
    errors, out, given = Errors(), Resolved(), body.model_fields_set
    kind = body.taskable_type or (task["taskable_type"] if task else None)
    if body.taskable_uuid is not None and kind is not None:
        taskable_id = await _taskable(conn, principal, kind, body.taskable_uuid)
        if taskable_id is None:
            errors.add("taskable_uuid", INVALID)
        out.columns |= {"taskable_type": kind, "client_id": None, "case_id": None, "plan_id": None}
        out.columns[TASKABLE_ID[kind]] = taskable_id
    elif body.taskable_type is not None or "taskable_uuid" in given:
        errors.add(
            "taskable_uuid", "The :attribute field is required when taskable type is present."
        )
    if body.task_status_uuid is not None:
        statuses = await TaskStatusRepository(conn, principal.firm_id).resolve(
            [body.task_status_uuid]
        )
        out.status = statuses.get(body.task_status_uuid)
        if out.status is None:
            errors.add("task_status_uuid", INVALID)
        elif out.status["is_archived"]:
            errors.add("task_status_uuid", "The selected :attribute is archived.")
    await _resolve_parent(conn, principal, body, task, out, errors)
    await _resolve_links(conn, principal, body, out, errors)
    if body.custom_fields is not None:
        definitions = await CustomFieldRepository(conn, principal.firm_id).for_model("task")
        out.custom_values = check_values(
            definitions, body.custom_fields, task is None, ctx.timezone, errors
        )
    elif task is None:
        definitions = await CustomFieldRepository(conn, principal.firm_id).for_model("task")
        check_values(definitions, {}, True, ctx.timezone, errors)
    errors.raise_if_any()
    return out


async def _resolve_parent(
    conn: AsyncConnection,
    principal: Principal,
    body: TaskCreate | TaskUpdate,
    task: RowMapping | None,
    out: Resolved,
    errors: Errors,
) -> None:
    if "parent_task_uuid" not in body.model_fields_set:
        return
    if body.parent_task_uuid is None:
        out.columns["parent_id"] = None
        return
    repo = TaskRepository(conn, principal.firm_id)
    parent = (await repo.resolve([body.parent_task_uuid], principal)).get(body.parent_task_uuid)
    if parent is None:
        errors.add("parent_task_uuid", INVALID)
    elif task is not None and await repo.in_subtree(int(task["id"]), int(parent["id"])):
        errors.add(
            "parent_task_uuid", "The :attribute cannot be the task itself or one of its subtasks."
        )
    else:
        out.columns["parent_id"] = int(parent["id"])


async def _resolve_links(
    conn: AsyncConnection,
    principal: Principal,
    body: TaskCreate | TaskUpdate,
    out: Resolved,
    errors: Errors,
) -> None:
    if body.assigned_to_uuids is not None:
        found = await AccountRepository(conn, principal.firm_id).resolve(
            body.assigned_to_uuids, principal
        )
        out.assignee_ids = check_uuid_list(
            "assigned_to_uuids", body.assigned_to_uuids, found, errors, lambda r: r["visible"]
        )
    if body.group_uuids is not None:
        groups = await GroupRepository(conn, principal.firm_id).resolve(body.group_uuids)
        out.group_ids = check_uuid_list("group_uuids", body.group_uuids, groups, errors)


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
    _may_write(principal)
    resolved = await _resolve(conn, principal, body, ctx, None)
    assert resolved.status is not None
    repo = TaskRepository(conn, principal.firm_id)
    status_id = int(resolved.status["id"])
    columns = {
        **_plain_columns(body, ctx),
        **resolved.columns,
        **_completion(principal, bool(resolved.status["is_type_completed"])),
        "status_id": status_id,
        "author_id": principal.account_id,
        "position": await repo.append_position(status_id),
    }
    task_id = await repo.insert(columns)
    await _save_links(repo, task_id, resolved)
    return (await render(conn, principal, [task_id], ctx))[0]


async def _find(
    repo: TaskRepository, principal: Principal, task_uuid: uuid.UUID | None
) -> RowMapping:
    row = await repo.find(task_uuid, principal) if task_uuid else None
    if row is None:
        raise NotFound()
    return row


async def _move(
    repo: TaskRepository, principal: Principal, task: RowMapping, status: RowMapping
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
    task_uuid: uuid.UUID | None,
    body: TaskUpdate,
    ctx: Ctx,
) -> dict[str, Any]:
    repo = TaskRepository(conn, principal.firm_id)
    task = await _find(repo, principal, task_uuid)
    _may_write(principal)
    resolved = await _resolve(conn, principal, body, ctx, task)
    columns = {**_plain_columns(body, ctx), **resolved.columns}
    if resolved.status is not None:
        columns |= await _move(repo, principal, task, resolved.status)
    await repo.update(int(task["id"]), columns)
    await _save_links(repo, int(task["id"]), resolved)
    return (await render(conn, principal, [int(task["id"])], ctx))[0]


async def complete(
    conn: AsyncConnection, principal: Principal, task_uuid: uuid.UUID | None, ctx: Ctx
) -> dict[str, Any]:
    repo = TaskRepository(conn, principal.firm_id)
    task = await _find(repo, principal, task_uuid)
    _may_write(principal)
    statuses = TaskStatusRepository(conn, principal.firm_id)
    current = (await statuses.load([task["status_id"]]))[task["status_id"]]
    if not current["is_type_completed"]:
        target = await statuses.first_completed()
        if target is None:
            raise Conflict("The firm has no completed task status to move the task to.")
        columns = await _move(repo, principal, task, target)
        await repo.update(int(task["id"]), columns | _completion(principal, True))
    return (await render(conn, principal, [int(task["id"])], ctx))[0]


async def uncomplete(
    conn: AsyncConnection,
    principal: Principal,
    task_uuid: uuid.UUID | None,
    status_uuid: uuid.UUID | None,
    ctx: Ctx,
) -> dict[str, Any]:
    repo = TaskRepository(conn, principal.firm_id)
    task = await _find(repo, principal, task_uuid)
    _may_write(principal)
    found = await TaskStatusRepository(conn, principal.firm_id).resolve(
        [status_uuid] if status_uuid else []
    )
    status = found.get(status_uuid) if status_uuid else None
    if status is None:
        raise NotFound()
    if status["is_type_completed"] or status["is_archived"]:
        message = (
            "The selected task status uuid must be an open status (not completed or archived)."
        )
        raise ValidationFailed({"task_status_uuid": [message]})
    columns = await _move(repo, principal, task, status)
    await repo.update(int(task["id"]), columns | _completion(principal, False))
    return (await render(conn, principal, [int(task["id"])], ctx))[0]


async def delete(conn: AsyncConnection, principal: Principal, task_uuid: uuid.UUID | None) -> None:
    repo = TaskRepository(conn, principal.firm_id)
    task = await _find(repo, principal, task_uuid)
    principal.require_employee()
    principal.require_delete()
    await repo.delete(int(task["id"]))


async def get(
    conn: AsyncConnection,
    principal: Principal,
    task_uuid: uuid.UUID | None,
    ctx: Ctx,
    includes: set[str],
) -> dict[str, Any]:
    task = await _find(TaskRepository(conn, principal.firm_id), principal, task_uuid)
    return (await render(conn, principal, [int(task["id"])], ctx, includes))[0]


async def list_tasks(
    conn: AsyncConnection, principal: Principal, query: ListQuery, ctx: Ctx
) -> tuple[list[dict[str, Any]], int]:
    ids, total = await TaskRepository(conn, principal.firm_id).page(query, principal, ctx.timezone)
    return await render(conn, principal, ids, ctx, query.includes), total

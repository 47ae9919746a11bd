"""Task requests and the task resource (docs/API.md, Tasks)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, Strict
from pydantic_core import PydanticCustomError

from advisercrm.accounts.schemas import AccountOut
from advisercrm.cases.schemas import CaseOut
from advisercrm.kit.body import Body
from advisercrm.kit.fields import Int, Required, UUIDStr, clean_text
from advisercrm.kit.render import Ctx, timestamp
from advisercrm.kit.times import parse_datetime, wall_clock
from advisercrm.plans.schemas import PlanOut

Priority = Literal["low", "medium", "high", "highest"]
PRIORITIES: tuple[str, ...] = get_args(Priority)
TaskableType = Literal["client", "case", "plan"]
TASKABLE_TYPES: tuple[str, ...] = get_args(TaskableType)
DueAt = Annotated[dt.datetime, BeforeValidator(parse_datetime)]
# Length rules sit on the string itself so they fail as string_too_short/_long (a length
# rule on an annotated alias fails as a collection's "items").
TaskName = Annotated[str, Strict(), Field(min_length=1, max_length=255), AfterValidator(clean_text)]
Description = Annotated[str, Strict(), Field(max_length=65535), AfterValidator(clean_text)]
UUIDs = Annotated[list[UUIDStr], Field(max_length=100)]


def _one_value(item: Any) -> Any:
    """A custom value as a task shows it (its field's reference and the value, among the
    field's other keys) as the one-key object a request sends: read back, it writes the
    same value."""
    if isinstance(item, dict) and len(item) > 1 and {"reference", "value"} <= item.keys():
        return {item["reference"]: item["value"]}
    return item


def _custom_fields(value: Any) -> dict[str, Any]:
    """Both request shapes: {"ref": value} and the older [{"ref": value}, ...] (whose
    items may be the custom values a task shows)."""
    if isinstance(value, dict):
        return value
    items = [_one_value(item) for item in value] if isinstance(value, list) else None
    if items is not None and all(isinstance(item, dict) and len(item) == 1 for item in items):
        merged: dict[str, Any] = {}
        for item in items:
            merged.update(item)
        return merged
    raise PydanticCustomError(
        "laravel",
        "The :attribute field must be an object keyed by reference or an array of one-key objects.",
    )


CustomFields = Annotated[dict[str, Any], BeforeValidator(_custom_fields)]


class TaskCreate(Body):
    name: Annotated[TaskName, Required]
    description: Description | None = None
    priority: Priority | None = None
    due_at: DueAt | None = None
    taskable_type: Annotated[TaskableType, Required]
    taskable_uuid: Annotated[UUIDStr, Required]
    task_status_uuid: Annotated[UUIDStr, Required]
    parent_task_uuid: UUIDStr | None = None
    assigned_to_uuids: UUIDs = Field(default=[])
    custom_fields: CustomFields | None = None
    group_uuids: UUIDs = Field(default=[])


class TaskUpdate(Body):
    """Every field optional; only the given ones change. The required ones refuse null."""

    name: Annotated[TaskName | None, Required] = None
    description: Description | None = None
    priority: Priority | None = None
    due_at: DueAt | None = None
    taskable_type: Annotated[TaskableType | None, Required] = None
    taskable_uuid: Annotated[UUIDStr | None, Required] = None
    task_status_uuid: Annotated[UUIDStr | None, Required] = None
    parent_task_uuid: UUIDStr | None = None
    assigned_to_uuids: UUIDs | None = None
    custom_fields: CustomFields | None = None
    group_uuids: UUIDs | None = None
    # Beyond Plannr's documented fields: the task's place in its (new) status column.
    position: Annotated[Int, Field(ge=1)] | None = None


class PersonOut(BaseModel):
    uuid: str
    type: str
    role: str
    first_name: str | None
    last_name: str | None
    name: str
    email: str | None
    photo_url: str
    created_at: str
    updated_at: str


class StatusOut(BaseModel):
    name: str
    uuid: str
    colour: str
    position: int
    created_at: str
    updated_at: str
    is_archived: bool
    is_not_started: bool
    is_type_completed: bool


class CustomFieldValueOut(BaseModel):
    uuid: str
    name: str
    type: str
    reference: str
    value: Any
    help_text: str | None
    is_required: bool
    selection_options: list[str] | None
    created_at: str
    updated_at: str


class TaskOut(BaseModel):
    uuid: str
    name: str
    description: str | None
    priority: Priority | None
    due_at: str | None = Field(description="YYYY-MM-DD HH:MM:SS in the firm's time zone")
    position: int
    status: StatusOut
    taskable_type: TaskableType
    taskable: AccountOut | CaseOut | PlanOut | None = Field(
        description="The client account, case or plan resource (as taskable_type says); "
        "null when the viewer may not open it"
    )
    author: PersonOut | None
    assigned_to: list[PersonOut]
    completed_at: str | None
    completed_by: PersonOut | None
    custom_fields: list[CustomFieldValueOut]
    parent_task_uuid: str | None
    group_uuids: list[str]
    created_at: str
    updated_at: str
    parent_task: TaskOut | None = Field(
        None, description="With include=parent_task: the parent (null when none or not visible)"
    )
    subtasks: list[TaskOut] | None = Field(None, description="With include=subtasks")
    related_tasks: list[TaskOut] | None = Field(
        None, description="With include=related_tasks: always empty (no task relations here)"
    )
    workflow_task: None = Field(
        None, description="With include=workflow_task: always null (no workflows here)"
    )


def custom_value(field: dict[str, Any], value: Any, ctx: Ctx) -> dict[str, Any]:
    shown = value
    if field["type"] == "datetime" and isinstance(value, str):
        shown = wall_clock(dt.datetime.fromisoformat(value), ctx.timezone)
    return {
        "uuid": str(field["uuid"]),
        "name": field["name"],
        "type": field["type"],
        "reference": field["reference"],
        "value": shown,
        "help_text": field["help_text"],
        "is_required": field["is_required"],
        "selection_options": field["selection_options"],
        "created_at": timestamp(field["created_at"], ctx),
        "updated_at": timestamp(field["updated_at"], ctx),
    }


def task(row: dict[str, Any], related: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    """The task resource; `related` holds the already-rendered status, taskable, people,
    custom-field values and group UUIDs of this task."""
    return {
        "uuid": str(row["uuid"]),
        "name": row["name"],
        "description": row["description"],
        "priority": PRIORITIES[row["priority"] - 1] if row["priority"] else None,
        "due_at": wall_clock(row["due_at"], ctx.timezone),
        "position": row["position"],
        "status": related["status"],
        "taskable_type": row["taskable_type"],
        "taskable": related["taskable"],
        "author": related["author"],
        "assigned_to": related["assigned_to"],
        "completed_at": wall_clock(row["completed_at"], ctx.timezone),
        "completed_by": related["completed_by"],
        "custom_fields": related["custom_fields"],
        "parent_task_uuid": str(row["parent_uuid"]) if row["parent_uuid"] else None,
        "group_uuids": related["group_uuids"],
        "created_at": timestamp(row["created_at"], ctx),
        "updated_at": timestamp(row["updated_at"], ctx),
    }

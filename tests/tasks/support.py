"""Shared helpers of the tasks tests: routes, resource keys, a world of records to hang
tasks on, the firm's task count and the expected 422 bodies."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from tests.accounts.support import ACCOUNT_KEYS  # noqa: F401 - shared by the tests importing it here
from tests.helpers import Actor, Firm

TASKS = "/api/v1/task"
UNAUTHORIZED = {"message": "This action is unauthorized."}
NOT_FOUND = {"message": "Not found."}
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
WALL = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")

TASK_KEYS = {
    "uuid", "name", "description", "priority", "due_at", "position", "status",
    "taskable_type", "taskable", "author", "assigned_to", "completed_at", "completed_by",
    "custom_fields", "parent_task_uuid", "group_uuids", "created_at", "updated_at",
}  # fmt: skip
STATUS_KEYS = {
    "name", "uuid", "colour", "position", "created_at", "updated_at", "is_archived",
    "is_not_started", "is_type_completed",
}  # fmt: skip
PERSON_KEYS = {
    "uuid", "type", "role", "first_name", "last_name", "name", "email", "photo_url",
    "created_at", "updated_at",
}  # fmt: skip
CUSTOM_VALUE_KEYS = {
    "uuid", "name", "type", "reference", "value", "help_text", "is_required",
    "selection_options", "created_at", "updated_at",
}  # fmt: skip
CASE_KEYS = {
    "uuid", "name", "value", "review_at", "participants", "participants_count",
    "assigned_to_uuids", "group_uuids", "status", "type", "completed_at", "plans",
    "created_at", "updated_at",
}  # fmt: skip
PLAN_KEYS = {
    "uuid", "name", "type", "policy_number", "status", "accounts", "created_at", "updated_at",
}  # fmt: skip


def task_path(task_uuid: str, action: str = "") -> str:
    return f"{TASKS}/{task_uuid}{action}"


def random_uuid() -> str:
    return str(uuid.uuid4())


@dataclass
class World:
    """Records of one firm that tasks refer to. `task` has the subtask `subtask`."""

    firm: Firm
    client: dict[str, Any]
    case: dict[str, Any]
    plan: dict[str, Any]
    statuses: list[dict[str, Any]]  # Not Started, In Progress, Completed
    archived: dict[str, Any]
    group: dict[str, Any]
    task: dict[str, Any]
    subtask: dict[str, Any]

    @property
    def owner(self) -> Actor:
        return self.firm.owner

    def body(self, **overrides: Any) -> dict[str, Any]:
        """A valid create body on the client, in Not Started."""
        return {
            "name": "Call the client",
            "taskable_type": "client",
            "taskable_uuid": self.client["uuid"],
            "task_status_uuid": self.statuses[0]["uuid"],
            **overrides,
        }

    async def task_made(self, actor: Actor | None = None, **overrides: Any) -> dict[str, Any]:
        return await (actor or self.owner).created(TASKS, self.body(**overrides))


async def build_world(firm: Firm) -> World:
    owner = firm.owner
    client = await firm.client_account()
    case = await owner.created(
        "/api/v1/cases", {"name": "Remortgage", "participants": [client["uuid"]], "value": 500000}
    )
    plan = await owner.created(
        "/api/v1/plans", {"name": "Pension", "type": "pension", "accounts": [client["uuid"]]}
    )
    statuses = (await owner.get("/api/v1/task-status")).json()["data"]
    archived = await owner.created("/api/v1/task-status", {"name": "Old", "is_archived": True})
    group = await firm.group([])
    world = World(firm, client, case, plan, statuses, archived, group, {}, {})
    world.task = await world.task_made(name="Parent")
    world.subtask = await world.task_made(name="Child", parent_task_uuid=world.task["uuid"])
    return world


def invalid(errors: dict[str, list[str]]) -> dict[str, Any]:
    """The 422 body Laravel gives for these errors (first message, count of the rest)."""
    messages = [m for field in errors.values() for m in field]
    rest = len(messages) - 1
    suffix = f" (and {rest} more error{'s' if rest > 1 else ''})" if rest else ""
    return {"message": messages[0] + suffix, "errors": errors}


def one_error(field: str, sentence: str) -> dict[str, Any]:
    return invalid({field: [sentence]})


async def task_count(actor: Actor) -> int:
    """Every task the actor sees, subtasks included."""
    params = {"filter[subtask_visibility]": "include", "per_page": "1"}
    response = await actor.get(TASKS, params=params)
    assert response.status_code == 200, response.text
    return int(response.json()["meta"]["total"])


async def listed(actor: Actor, **params: str) -> list[str]:
    """UUIDs of the tasks a list request returns, in order."""
    response = await actor.get(TASKS, params={"per_page": "500", **params})
    assert response.status_code == 200, response.text
    return [item["uuid"] for item in response.json()["data"]]


async def shown(actor: Actor, task_uuid: str) -> dict[str, Any]:
    response = await actor.get(task_path(task_uuid))
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def patch(actor: Actor, path: str) -> httpx.Response:
    return await actor.request("PATCH", path)


async def assert_rejected(
    actor: Actor, response: httpx.Response, status: int, body: dict[str, Any], before: int
) -> None:
    """The exact status and body, and the firm's task count unchanged."""
    assert response.status_code == status, response.text
    assert response.json() == body
    assert await task_count(actor) == before


# name, type, extra body of the task custom fields that the validation tests define
FIELDS: list[tuple[str, str, dict[str, Any]]] = [
    ("Nickname", "string", {}),
    ("Notes", "longtext", {}),
    ("Score", "number", {}),
    ("Urgent Flag", "boolean", {}),
    ("Follow Up", "datetime", {}),
    ("Favourite Pet", "selection", {"selection_options": ["Dog", "Cat", "Fish"]}),
]


async def add_fields(firm: Firm, required: bool = False) -> dict[str, dict[str, Any]]:
    """The task custom fields above by reference, and `risk_level` (a required string)
    when asked for."""
    specs = [*FIELDS, *([("Risk Level", "string", {"is_required": True})] if required else [])]
    made = {}
    for name, kind, extra in specs:
        body = {"type": kind, "name": name, "model_type": "task", **extra}
        field = await firm.owner.created("/api/v1/custom-field", body)
        made[field["reference"]] = field
    return made

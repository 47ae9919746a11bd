"""The seed request of POST /api/v1/task, in process, with real records in place."""

from __future__ import annotations

import re
from typing import Any

from tests.helpers import Firm

STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
WALL = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


async def seed_records(firm: Firm) -> dict[str, Any]:
    client = await firm.client_account()
    plan = await firm.owner.created(
        "/api/v1/plans", {"name": "Pension", "type": "pension", "accounts": [client["uuid"]]}
    )
    statuses = (await firm.owner.get("/api/v1/task-status")).json()["data"]
    await firm.owner.created(
        "/api/v1/custom-field",
        {
            "type": "selection",
            "name": "Favourite Pet",
            "model_type": "task",
            "selection_options": ["Dog", "Cat", "Fish"],
        },
    )
    staff = [await firm.client_account(), await firm.client_account()]
    groups = [await firm.group([]), await firm.group([])]
    parent = await firm.owner.created(
        "/api/v1/task",
        {
            "name": "Parent",
            "taskable_type": "client",
            "taskable_uuid": client["uuid"],
            "task_status_uuid": statuses[0]["uuid"],
        },
    )
    return {
        "plan": plan,
        "status": statuses[0],
        "parent": parent,
        "assignees": staff,
        "groups": groups,
    }


async def test_seed_request_renders_every_field(firm: Firm) -> None:
    records = await seed_records(firm)
    body = {
        "name": "Check details",
        "description": "Check details",
        "priority": "low",
        "due_at": "2020-01-01 00:00:00",
        "taskable_type": "plan",
        "taskable_uuid": records["plan"]["uuid"],
        "task_status_uuid": records["status"]["uuid"],
        "parent_task_uuid": records["parent"]["uuid"],
        "assigned_to_uuids": [a["uuid"] for a in records["assignees"]],
        "custom_fields": [{"favourite_pet": "Dog"}],
        "group_uuids": [g["uuid"] for g in records["groups"]],
    }
    response = await firm.owner.post("/api/v1/task", body, headers={"Accept": "application/json"})
    assert response.status_code == 201, response.text
    task = response.json()
    assert set(task) == {
        "uuid", "name", "description", "priority", "due_at", "position", "status", "taskable_type",
        "taskable", "author", "assigned_to", "completed_at", "completed_by", "custom_fields",
        "parent_task_uuid", "group_uuids", "created_at", "updated_at",
    }  # fmt: skip
    assert (task["name"], task["description"], task["priority"]) == (
        "Check details",
        "Check details",
        "low",
    )
    assert task["due_at"] == "2020-01-01 00:00:00"
    assert task["position"] == 2  # the parent is first in the column
    assert task["status"] == records["status"]
    assert task["taskable_type"] == "plan"
    assert task["taskable"] == records["plan"]
    assert task["author"]["uuid"] == firm.owner.account_uuid
    assert STAMP.match(task["author"]["created_at"])
    assert sorted(a["uuid"] for a in task["assigned_to"]) == sorted(body["assigned_to_uuids"])
    assert task["completed_at"] is None and task["completed_by"] is None
    [field] = task["custom_fields"]
    assert set(field) == {
        "uuid", "name", "type", "reference", "value", "help_text", "is_required",
        "selection_options", "created_at", "updated_at",
    }  # fmt: skip
    assert (field["reference"], field["value"], field["type"]) == (
        "favourite_pet",
        "Dog",
        "selection",
    )
    assert field["selection_options"] == ["Dog", "Cat", "Fish"]
    assert task["parent_task_uuid"] == records["parent"]["uuid"]
    assert task["group_uuids"] == sorted(body["group_uuids"])
    assert STAMP.match(task["created_at"]) and STAMP.match(task["updated_at"])
    assert "App\\\\Http" not in response.text and '"example"' not in response.text

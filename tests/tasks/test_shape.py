"""The task resource field by field: its exact keys, the status, the
people, custom-field values and each kind of taskable rendered as that record's own
resource; due_at read in the firm's zone; no documentation artefacts anywhere."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import Actor
from tests.tasks.support import (
    ACCOUNT_KEYS,
    CASE_KEYS,
    CUSTOM_VALUE_KEYS,
    PERSON_KEYS,
    PLAN_KEYS,
    STAMP,
    STATUS_KEYS,
    TASK_KEYS,
    TASKS,
    World,
    add_fields,
    patch,
    shown,
    task_path,
)


def no_artefacts(value: Any) -> None:
    """No PHP class names and no {example, description} descriptors, at any depth."""
    if isinstance(value, dict):
        assert not {"example", "description"} <= set(value), value
        assert "collection" not in value or not isinstance(value["collection"], bool), value
        for item in value.values():
            no_artefacts(item)
    elif isinstance(value, list):
        for item in value:
            no_artefacts(item)
    elif isinstance(value, str):
        assert "App\\" not in value and "Resource" not in value, value


async def person_of(actor: Actor, account_uuid: str) -> dict[str, Any]:
    response = await actor.get(f"/api/v1/account/{account_uuid}")
    assert response.status_code == 200, response.text
    return {k: v for k, v in response.json().items() if k in PERSON_KEYS}


async def test_every_field_of_a_client_task(fresh: World) -> None:
    firm, owner = fresh.firm, fresh.owner
    fields = await add_fields(firm)
    assignees = [
        await firm.client_account(first_name="Zed"),
        await firm.client_account(first_name="Amy"),
    ]
    employee = await firm.actor(role="admin")
    groups = [fresh.group, await firm.group([])]
    body = fresh.body(
        name="Check details",
        description="Bring the forms",
        priority="high",
        due_at="2024-07-01T09:30:00Z",
        parent_task_uuid=fresh.task["uuid"],
        assigned_to_uuids=[a["uuid"] for a in assignees] + [employee.account_uuid],
        group_uuids=[g["uuid"] for g in groups],
        custom_fields={"favourite_pet": "Cat", "score": 12.5, "urgent_flag": False,
                       "follow_up": "2024-01-10 09:00:00", "nickname": "Bob"},
    )  # fmt: skip
    response = await owner.post(TASKS, body)
    assert response.status_code == 201, response.text
    task = response.json()
    no_artefacts(task)
    assert set(task) == TASK_KEYS
    assert task["name"] == "Check details" and task["description"] == "Bring the forms"
    assert task["priority"] == "high"
    assert task["due_at"] == "2024-07-01 10:30:00"  # British Summer Time
    assert task["position"] == 3  # after world.task and its subtask in Not Started
    assert set(task["status"]) == STATUS_KEYS and task["status"] == fresh.statuses[0]
    assert task["taskable_type"] == "client"
    account = (await owner.get(f"/api/v1/account/{fresh.client['uuid']}")).json()
    assert set(task["taskable"]) == ACCOUNT_KEYS and task["taskable"] == account
    assert set(task["author"]) == PERSON_KEYS
    assert task["author"] == await person_of(owner, owner.account_uuid)
    people = [await person_of(owner, u) for u in body["assigned_to_uuids"]]
    assert task["assigned_to"] == sorted(people, key=lambda p: p["name"])
    assert all(set(p) == PERSON_KEYS and STAMP.match(p["created_at"]) for p in people)
    assert task["completed_at"] is None and task["completed_by"] is None
    assert task["parent_task_uuid"] == fresh.task["uuid"]
    assert task["group_uuids"] == sorted(g["uuid"] for g in groups)
    assert STAMP.match(task["created_at"]) and STAMP.match(task["updated_at"])
    values = {v["reference"]: v for v in task["custom_fields"]}
    assert [v["reference"] for v in task["custom_fields"]] == [
        "nickname", "score", "urgent_flag", "follow_up", "favourite_pet",
    ]  # field position order  # fmt: skip
    for reference, value in values.items():
        field = fields[reference]
        assert set(value) == CUSTOM_VALUE_KEYS
        assert value == {
            **{k: field[k] for k in CUSTOM_VALUE_KEYS - {"value"}},
            "value": value["value"],
        }
    assert {r: v["value"] for r, v in values.items()} == {
        "nickname": "Bob", "score": 12.5, "urgent_flag": False,
        "follow_up": "2024-01-10 09:00:00", "favourite_pet": "Cat",
    }  # fmt: skip
    assert await shown(owner, task["uuid"]) == task


async def test_assignees_with_the_same_name_keep_creation_order(fresh: World) -> None:
    same = [await fresh.firm.client_account(first_name="Sam", last_name="Same") for _ in range(3)]
    for order in (same, same[::-1], [same[1], same[0], same[2]]):
        task = await fresh.task_made(assigned_to_uuids=[a["uuid"] for a in order])
        assert [p["uuid"] for p in task["assigned_to"]] == [a["uuid"] for a in same]


async def test_a_case_task_renders_the_case_with_its_value(fresh: World) -> None:
    task = await fresh.task_made(taskable_type="case", taskable_uuid=fresh.case["uuid"])
    no_artefacts(task)
    assert task["taskable_type"] == "case"
    assert set(task["taskable"]) == CASE_KEYS
    assert task["taskable"] == (await fresh.owner.get(f"/api/v1/cases/{fresh.case['uuid']}")).json()
    assert task["taskable"]["value"] == {
        "amount": "500000",
        "currency": "GBP",
        "formatted": "£5,000.00",
    }


async def test_a_plan_task_renders_the_plan(fresh: World) -> None:
    task = await fresh.task_made(taskable_type="plan", taskable_uuid=fresh.plan["uuid"])
    no_artefacts(task)
    assert task["taskable_type"] == "plan"
    assert set(task["taskable"]) == PLAN_KEYS
    assert task["taskable"] == (await fresh.owner.get(f"/api/v1/plans/{fresh.plan['uuid']}")).json()


async def test_a_minimal_task_has_every_key_with_empty_values(fresh: World) -> None:
    task = await fresh.task_made(name="Bare")
    assert set(task) == TASK_KEYS
    assert (task["description"], task["priority"], task["due_at"]) == (None, None, None)
    assert (task["assigned_to"], task["custom_fields"], task["group_uuids"]) == ([], [], [])
    assert task["parent_task_uuid"] is None and task["completed_by"] is None


async def test_completed_by_is_a_person(fresh: World) -> None:
    admin = await fresh.firm.actor(role="admin")
    response = await patch(admin, task_path(fresh.task["uuid"], "/complete"))
    task = response.json()
    assert set(task["completed_by"]) == PERSON_KEYS
    assert task["completed_by"] == await person_of(fresh.owner, admin.account_uuid)
    assert task["completed_at"] is not None and len(task["completed_at"]) == 19


@pytest.mark.parametrize(
    ("sent", "rendered"),
    [
        ("2024-01-15", "2024-01-15 00:00:00"),
        ("2024-01-15 08:05:09", "2024-01-15 08:05:09"),
        ("2024-07-15 08:05:09", "2024-07-15 08:05:09"),
        ("2024-07-15T08:05", "2024-07-15 08:05:00"),
        ("2024-07-15T08:05:09+02:00", "2024-07-15 07:05:09"),
        ("2024-01-15T08:05:09.123456Z", "2024-01-15 08:05:09"),
        ("2024-01-15T23:30:00-0500", "2024-01-16 04:30:00"),
        (None, None),
    ],
)
async def test_due_at_is_read_and_rendered_in_the_firms_zone(
    fresh: World, sent: str | None, rendered: str | None
) -> None:
    task = await fresh.task_made(due_at=sent)
    assert task["due_at"] == rendered
    assert (await shown(fresh.owner, task["uuid"]))["due_at"] == rendered


async def test_people_and_positions_are_real_values(fresh: World) -> None:
    task = await fresh.task_made(assigned_to_uuids=[fresh.client["uuid"]])
    for person in [task["author"], *task["assigned_to"]]:
        assert isinstance(person["photo_url"], str) and person["photo_url"].startswith("http")
        assert isinstance(person["name"], str)
    assert isinstance(task["status"]["position"], int)
    assert isinstance(task["position"], int)

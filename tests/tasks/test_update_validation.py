"""PUT /api/v1/task/{uuid}: the field table's rules on update (every field optional, the
required ones refuse null), the subtask-cycle rule and custom-field values. Each case
gets the exact 422 body and leaves the task and the task count unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tasks.support import (
    World,
    add_fields,
    invalid,
    one_error,
    random_uuid,
    shown,
    task_count,
    task_path,
)
from tests.tasks.test_create_validation import (
    BOOLEAN,
    CHOICE,
    DATETIME,
    DUPLICATE,
    MAX_255,
    MAX_65535,
    NUMBER,
    REQUIRED,
    SHAPE,
    STRING,
    UUID,
    sentence,
)

CYCLE = "The parent task uuid cannot be the task itself or one of its subtasks."
WITH_TYPE = "The :f field is required when taskable type is present."
ARCHIVED = "The selected :f is archived."


@pytest.fixture(scope="module")
async def grandchild(world: World) -> dict[str, Any]:
    """A subtask of world.subtask (itself a subtask of world.task), with required and
    optional custom fields defined on the firm afterwards."""
    made = await world.task_made(name="Grandchild", parent_task_uuid=world.subtask["uuid"])
    await add_fields(world.firm, required=True)
    return made


async def assert_put_rejected(
    world: World, target: str, body: Any, expected: dict[str, Any]
) -> None:
    before, count = await shown(world.owner, target), await task_count(world.owner)
    response = await world.owner.put(task_path(target), body)
    assert response.status_code == 422, response.text
    assert response.json() == expected
    assert await shown(world.owner, target) == before
    assert await task_count(world.owner) == count


REQUEST_CASES: list[tuple[dict[str, Any], str, str]] = [
    ({"name": None}, "name", REQUIRED),
    ({"name": ""}, "name", REQUIRED),
    ({"name": "n" * 256}, "name", MAX_255),
    ({"name": 5}, "name", STRING),
    ({"name": "\u0000"}, "name", "The :f field must not contain NUL characters."),
    ({"description": "d" * 65536}, "description", MAX_65535),
    ({"priority": "urgent"}, "priority", CHOICE),
    ({"priority": 2}, "priority", CHOICE),
    ({"due_at": "01/01/2020"}, "due_at", DATETIME),
    ({"due_at": "2020-01-01T25:00:00"}, "due_at", DATETIME),
    ({"due_at": "2020-13-01"}, "due_at", DATETIME),
    ({"due_at": 20200101}, "due_at", DATETIME),
    ({"taskable_type": "goal"}, "taskable_type", CHOICE),
    ({"taskable_type": None}, "taskable_type", REQUIRED),
    ({"taskable_uuid": None}, "taskable_uuid", REQUIRED),
    ({"taskable_uuid": "nope"}, "taskable_uuid", UUID),
    ({"task_status_uuid": None}, "task_status_uuid", REQUIRED),
    ({"task_status_uuid": "nope"}, "task_status_uuid", UUID),
    ({"parent_task_uuid": 7}, "parent_task_uuid", UUID),
    ({"assigned_to_uuids": "x"}, "assigned_to_uuids", "The :f field must be an array."),
    ({"group_uuids": ["x"]}, "group_uuids.0", UUID),
    ({"custom_fields": 3}, "custom_fields", SHAPE),
]  # fmt: skip


@pytest.mark.parametrize(("body", "key", "template"), REQUEST_CASES)
async def test_a_broken_request_rule(
    world: World, grandchild: Any, body: dict[str, Any], key: str, template: str
) -> None:
    expected = one_error(key, sentence(template, key))
    await assert_put_rejected(world, world.task["uuid"], body, expected)


def reference_cases(world: World, rival: World) -> list[tuple[dict[str, Any], str, str]]:
    stranger, client = random_uuid(), world.client["uuid"]
    return [
        ({"taskable_type": "case"}, "taskable_uuid", WITH_TYPE),
        ({"taskable_uuid": world.plan["uuid"]}, "taskable_uuid", CHOICE),
        ({"taskable_type": "plan", "taskable_uuid": world.case["uuid"]}, "taskable_uuid", CHOICE),
        ({"taskable_type": "client", "taskable_uuid": world.plan["uuid"]}, "taskable_uuid", CHOICE),
        ({"taskable_uuid": rival.client["uuid"]}, "taskable_uuid", CHOICE),
        ({"taskable_uuid": stranger}, "taskable_uuid", CHOICE),
        ({"task_status_uuid": world.archived["uuid"]}, "task_status_uuid", ARCHIVED),
        ({"task_status_uuid": stranger}, "task_status_uuid", CHOICE),
        ({"task_status_uuid": rival.statuses[1]["uuid"]}, "task_status_uuid", CHOICE),
        ({"parent_task_uuid": world.task["uuid"]}, "parent_task_uuid", CYCLE),
        ({"parent_task_uuid": world.subtask["uuid"]}, "parent_task_uuid", CYCLE),
        ({"parent_task_uuid": rival.task["uuid"]}, "parent_task_uuid", CHOICE),
        ({"parent_task_uuid": stranger}, "parent_task_uuid", CHOICE),
        ({"assigned_to_uuids": [client, client]}, "assigned_to_uuids.1", DUPLICATE),
        ({"assigned_to_uuids": [stranger]}, "assigned_to_uuids.0", CHOICE),
        ({"assigned_to_uuids": [rival.client["uuid"]]}, "assigned_to_uuids.0", CHOICE),
        ({"group_uuids": [stranger]}, "group_uuids.0", CHOICE),
        ({"group_uuids": [rival.group["uuid"]]}, "group_uuids.0", CHOICE),
        ({"custom_fields": {"no_such_field": 1}}, "custom_fields.no_such_field", CHOICE),
        ({"custom_fields": {"risk_level": None}}, "custom_fields.risk_level", REQUIRED),
        ({"custom_fields": [{"risk_level": None}]}, "custom_fields.risk_level", REQUIRED),
        ({"custom_fields": {"favourite_pet": "Snake"}}, "custom_fields.favourite_pet", CHOICE),
        ({"custom_fields": [{"score": "high"}]}, "custom_fields.score", NUMBER),
    ]  # fmt: skip


REFERENCE_CASES = 23  # len(reference_cases(...)), checked below


@pytest.mark.parametrize("case", range(REFERENCE_CASES))
async def test_a_reference_that_is_not_acceptable(
    world: World, rival: World, grandchild: Any, case: int
) -> None:
    cases = reference_cases(world, rival)
    assert len(cases) == REFERENCE_CASES
    body, key, template = cases[case]
    expected = one_error(key, sentence(template, key))
    await assert_put_rejected(world, world.task["uuid"], body, expected)


async def test_the_parent_cannot_be_a_grandchild(world: World, grandchild: Any) -> None:
    body = {"parent_task_uuid": grandchild["uuid"]}
    await assert_put_rejected(world, world.task["uuid"], body, one_error("parent_task_uuid", CYCLE))
    own = {"parent_task_uuid": grandchild["uuid"]}
    await assert_put_rejected(world, grandchild["uuid"], own, one_error("parent_task_uuid", CYCLE))


async def test_several_errors_are_all_reported(world: World, rival: World, grandchild: Any) -> None:
    body = {
        "name": "Renamed",
        "task_status_uuid": rival.statuses[0]["uuid"],
        "parent_task_uuid": grandchild["uuid"],
        "custom_fields": {"urgent_flag": "yes"},
    }
    expected = invalid(
        {
            "task_status_uuid": ["The selected task status uuid is invalid."],
            "parent_task_uuid": [CYCLE],
            "custom_fields.urgent_flag": [sentence(BOOLEAN, "custom_fields.urgent_flag")],
        }
    )
    assert expected["message"] == "The selected task status uuid is invalid. (and 2 more errors)"
    await assert_put_rejected(world, world.task["uuid"], body, expected)


async def test_a_required_custom_field_may_stay_absent_on_update(
    world: World, grandchild: Any
) -> None:
    """The control: created before the field was required, the task updates without it."""
    response = await world.owner.put(task_path(grandchild["uuid"]), {"name": "Grandchild"})
    assert response.status_code == 200, response.text
    assert response.json()["custom_fields"] == []

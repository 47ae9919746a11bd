"""POST /api/v1/task: every rule of the field table (docs/API.md, Tasks) broken, one at a
time and several at once. Each case gets the exact 422 body and creates nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tasks.support import (
    TASKS,
    World,
    add_fields,
    assert_rejected,
    invalid,
    one_error,
    random_uuid,
    task_count,
)

REQUIRED = "The :f field is required."
STRING = "The :f field must be a string."
UUID = "The :f field must be a valid UUID."
ARRAY = "The :f field must be an array."
NUL = "The :f field must not contain NUL characters."
CHOICE = "The selected :f is invalid."
DATETIME = "The :f field must be a date as YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or ISO 8601."
SHAPE = "The :f field must be an object keyed by reference or an array of one-key objects."
DUPLICATE = "The :f field has a duplicate value."
MAX_255 = "The :f field must not be greater than 255 characters."
MAX_65535 = "The :f field must not be greater than 65535 characters."
NUMBER = "The :f field must be a number."
BOOLEAN = "The :f field must be true or false."
REQUIRED_FIELDS = ("name", "taskable_type", "taskable_uuid", "task_status_uuid")


def sentence(template: str, key: str) -> str:
    return template.replace(":f", key.replace("_", " "))


@pytest.fixture(scope="module")
async def fields(world: World) -> dict[str, dict[str, Any]]:
    for name, model in (("Client Only", "client"), ("Board Only", "board_task")):
        body = {"type": "string", "name": name, "model_type": model}
        await world.owner.created("/api/v1/custom-field", body)
    return await add_fields(world.firm, required=True)


def valid(world: World, **overrides: Any) -> dict[str, Any]:
    """A body that would be accepted: the required custom field is given."""
    return world.body(**{"custom_fields": {"risk_level": "Low"}, **overrides})


# (body overrides, error key, sentence with :f for the key read with spaces)
REQUEST_CASES: list[tuple[dict[str, Any], str, str]] = [
    ({"name": None}, "name", REQUIRED),
    ({"name": ""}, "name", REQUIRED),
    ({"name": "n" * 256}, "name", MAX_255),
    ({"name": 5}, "name", STRING),
    ({"name": ["a"]}, "name", STRING),
    ({"name": "a\u0000b"}, "name", NUL),
    ({"description": "d" * 65536}, "description", MAX_65535),
    ({"description": 1}, "description", STRING),
    ({"description": "a\u0000"}, "description", NUL),
    ({"priority": "urgent"}, "priority", CHOICE),
    ({"priority": "Low"}, "priority", CHOICE),
    ({"priority": 1}, "priority", CHOICE),
    ({"due_at": "01/01/2020"}, "due_at", DATETIME),
    ({"due_at": "2020-01-01T25:00:00"}, "due_at", DATETIME),
    ({"due_at": "2020-13-01"}, "due_at", DATETIME),
    ({"due_at": "2020-02-30"}, "due_at", DATETIME),
    ({"due_at": "2020-01-01 10:00"}, "due_at", DATETIME),
    ({"due_at": ""}, "due_at", DATETIME),
    ({"due_at": 20200101}, "due_at", DATETIME),
    ({"due_at": "2020-01-01\u0000"}, "due_at", DATETIME),
    ({"taskable_type": "goal"}, "taskable_type", CHOICE),
    ({"taskable_type": "Client"}, "taskable_type", CHOICE),
    ({"taskable_type": None}, "taskable_type", REQUIRED),
    ({"taskable_uuid": "nope"}, "taskable_uuid", UUID),
    ({"taskable_uuid": None}, "taskable_uuid", REQUIRED),
    ({"task_status_uuid": 12}, "task_status_uuid", UUID),
    ({"task_status_uuid": None}, "task_status_uuid", REQUIRED),
    ({"parent_task_uuid": "nope"}, "parent_task_uuid", UUID),
    ({"assigned_to_uuids": "x"}, "assigned_to_uuids", ARRAY),
    ({"assigned_to_uuids": ["nope"]}, "assigned_to_uuids.0", UUID),
    (
        {"assigned_to_uuids": [random_uuid() for _ in range(101)]},
        "assigned_to_uuids",
        "The :f field must not have more than 100 items.",
    ),
    ({"group_uuids": {"a": 1}}, "group_uuids", ARRAY),
    ({"group_uuids": [None]}, "group_uuids.0", UUID),
    ({"custom_fields": "x"}, "custom_fields", SHAPE),
    ({"custom_fields": [1]}, "custom_fields", SHAPE),
    ({"custom_fields": [{"nickname": "a", "score": 1}]}, "custom_fields", SHAPE),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "key", "template"), REQUEST_CASES)
async def test_a_broken_request_rule(
    world: World, fields: Any, overrides: dict[str, Any], key: str, template: str
) -> None:
    before = await task_count(world.owner)
    response = await world.owner.post(TASKS, valid(world, **overrides))
    await assert_rejected(
        world.owner, response, 422, one_error(key, sentence(template, key)), before
    )


@pytest.mark.parametrize("missing", REQUIRED_FIELDS)
async def test_each_required_field_absent(world: World, fields: Any, missing: str) -> None:
    before = await task_count(world.owner)
    body = {k: v for k, v in valid(world).items() if k != missing}
    response = await world.owner.post(TASKS, body)
    expected = one_error(missing, sentence(REQUIRED, missing))
    await assert_rejected(world.owner, response, 422, expected, before)


async def test_an_empty_body_names_every_required_field(world: World, fields: Any) -> None:
    """An empty object is checked against every rule, the required custom field
    included; no body at all is answered from the body's model alone."""
    before = await task_count(world.owner)
    shape = {k: [sentence(REQUIRED, k)] for k in REQUIRED_FIELDS}
    custom = {"custom_fields.risk_level": [sentence(REQUIRED, "custom_fields.risk_level")]}
    body: Any
    for body, errors in (({}, shape | custom), (None, shape)):
        response = await world.owner.post(TASKS, body)
        await assert_rejected(world.owner, response, 422, invalid(errors), before)


def reference_cases(world: World, rival: World) -> list[tuple[dict[str, Any], str, str]]:
    """Well-formed bodies naming records that are not acceptable."""
    client, case, plan = world.client["uuid"], world.case["uuid"], world.plan["uuid"]
    other, stranger = rival.client["uuid"], random_uuid()
    return [
        ({"taskable_type": "plan", "taskable_uuid": case}, "taskable_uuid", CHOICE),
        ({"taskable_type": "client", "taskable_uuid": plan}, "taskable_uuid", CHOICE),
        ({"taskable_type": "case", "taskable_uuid": client}, "taskable_uuid", CHOICE),
        ({"taskable_uuid": world.owner.account_uuid}, "taskable_uuid", CHOICE),
        ({"taskable_uuid": stranger}, "taskable_uuid", CHOICE),
        ({"taskable_uuid": other}, "taskable_uuid", CHOICE),
        ({"taskable_type": "case", "taskable_uuid": rival.case["uuid"]}, "taskable_uuid", CHOICE),
        ({"taskable_type": "plan", "taskable_uuid": rival.plan["uuid"]}, "taskable_uuid", CHOICE),
        (
            {"task_status_uuid": world.archived["uuid"]},
            "task_status_uuid",
            "The selected :f is archived.",
        ),
        ({"task_status_uuid": stranger}, "task_status_uuid", CHOICE),
        ({"task_status_uuid": rival.statuses[0]["uuid"]}, "task_status_uuid", CHOICE),
        ({"parent_task_uuid": rival.task["uuid"]}, "parent_task_uuid", CHOICE),
        ({"parent_task_uuid": stranger}, "parent_task_uuid", CHOICE),
        ({"assigned_to_uuids": [client, client]}, "assigned_to_uuids.1", DUPLICATE),
        ({"assigned_to_uuids": [client, stranger]}, "assigned_to_uuids.1", CHOICE),
        ({"assigned_to_uuids": [other]}, "assigned_to_uuids.0", CHOICE),
        ({"assigned_to_uuids": [rival.owner.account_uuid]}, "assigned_to_uuids.0", CHOICE),
        ({"group_uuids": [stranger]}, "group_uuids.0", CHOICE),
        ({"group_uuids": [rival.group["uuid"]]}, "group_uuids.0", CHOICE),
        ({"group_uuids": [world.group["uuid"]] * 2}, "group_uuids.1", DUPLICATE),
    ]


REFERENCE_IDS = [
    "case-as-plan", "plan-as-client", "client-as-case", "employee-as-client", "unknown-taskable",
    "rival-client", "rival-case", "rival-plan", "archived-status", "unknown-status",
    "rival-status", "rival-parent", "unknown-parent", "duplicate-assignee", "unknown-assignee",
    "rival-client-assignee", "rival-employee-assignee", "unknown-group", "rival-group",
    "duplicate-group",
]  # fmt: skip


@pytest.mark.parametrize("case", range(len(REFERENCE_IDS)), ids=REFERENCE_IDS)
async def test_a_reference_that_is_not_acceptable(
    world: World, rival: World, fields: Any, case: int
) -> None:
    overrides, key, template = reference_cases(world, rival)[case]
    before = await task_count(world.owner)
    response = await world.owner.post(TASKS, valid(world, **overrides))
    await assert_rejected(
        world.owner, response, 422, one_error(key, sentence(template, key)), before
    )


VALUE_CASES: list[tuple[dict[str, Any], str, str]] = [
    ({"no_such_field": "x"}, "custom_fields.no_such_field", CHOICE),
    ({"client_only": "x"}, "custom_fields.client_only", CHOICE),
    ({"board_only": "x"}, "custom_fields.board_only", CHOICE),
    ({"favourite_pet": "Snake"}, "custom_fields.favourite_pet", CHOICE),
    ({"favourite_pet": "dog"}, "custom_fields.favourite_pet", CHOICE),
    ({"favourite_pet": 1}, "custom_fields.favourite_pet", CHOICE),
    ({"nickname": 5}, "custom_fields.nickname", STRING),
    ({"nickname": "n" * 256}, "custom_fields.nickname", MAX_255),
    ({"nickname": "a\u0000b"}, "custom_fields.nickname", NUL),
    ({"notes": ["x"]}, "custom_fields.notes", STRING),
    ({"notes": "n" * 65536}, "custom_fields.notes", MAX_65535),
    ({"score": "5"}, "custom_fields.score", NUMBER),
    ({"score": True}, "custom_fields.score", NUMBER),
    (
        {"score": 10**16},
        "custom_fields.score",
        "The :f field must be a number between -10^15 and 10^15.",
    ),
    ({"urgent_flag": "yes"}, "custom_fields.urgent_flag", BOOLEAN),
    ({"urgent_flag": 2}, "custom_fields.urgent_flag", BOOLEAN),
    ({"follow_up": "tomorrow"}, "custom_fields.follow_up", DATETIME),
    ({"follow_up": 20200101}, "custom_fields.follow_up", DATETIME),
    ({"risk_level": None}, "custom_fields.risk_level", REQUIRED),
]  # fmt: skip


@pytest.mark.parametrize("shape", ["object", "array"])
@pytest.mark.parametrize(("values", "key", "template"), VALUE_CASES)
async def test_a_custom_field_value_that_does_not_fit(
    world: World, fields: Any, shape: str, values: dict[str, Any], key: str, template: str
) -> None:
    given = {"risk_level": "Low", **values}
    sent: Any = given if shape == "object" else [{k: v} for k, v in given.items()]
    before = await task_count(world.owner)
    response = await world.owner.post(TASKS, valid(world, custom_fields=sent))
    await assert_rejected(
        world.owner, response, 422, one_error(key, sentence(template, key)), before
    )


@pytest.mark.parametrize("custom", [None, {}, [], {"nickname": "x"}, [{"nickname": "x"}]])
async def test_a_required_custom_field_missing_on_create(
    world: World, fields: Any, custom: Any
) -> None:
    before = await task_count(world.owner)
    response = await world.owner.post(TASKS, world.body(custom_fields=custom))
    expected = one_error(
        "custom_fields.risk_level", "The custom fields.risk level field is required."
    )
    await assert_rejected(world.owner, response, 422, expected, before)


async def test_several_request_errors_are_all_reported(world: World, fields: Any) -> None:
    before = await task_count(world.owner)
    body = valid(world, name="", priority="urgent", due_at="soon", assigned_to_uuids=["x", "y"])
    response = await world.owner.post(TASKS, body)
    expected = invalid(
        {
            "name": ["The name field is required."],
            "priority": ["The selected priority is invalid."],
            "due_at": [sentence(DATETIME, "due_at")],
            "assigned_to_uuids.0": ["The assigned to uuids.0 field must be a valid UUID."],
            "assigned_to_uuids.1": ["The assigned to uuids.1 field must be a valid UUID."],
        }
    )
    assert expected["message"] == "The name field is required. (and 4 more errors)"
    await assert_rejected(world.owner, response, 422, expected, before)


async def test_several_reference_errors_are_all_reported(
    world: World, rival: World, fields: Any
) -> None:
    before = await task_count(world.owner)
    body = world.body(
        taskable_uuid=rival.client["uuid"],
        task_status_uuid=world.archived["uuid"],
        group_uuids=[random_uuid()],
        custom_fields={"favourite_pet": "Snake"},
    )
    response = await world.owner.post(TASKS, body)
    expected = invalid(
        {
            "taskable_uuid": ["The selected taskable uuid is invalid."],
            "task_status_uuid": ["The selected task status uuid is archived."],
            "group_uuids.0": ["The selected group uuids.0 is invalid."],
            "custom_fields.favourite_pet": ["The selected custom fields.favourite pet is invalid."],
            "custom_fields.risk_level": ["The custom fields.risk level field is required."],
        }
    )
    assert expected["message"] == "The selected taskable uuid is invalid. (and 4 more errors)"
    await assert_rejected(world.owner, response, 422, expected, before)


async def test_two_errors_read_one_more_error(world: World, fields: Any) -> None:
    before = await task_count(world.owner)
    response = await world.owner.post(TASKS, valid(world, name=None, description=7))
    expected = invalid(
        {"name": ["The name field is required."], "description": [sentence(STRING, "description")]}
    )
    assert expected["message"].endswith(" (and 1 more error)")
    await assert_rejected(world.owner, response, 422, expected, before)


async def test_the_valid_body_is_accepted(world: World, fields: Any) -> None:
    """The control: the body every case above breaks is itself fine (this runs last)."""
    before = await task_count(world.owner)
    created = await world.owner.created(TASKS, valid(world))
    assert await task_count(world.owner) == before + 1
    response = await world.owner.delete(f"{TASKS}/{created['uuid']}")
    assert response.status_code == 204

"""Accepted writes: PUT changes only the given fields (null clears the nullable ones),
links are replaced, and custom-field values are stored in both request shapes, merged
on update and cleared by null."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tasks.support import TASKS, World, add_fields, shown, task_path

VOLATILE = {"updated_at"}


def same_except(before: dict[str, Any], after: dict[str, Any], *changed: str) -> None:
    keep = set(before) - VOLATILE - set(changed)
    assert {k: after[k] for k in keep} == {k: before[k] for k in keep}


async def put_ok(world: World, task_uuid: str, body: Any) -> dict[str, Any]:
    response = await world.owner.put(task_path(task_uuid), body)
    assert response.status_code == 200, response.text
    task: dict[str, Any] = response.json()
    assert await shown(world.owner, task_uuid) == task
    return task


async def full_task(world: World) -> dict[str, Any]:
    return await world.task_made(
        description="Forms",
        priority="medium",
        due_at="2025-03-01",
        parent_task_uuid=world.task["uuid"],
        assigned_to_uuids=[world.client["uuid"], world.owner.account_uuid],
        group_uuids=[world.group["uuid"]],
    )


@pytest.mark.parametrize(
    ("body", "changed"),
    [
        ({}, {}),
        ({"name": "Renamed"}, {"name": "Renamed"}),
        ({"description": None}, {"description": None}),
        ({"priority": "highest"}, {"priority": "highest"}),
        ({"priority": None}, {"priority": None}),
        ({"due_at": "2025-03-02 17:00:00"}, {"due_at": "2025-03-02 17:00:00"}),
        ({"due_at": None}, {"due_at": None}),
        ({"parent_task_uuid": None}, {"parent_task_uuid": None}),
        ({"assigned_to_uuids": []}, {"assigned_to": []}),
        ({"group_uuids": []}, {"group_uuids": []}),
        ({"unknown_field": 1, "uuid": "ignored"}, {}),
    ],
)
async def test_only_the_given_fields_change(
    fresh: World, body: dict[str, Any], changed: dict[str, Any]
) -> None:
    before = await full_task(fresh)
    after = await put_ok(fresh, before["uuid"], body)
    same_except(before, after, *changed)
    for key, value in changed.items():
        assert after[key] == value


async def test_links_are_replaced(fresh: World) -> None:
    before = await full_task(fresh)
    group = await fresh.firm.group([])
    other = await fresh.firm.client_account()
    body = {"assigned_to_uuids": [other["uuid"]], "group_uuids": [group["uuid"]]}
    after = await put_ok(fresh, before["uuid"], body)
    assert [p["uuid"] for p in after["assigned_to"]] == [other["uuid"]]
    assert after["group_uuids"] == [group["uuid"]]
    same_except(before, after, "assigned_to", "group_uuids")


@pytest.mark.parametrize("kind", ["case", "plan", "client"])
async def test_the_taskable_changes(fresh: World, kind: str) -> None:
    before = await full_task(fresh)
    target = {"case": fresh.case, "plan": fresh.plan, "client": await fresh.firm.client_account()}
    body = {"taskable_type": kind, "taskable_uuid": target[kind]["uuid"]}
    after = await put_ok(fresh, before["uuid"], body)
    assert after["taskable_type"] == kind and after["taskable"]["uuid"] == target[kind]["uuid"]
    same_except(before, after, "taskable_type", "taskable")


async def test_the_taskable_uuid_alone_keeps_the_type(fresh: World) -> None:
    task = await fresh.task_made(taskable_type="case", taskable_uuid=fresh.case["uuid"])
    case = await fresh.owner.created(
        "/api/v1/cases", {"name": "Second", "participants": [fresh.client["uuid"]]}
    )
    after = await put_ok(fresh, task["uuid"], {"taskable_uuid": case["uuid"]})
    assert after["taskable_type"] == "case" and after["taskable"]["uuid"] == case["uuid"]


async def test_a_subtask_moves_under_another_parent(fresh: World) -> None:
    other = await fresh.task_made(name="Other parent")
    after = await put_ok(fresh, fresh.subtask["uuid"], {"parent_task_uuid": other["uuid"]})
    assert after["parent_task_uuid"] == other["uuid"]
    # The former parent may now go under its former child's new parent.
    again = await put_ok(fresh, fresh.task["uuid"], {"parent_task_uuid": fresh.subtask["uuid"]})
    assert again["parent_task_uuid"] == fresh.subtask["uuid"]


def values(task: dict[str, Any]) -> dict[str, Any]:
    return {v["reference"]: v["value"] for v in task["custom_fields"]}


@pytest.mark.parametrize("shape", ["object", "array"])
async def test_both_custom_field_shapes_are_accepted(fresh: World, shape: str) -> None:
    await add_fields(fresh.firm, required=True)
    given = {"risk_level": "Low", "favourite_pet": "Fish", "score": -3, "urgent_flag": True}
    sent: Any = given if shape == "object" else [{k: v} for k, v in given.items()]
    created = await fresh.owner.created(TASKS, fresh.body(custom_fields=sent))
    assert values(created) == given
    update = {"score": 4, "nickname": "N"}
    sent = update if shape == "object" else [{k: v} for k, v in update.items()]
    after = await put_ok(fresh, created["uuid"], {"custom_fields": sent})
    assert values(after) == {**given, **update}


async def test_null_clears_a_value_and_absence_keeps_it(fresh: World) -> None:
    await add_fields(fresh.firm)
    given = {"nickname": "N", "notes": "Long " * 100, "follow_up": "2025-06-01T12:00:00+00:00"}
    created = await fresh.owner.created(TASKS, fresh.body(custom_fields=given))
    assert values(created)["follow_up"] == "2025-06-01 13:00:00"
    after = await put_ok(fresh, created["uuid"], {"custom_fields": {"nickname": None}})
    assert values(after) == {"notes": "Long " * 100, "follow_up": "2025-06-01 13:00:00"}
    after = await put_ok(fresh, created["uuid"], {"custom_fields": [], "name": "Kept"})
    assert values(after) == {"notes": "Long " * 100, "follow_up": "2025-06-01 13:00:00"}
    after = await put_ok(fresh, created["uuid"], {"custom_fields": None})
    assert len(after["custom_fields"]) == 2


async def test_optional_custom_fields_may_be_absent_or_null_on_create(fresh: World) -> None:
    await add_fields(fresh.firm)
    custom: Any
    for custom in (None, {}, [], {"nickname": None}):
        created = await fresh.owner.created(TASKS, fresh.body(custom_fields=custom))
        assert created["custom_fields"] == []


async def test_text_is_stored_exactly(fresh: World) -> None:
    name = '  Ünïcødé ✓ 𝄞 — "quotes" <b>&amp;</b>  '
    created = await fresh.task_made(name=name, description="line\nbreak\ttab")
    assert (created["name"], created["description"]) == (name, "line\nbreak\ttab")
    long_name, long_text = "n" * 255, "d" * 65535
    after = await put_ok(fresh, created["uuid"], {"name": long_name, "description": long_text})
    assert (after["name"], after["description"]) == (long_name, long_text)

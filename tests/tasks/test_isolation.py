"""Cross-firm isolation on every task route: firm A's records behave, for firm B, exactly
like records that do not exist (404 on paths, 422 in bodies, absent from lists)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tasks.support import (
    NOT_FOUND,
    TASKS,
    World,
    invalid,
    listed,
    patch,
    shown,
    task_count,
    task_path,
)


@pytest.fixture(scope="module")
async def a_field(world: World) -> dict[str, Any]:
    body = {"type": "string", "name": "Only In A", "model_type": "task"}
    return await world.owner.created("/api/v1/custom-field", body)


def routes(task_uuid: str, status_uuid: str) -> list[tuple[str, str, Any]]:
    return [
        ("GET", task_path(task_uuid), None),
        ("GET", task_path(task_uuid) + "?include=subtasks", None),
        ("PUT", task_path(task_uuid), {"name": "Taken"}),
        ("DELETE", task_path(task_uuid), None),
        ("PATCH", task_path(task_uuid, "/complete"), None),
        ("PATCH", task_path(task_uuid, f"/uncomplete/{status_uuid}"), None),
    ]


async def test_another_firms_tasks_are_404_on_every_route(world: World, rival: World) -> None:
    count = await task_count(world.owner)
    before = [await shown(world.owner, t["uuid"]) for t in (world.task, world.subtask)]
    for task in (world.task, world.subtask):
        for status in (world.statuses[1], rival.statuses[1]):
            for method, path, body in routes(task["uuid"], status["uuid"]):
                response = await rival.owner.request(method, path, json=body)
                assert (response.status_code, response.json()) == (404, NOT_FOUND), (method, path)
    assert await task_count(world.owner) == count
    assert [await shown(world.owner, t["uuid"]) for t in (world.task, world.subtask)] == before


async def test_malformed_and_unknown_task_uuids_are_404(world: World) -> None:
    for task_uuid in ("not-a-uuid", "00000000-0000-0000-0000-000000000000", world.client["uuid"]):
        for method, path, body in routes(task_uuid, world.statuses[1]["uuid"]):
            response = await world.owner.request(method, path, json=body)
            assert (response.status_code, response.json()) == (404, NOT_FOUND), (method, path)


async def test_another_firms_status_in_the_uncomplete_path_is_404(
    world: World, rival: World
) -> None:
    own = rival.task["uuid"]
    before = await shown(rival.owner, own)
    for status in (world.statuses[0], world.statuses[1], world.archived):
        path = task_path(own, f"/uncomplete/{status['uuid']}")
        response = await patch(rival.owner, path)
        expected = {"message": "Task status not found."}
        assert (response.status_code, response.json()) == (404, expected)
    assert await shown(rival.owner, own) == before


async def test_lists_never_show_another_firms_tasks(world: World, rival: World) -> None:
    ours = {rival.task["uuid"], rival.subtask["uuid"]}
    everything = await listed(rival.owner, **{"filter[subtask_visibility]": "include"})
    assert set(everything) == ours
    for name, value in [
        ("taskable_uuid", world.client["uuid"]),
        ("client_uuid", world.client["uuid"]),
        ("assigned_to_uuids", world.owner.account_uuid),
        ("status_uuid", world.statuses[0]["uuid"]),
        ("group_uuids", world.group["uuid"]),
        ("name", "Parent"),
    ]:
        found = await listed(rival.owner, **{f"filter[{name}]": value})
        assert set(found) <= ours, name
    body = (await rival.owner.get(TASKS, params={"include": "subtasks,parent_task"})).json()
    assert world.task["uuid"] not in str(body) and world.subtask["uuid"] not in str(body)


def a_uuids(world: World, field: dict[str, Any]) -> dict[str, Any]:
    return {
        "taskable_uuid": world.client["uuid"],
        "task_status_uuid": world.statuses[0]["uuid"],
        "parent_task_uuid": world.task["uuid"],
        "assigned_to_uuids": [world.owner.account_uuid, world.client["uuid"]],
        "group_uuids": [world.group["uuid"]],
        "custom_fields": {field["reference"]: "x"},
    }


EXPECTED = invalid(
    {
        "taskable_uuid": ["The selected taskable uuid is invalid."],
        "task_status_uuid": ["The selected task status uuid is invalid."],
        "parent_task_uuid": ["The selected parent task uuid is invalid."],
        "assigned_to_uuids.0": ["The selected assigned to uuids.0 is invalid."],
        "assigned_to_uuids.1": ["The selected assigned to uuids.1 is invalid."],
        "group_uuids.0": ["The selected group uuids.0 is invalid."],
        "custom_fields.only_in_a": ["The selected custom fields.only in a is invalid."],
    }
)


async def test_another_firms_uuids_in_a_create_body_are_422(
    world: World, rival: World, a_field: dict[str, Any]
) -> None:
    before, theirs = await task_count(rival.owner), await task_count(world.owner)
    response = await rival.owner.post(TASKS, rival.body(**a_uuids(world, a_field)))
    assert response.status_code == 422
    assert response.json() == EXPECTED
    assert await task_count(rival.owner) == before
    assert await task_count(world.owner) == theirs


@pytest.mark.parametrize("kind", ["case", "plan"])
async def test_another_firms_case_or_plan_as_taskable_is_422(
    world: World, rival: World, kind: str
) -> None:
    before = await task_count(rival.owner)
    theirs = world.case if kind == "case" else world.plan
    body = rival.body(taskable_type=kind, taskable_uuid=theirs["uuid"])
    response = await rival.owner.post(TASKS, body)
    assert response.status_code == 422
    assert response.json() == invalid({"taskable_uuid": ["The selected taskable uuid is invalid."]})
    assert await task_count(rival.owner) == before


async def test_another_firms_uuids_in_an_update_body_are_422(
    world: World, rival: World, a_field: dict[str, Any]
) -> None:
    own = rival.subtask["uuid"]
    before = await shown(rival.owner, own)
    response = await rival.owner.put(task_path(own), a_uuids(world, a_field))
    assert response.status_code == 422
    assert response.json() == EXPECTED
    assert await shown(rival.owner, own) == before

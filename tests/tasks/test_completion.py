"""Completing and reopening tasks, status changes through PUT, positions inside status
columns, and DELETE taking subtasks with it."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from tests.tasks.support import (
    NOT_FOUND,
    World,
    one_error,
    patch,
    random_uuid,
    shown,
    task_count,
    task_path,
)

LONDON = ZoneInfo("Europe/London")
STATUS_NOT_FOUND = {"message": "Task status not found."}
OPEN_ONLY = "The selected task status uuid must be an open status (not completed or archived)."


def recent(wall: str | None) -> bool:
    """A "YYYY-MM-DD HH:MM:SS" firm-zone time within a minute of now."""
    assert wall is not None
    moment = dt.datetime.strptime(wall, "%Y-%m-%d %H:%M:%S").replace(tzinfo=LONDON)
    return abs((dt.datetime.now(LONDON) - moment).total_seconds()) < 60


async def status_made(world: World, name: str, **flags: bool) -> dict[str, Any]:
    return await world.owner.created("/api/v1/task-status", {"name": name, **flags})


async def test_complete_moves_to_the_first_completed_status(fresh: World) -> None:
    not_started, _, completed = fresh.statuses
    earlier = await fresh.task_made(task_status_uuid=completed["uuid"])
    admin = await fresh.firm.actor(role="admin")
    response = await patch(admin, task_path(fresh.task["uuid"], "/complete"))
    assert response.status_code == 200, response.text
    task = response.json()
    assert task["status"] == completed
    assert task["position"] == earlier["position"] + 1
    assert recent(task["completed_at"])
    assert task["completed_by"]["uuid"] == admin.account_uuid
    assert await shown(fresh.owner, task["uuid"]) == task
    assert (await shown(fresh.owner, fresh.subtask["uuid"]))["status"] == not_started


async def test_completing_a_complete_task_changes_nothing(fresh: World) -> None:
    done = (await patch(fresh.owner, task_path(fresh.task["uuid"], "/complete"))).json()
    admin = await fresh.firm.actor(role="admin")
    again = await patch(admin, task_path(fresh.task["uuid"], "/complete"))
    assert again.status_code == 200
    assert again.json() == done  # same completer, time, position and updated_at


async def test_archived_completed_statuses_are_skipped(fresh: World) -> None:
    completed = fresh.statuses[2]
    signed_off = await status_made(fresh, "Signed off", is_type_completed=True)
    response = await fresh.owner.put(
        f"/api/v1/task-status/{completed['uuid']}", {"is_archived": True}
    )
    assert response.status_code == 200, response.text
    task = (await patch(fresh.owner, task_path(fresh.task["uuid"], "/complete"))).json()
    assert task["status"]["uuid"] == signed_off["uuid"] and task["position"] == 1


async def test_complete_without_any_open_completed_status_is_a_conflict(fresh: World) -> None:
    completed = fresh.statuses[2]
    await fresh.owner.put(f"/api/v1/task-status/{completed['uuid']}", {"is_archived": True})
    before = await shown(fresh.owner, fresh.task["uuid"])
    response = await patch(fresh.owner, task_path(fresh.task["uuid"], "/complete"))
    assert response.status_code == 409
    assert response.json() == {
        "message": "The firm has no completed task status to move the task to."
    }
    assert await shown(fresh.owner, fresh.task["uuid"]) == before


async def test_uncomplete_moves_to_the_named_open_status(fresh: World) -> None:
    _, in_progress, _ = fresh.statuses
    already = await fresh.task_made(task_status_uuid=in_progress["uuid"])
    await patch(fresh.owner, task_path(fresh.task["uuid"], "/complete"))
    response = await patch(
        fresh.owner, task_path(fresh.task["uuid"], f"/uncomplete/{in_progress['uuid']}")
    )
    assert response.status_code == 200, response.text
    task = response.json()
    assert task["status"] == in_progress and task["position"] == already["position"] + 1
    assert task["completed_at"] is None and task["completed_by"] is None
    assert await shown(fresh.owner, task["uuid"]) == task


async def test_uncomplete_an_open_task_just_moves_it(fresh: World) -> None:
    _, in_progress, _ = fresh.statuses
    path = task_path(fresh.subtask["uuid"], f"/uncomplete/{in_progress['uuid']}")
    task = (await patch(fresh.owner, path)).json()
    assert task["status"] == in_progress and task["position"] == 1
    assert task["completed_at"] is None


async def test_uncomplete_to_a_closed_status_is_refused(fresh: World) -> None:
    completed = fresh.statuses[2]
    done = (await patch(fresh.owner, task_path(fresh.task["uuid"], "/complete"))).json()
    also_done = await status_made(fresh, "Also done", is_type_completed=True)
    for status in (completed, also_done, fresh.archived):
        path = task_path(fresh.task["uuid"], f"/uncomplete/{status['uuid']}")
        response = await patch(fresh.owner, path)
        assert response.status_code == 422
        assert response.json() == one_error("task_status_uuid", OPEN_ONLY)
        assert await shown(fresh.owner, fresh.task["uuid"]) == done


async def test_uncomplete_to_an_unknown_status_is_404_naming_the_status(fresh: World) -> None:
    done = (await patch(fresh.owner, task_path(fresh.task["uuid"], "/complete"))).json()
    for status in (random_uuid(), "not-a-uuid", fresh.task["uuid"]):
        response = await patch(fresh.owner, task_path(fresh.task["uuid"], f"/uncomplete/{status}"))
        assert (response.status_code, response.json()) == (404, STATUS_NOT_FOUND)
    assert await shown(fresh.owner, fresh.task["uuid"]) == done


async def test_uncomplete_of_an_unknown_task_is_the_plain_404(fresh: World) -> None:
    """The task is looked up first: with both UUIDs unknown the answer is about the task."""
    for status in (random_uuid(), fresh.statuses[1]["uuid"]):
        response = await patch(fresh.owner, task_path(random_uuid(), f"/uncomplete/{status}"))
        assert (response.status_code, response.json()) == (404, NOT_FOUND)


async def test_put_into_a_completed_status_completes(fresh: World) -> None:
    completed = fresh.statuses[2]
    admin = await fresh.firm.actor(role="admin")
    path = task_path(fresh.task["uuid"])
    task = (await admin.put(path, {"task_status_uuid": completed["uuid"]})).json()
    assert task["status"] == completed and task["position"] == 1
    assert recent(task["completed_at"]) and task["completed_by"]["uuid"] == admin.account_uuid


async def test_put_between_completed_statuses_keeps_the_completion(fresh: World) -> None:
    also_done = await status_made(fresh, "Also done", is_type_completed=True)
    done = (await patch(fresh.owner, task_path(fresh.task["uuid"], "/complete"))).json()
    admin = await fresh.firm.actor(role="admin")
    moved = (
        await admin.put(task_path(fresh.task["uuid"]), {"task_status_uuid": also_done["uuid"]})
    ).json()
    assert moved["status"]["uuid"] == also_done["uuid"]
    assert (moved["completed_at"], moved["completed_by"]) == (
        done["completed_at"],
        done["completed_by"],
    )


async def test_put_out_of_a_completed_status_reopens(fresh: World) -> None:
    not_started, _, completed = fresh.statuses
    task = await fresh.task_made(task_status_uuid=completed["uuid"])
    assert recent(task["completed_at"]) and task["completed_by"]["uuid"] == fresh.owner.account_uuid
    moved = (
        await fresh.owner.put(task_path(task["uuid"]), {"task_status_uuid": not_started["uuid"]})
    ).json()
    assert moved["status"] == not_started and moved["position"] == 3
    assert moved["completed_at"] is None and moved["completed_by"] is None


async def test_put_with_the_same_status_keeps_the_position(fresh: World) -> None:
    not_started = fresh.statuses[0]
    path = task_path(fresh.task["uuid"])
    task = (
        await fresh.owner.put(path, {"task_status_uuid": not_started["uuid"], "name": "Same"})
    ).json()
    assert (task["position"], task["name"]) == (1, "Same")


async def test_moves_append_to_the_end_of_each_column(fresh: World) -> None:
    _, in_progress, _ = fresh.statuses
    made = [await fresh.task_made(name=f"T{i}") for i in range(3)]
    assert [t["position"] for t in made] == [3, 4, 5]
    positions = []
    for task in (made[2], made[0], fresh.task):
        moved = await fresh.owner.put(
            task_path(task["uuid"]), {"task_status_uuid": in_progress["uuid"]}
        )
        positions.append(moved.json()["position"])
    assert positions == [1, 2, 3]
    assert (await shown(fresh.owner, made[1]["uuid"]))["position"] == 4


async def test_delete_takes_every_descendant_with_it(fresh: World) -> None:
    grandchild = await fresh.task_made(parent_task_uuid=fresh.subtask["uuid"])
    deep = await fresh.task_made(parent_task_uuid=grandchild["uuid"])
    sibling = await fresh.task_made(name="Unrelated")
    before = await task_count(fresh.owner)
    response = await fresh.owner.delete(task_path(fresh.task["uuid"]))
    assert response.status_code == 204 and response.content == b""
    for gone in (fresh.task, fresh.subtask, grandchild, deep):
        assert (await fresh.owner.get(task_path(gone["uuid"]))).status_code == 404
    assert await task_count(fresh.owner) == before - 4
    assert (await shown(fresh.owner, sibling["uuid"]))["uuid"] == sibling["uuid"]
    again = await fresh.owner.delete(task_path(fresh.task["uuid"]))
    assert again.status_code == 404 and again.json() == NOT_FOUND


async def test_deleting_a_subtask_keeps_its_parent(fresh: World) -> None:
    response = await fresh.owner.delete(task_path(fresh.subtask["uuid"]))
    assert response.status_code == 204
    parent = await fresh.owner.get(task_path(fresh.task["uuid"]), params={"include": "subtasks"})
    assert parent.status_code == 200 and parent.json()["subtasks"] == []


async def test_deleting_the_taskable_takes_its_tasks(fresh: World) -> None:
    on_case = await fresh.task_made(taskable_type="case", taskable_uuid=fresh.case["uuid"])
    child = await fresh.task_made(parent_task_uuid=on_case["uuid"])
    response = await fresh.owner.delete(f"/api/v1/cases/{fresh.case['uuid']}")
    assert response.status_code == 204, response.text
    for gone in (on_case, child):
        assert (await fresh.owner.get(task_path(gone["uuid"]))).status_code == 404
    assert (await shown(fresh.owner, fresh.task["uuid"]))["uuid"] == fresh.task["uuid"]

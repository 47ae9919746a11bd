"""`position` inside a status column: appended, and unique under concurrent creates."""

from __future__ import annotations

import asyncio

from tests.helpers import Firm


async def test_fifty_concurrent_creates_get_fifty_distinct_positions(firm: Firm) -> None:
    client = await firm.client_account()
    status = (await firm.owner.get("/api/v1/task-status")).json()["data"][1]
    body = {
        "taskable_type": "client",
        "taskable_uuid": client["uuid"],
        "task_status_uuid": status["uuid"],
    }
    responses = await asyncio.gather(
        *(firm.owner.post("/api/v1/task", {**body, "name": f"Task {i}"}) for i in range(50))
    )
    assert [r.status_code for r in responses] == [201] * 50
    positions = sorted(r.json()["position"] for r in responses)
    assert positions == list(range(1, 51))


async def test_moving_and_completing_appends_to_the_new_column(firm: Firm) -> None:
    client = await firm.client_account()
    not_started, in_progress, completed = (await firm.owner.get("/api/v1/task-status")).json()[
        "data"
    ]
    body = {
        "taskable_type": "client",
        "taskable_uuid": client["uuid"],
        "task_status_uuid": not_started["uuid"],
    }
    first = await firm.owner.created("/api/v1/task", {**body, "name": "First"})
    second = await firm.owner.created("/api/v1/task", {**body, "name": "Second"})
    assert (first["position"], second["position"]) == (1, 2)

    moved = await firm.owner.put(
        f"/api/v1/task/{second['uuid']}", {"task_status_uuid": in_progress["uuid"]}
    )
    assert moved.status_code == 200
    assert (moved.json()["status"]["uuid"], moved.json()["position"]) == (in_progress["uuid"], 1)
    assert moved.json()["completed_at"] is None

    done = await firm.owner.request("PATCH", f"/api/v1/task/{first['uuid']}/complete")
    assert done.status_code == 200
    task = done.json()
    assert task["status"]["uuid"] == completed["uuid"] and task["position"] == 1
    assert task["completed_at"] is not None
    assert task["completed_by"]["uuid"] == firm.owner.account_uuid

    again = await firm.owner.request("PATCH", f"/api/v1/task/{first['uuid']}/complete")
    assert again.json() == task

    reopened = await firm.owner.request(
        "PATCH", f"/api/v1/task/{first['uuid']}/uncomplete/{in_progress['uuid']}"
    )
    assert reopened.status_code == 200
    assert reopened.json()["status"]["uuid"] == in_progress["uuid"]
    assert reopened.json()["position"] == 2
    assert reopened.json()["completed_at"] is None and reopened.json()["completed_by"] is None

    refused = await firm.owner.request(
        "PATCH", f"/api/v1/task/{first['uuid']}/uncomplete/{completed['uuid']}"
    )
    assert refused.status_code == 422
    assert list(refused.json()["errors"]) == ["task_status_uuid"]


async def _column(firm: Firm, status_uuid: str) -> list[tuple[str, int]]:
    listed = await firm.owner.get(f"/api/v1/task?filter[status_uuid]={status_uuid}&sort=position")
    assert listed.status_code == 200, listed.text
    return [(t["name"], t["position"]) for t in listed.json()["data"]]


async def _latest_cursor(firm: Firm) -> str:
    cursor, page = "0", {"data": [None]}
    while page["data"]:
        page = (await firm.owner.get(f"/api/v1/changes?after={cursor}&limit=100")).json()
        cursor = page["next"]
    return cursor


async def test_a_task_moves_to_a_place_in_its_column_and_those_between_shift(firm: Firm) -> None:
    client = await firm.client_account()
    not_started, in_progress, _ = (await firm.owner.get("/api/v1/task-status")).json()["data"]
    body = {
        "taskable_type": "client",
        "taskable_uuid": client["uuid"],
        "task_status_uuid": not_started["uuid"],
    }
    made = [await firm.owner.created("/api/v1/task", {**body, "name": n}) for n in "ABCD"]
    column = not_started["uuid"]

    before = await _latest_cursor(firm)
    up = await firm.owner.put(f"/api/v1/task/{made[3]['uuid']}", {"position": 2})
    assert up.status_code == 200 and up.json()["position"] == 2
    assert await _column(firm, column) == [("A", 1), ("D", 2), ("B", 3), ("C", 4)]
    # The tasks shifted changed too: each has its update event, as an owner's GET shows it.
    changes = (await firm.owner.get(f"/api/v1/changes?after={before}")).json()["data"]
    assert [(c["event"], c["data"]["name"], c["data"]["position"]) for c in changes] == [
        ("task.updated", "D", 2),
        ("task.updated", "B", 3),
        ("task.updated", "C", 4),
    ]

    down = await firm.owner.put(f"/api/v1/task/{made[0]['uuid']}", {"position": 3})
    assert down.json()["position"] == 3
    assert await _column(firm, column) == [("D", 1), ("B", 2), ("A", 3), ("C", 4)]

    past = await firm.owner.put(f"/api/v1/task/{made[1]['uuid']}", {"position": 99})
    assert past.json()["position"] == 4  # past the last task: last
    assert await _column(firm, column) == [("D", 1), ("A", 2), ("C", 3), ("B", 4)]

    across = await firm.owner.put(
        f"/api/v1/task/{made[2]['uuid']}",
        {"task_status_uuid": in_progress["uuid"], "position": 1},
    )
    assert (across.json()["status"]["uuid"], across.json()["position"]) == (in_progress["uuid"], 1)
    into = await firm.owner.put(
        f"/api/v1/task/{made[3]['uuid']}",
        {"task_status_uuid": in_progress["uuid"], "position": 1},
    )
    assert into.json()["position"] == 1
    assert await _column(firm, in_progress["uuid"]) == [("D", 1), ("C", 2)]
    assert await _column(firm, column) == [("A", 2), ("B", 4)]


async def test_a_position_that_is_not_a_whole_number_from_1_is_refused(firm: Firm) -> None:
    client = await firm.client_account()
    status = (await firm.owner.get("/api/v1/task-status")).json()["data"][0]
    body = {"taskable_type": "client", "taskable_uuid": client["uuid"]}
    task = await firm.owner.created(
        "/api/v1/task", {**body, "task_status_uuid": status["uuid"], "name": "T"}
    )
    for bad, message in [
        (0, "The position field must be at least 1."),
        ("first", "The position field must be an integer."),
        (1.5, "The position field must be an integer."),
    ]:
        refused = await firm.owner.put(f"/api/v1/task/{task['uuid']}", {"position": bad})
        assert refused.status_code == 422, bad
        assert refused.json() == {"message": message, "errors": {"position": [message]}}
    shown = await firm.owner.get(f"/api/v1/task/{task['uuid']}")
    assert shown.json() == task

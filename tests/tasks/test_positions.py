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

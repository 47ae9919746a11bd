"""The login's two flags are independent: writes need has_write_permission, deletes need
has_delete_permission, on every resource alike."""

from __future__ import annotations

from tests.helpers import Firm


async def test_a_delete_only_login_deletes_every_kind_of_record(firm: Firm) -> None:
    owner = firm.owner
    remover = await firm.actor(role="admin", write=False, delete=True)
    clients = [await firm.client_account() for _ in range(3)]
    statuses = (await owner.get("/api/v1/task-status")).json()["data"]
    task = await owner.created(
        "/api/v1/task",
        {
            "name": "T",
            "taskable_type": "client",
            "taskable_uuid": clients[0]["uuid"],
            "task_status_uuid": statuses[0]["uuid"],
        },
    )
    made = {
        "cases": await owner.created(
            "/api/v1/cases", {"name": "C", "participants": [clients[1]["uuid"]]}
        ),
        "plans": await owner.created(
            "/api/v1/plans", {"name": "P", "type": "pension", "accounts": [clients[1]["uuid"]]}
        ),
        "task-status": await owner.created("/api/v1/task-status", {"name": "Waiting"}),
        "custom-field": await owner.created(
            "/api/v1/custom-field", {"type": "string", "name": "Nick"}
        ),
        "circles": await firm.circle([c["uuid"] for c in clients[:2]]),
        "group": await firm.group([]),
        "task": task,
        "client": clients[2],
    }
    goal = await firm.goal([clients[0]["uuid"]])
    paths = [f"/api/v1/{kind}/{record['uuid']}" for kind, record in made.items()]
    paths.append(f"/api/v2/goals/{goal['uuid']}")
    for path in paths:
        response = await remover.delete(path)
        assert response.status_code == 204, (path, response.text)
        assert (await owner.get(path)).status_code == 404
    refused = await remover.post("/api/v1/group", {"name": "Nope"})
    assert refused.status_code == 403

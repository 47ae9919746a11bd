"""Every change of an account, circle, case, plan, task or goal records its event in the
change's own transaction, the data the record as an owner's GET renders it (a deletion:
its uuid), and the firm's cursors count up in the order the changes commit."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from tests.helpers import Firm
from tests.webhooks.support import names, recorded


async def _since(app: FastAPI, firm: Firm, before: int) -> list[dict[str, Any]]:
    return (await recorded(app, firm.firm_id))[before:]


async def test_a_circle_records_created_updated_deleted_with_the_owners_view(
    app: FastAPI, firm: Firm
) -> None:
    client = await firm.client_account()
    account_path = f"/api/v1/client/{client['uuid']}"
    before = len(await recorded(app, firm.firm_id))
    circle = await firm.circle([client["uuid"]])
    in_circle = (await firm.owner.get(account_path)).json()
    path = f"/api/v1/circles/{circle['uuid']}"
    updated = await firm.owner.put(path, json={"name": "Renamed"})
    assert updated.status_code == 200, updated.text
    shown = (await firm.owner.get(path)).json()
    renamed_in = (await firm.owner.get(account_path)).json()
    assert (await firm.owner.delete(path)).status_code == 204
    out_of_it = (await firm.owner.get(account_path)).json()

    rows = await _since(app, firm, before)
    # The client lists its circles by name: joining one, its rename and its going change
    # the client too.
    assert names(rows) == [
        "circle.created",
        "account.updated",
        "circle.updated",
        "account.updated",
        "circle.deleted",
        "account.updated",
    ]
    assert [row["record_uuid"] for row in rows] == [
        circle["uuid"],
        client["uuid"],
        circle["uuid"],
        client["uuid"],
        circle["uuid"],
        client["uuid"],
    ]
    assert rows[0]["payload"] == circle
    assert rows[1]["payload"] == in_circle
    assert [c["uuid"] for c in in_circle["circles"]] == [circle["uuid"]]
    assert rows[2]["payload"] == shown == updated.json()
    assert rows[3]["payload"] == renamed_in
    assert renamed_in["circles"][0]["name"] == "Renamed"
    assert rows[4]["payload"] == {"uuid": circle["uuid"]}
    assert rows[5]["payload"] == out_of_it
    assert out_of_it["circles"] == []
    # One cursor after the other: the firm's counter hands them out without gaps.
    cursors = [row["cursor"] for row in rows]
    assert cursors == list(range(cursors[0], cursors[0] + 6))


async def test_accounts_goals_cases_and_plans_record_their_events(app: FastAPI, firm: Firm) -> None:
    before = len(await recorded(app, firm.firm_id))
    client = await firm.client_account()
    renamed = await firm.owner.put(f"/api/v1/client/{client['uuid']}", json={"first_name": "Al"})
    assert renamed.status_code == 200, renamed.text
    goal = await firm.goal([client["uuid"]])
    goal_path = f"/api/v2/goals/{goal['uuid']}"
    assert (await firm.owner.put(goal_path, json={"name": "Retire"})).status_code == 200
    goal_now = (await firm.owner.get(goal_path)).json()
    assert (await firm.owner.delete(goal_path)).status_code == 204
    case = await firm.owner.created(
        "/api/v1/cases", {"name": "Pension", "participants": [client["uuid"]]}
    )
    plan = await firm.owner.created(
        "/api/v1/plans", {"name": "ISA", "type": "pension", "accounts": [client["uuid"]]}
    )

    rows = await _since(app, firm, before)
    assert names(rows) == [
        "account.created",
        "account.updated",
        "goal.created",
        "goal.updated",
        "goal.deleted",
        "case.created",
        "plan.created",
    ]
    assert rows[0]["payload"] == client
    assert rows[1]["payload"] == renamed.json()
    assert rows[0]["record_type"] == "account"
    assert rows[2]["payload"] == goal
    assert rows[3]["payload"] == goal_now
    assert rows[4]["payload"] == {"uuid": goal["uuid"]}
    assert rows[5]["payload"] == case
    assert rows[6]["payload"] == plan


async def test_a_task_records_completed_besides_updated(app: FastAPI, firm: Firm) -> None:
    client = await firm.client_account()
    statuses = (await firm.owner.get("/api/v1/task-status")).json()["data"]
    body = {
        "name": "Call",
        "taskable_type": "client",
        "taskable_uuid": client["uuid"],
        "task_status_uuid": statuses[0]["uuid"],
    }
    before = len(await recorded(app, firm.firm_id))
    task = await firm.owner.created("/api/v1/task", body)
    path = f"/api/v1/task/{task['uuid']}"
    done = await firm.owner.request("PATCH", f"{path}/complete")
    assert done.status_code == 200, done.text
    again = await firm.owner.request("PATCH", f"{path}/complete")
    assert again.status_code == 200, again.text
    reopened = await firm.owner.request("PATCH", f"{path}/uncomplete/{statuses[0]['uuid']}")
    assert reopened.status_code == 200, reopened.text
    assert (await firm.owner.delete(path)).status_code == 204

    rows = await _since(app, firm, before)
    # Completing a completed task changes nothing and records nothing.
    assert names(rows) == [
        "task.created",
        "task.updated",
        "task.completed",
        "task.updated",
        "task.deleted",
    ]
    assert rows[0]["payload"] == task
    assert rows[1]["payload"] == rows[2]["payload"] == done.json()
    assert rows[3]["payload"] == reopened.json()
    assert rows[4]["payload"] == {"uuid": task["uuid"]}


async def test_a_members_write_records_the_owners_view(app: FastAPI, firm: Firm) -> None:
    """The member sees one of the goal's two owners; the event shows both."""
    member = await firm.actor()
    seen, hidden = await firm.client_account(), await firm.client_account()
    await firm.group([member.account_uuid, seen["uuid"]])
    goal = await firm.goal([seen["uuid"], hidden["uuid"]])
    path = f"/api/v2/goals/{goal['uuid']}"
    before = len(await recorded(app, firm.firm_id))
    response = await member.put(path, json={"name": "Retire early"})
    assert response.status_code == 200, response.text
    owners_view = (await firm.owner.get(path)).json()
    assert response.json() != owners_view  # the member's view leaves the hidden owner out
    rows = await _since(app, firm, before)
    assert names(rows) == ["goal.updated"]
    assert rows[0]["payload"] == owners_view

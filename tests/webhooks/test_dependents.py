"""A write records the events of the records it changes besides its own: what a delete
takes with it records its deletion (seen, in the change feed, by those who could open it)
and what it changes records its update, as an owner's GET shows it after; so does a
change of the links another record shows (a client lists its circles and its owners)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from tests.helpers import Actor, Firm
from tests.webhooks.support import recorded

CHANGES = "/api/v1/changes"


async def _since(app: FastAPI, firm: Firm, before: int) -> list[tuple[str, str, Any]]:
    rows = (await recorded(app, firm.firm_id))[before:]
    return [(row["name"], row["record_uuid"], row["payload"]) for row in rows]


async def _count(app: FastAPI, firm: Firm) -> int:
    return len(await recorded(app, firm.firm_id))


async def _task(firm: Firm, client_uuid: str, **fields: Any) -> dict[str, Any]:
    status = (await firm.owner.get("/api/v1/task-status")).json()["data"][0]
    body = {
        "name": "Call",
        "taskable_type": "client",
        "taskable_uuid": client_uuid,
        "task_status_uuid": status["uuid"],
        **fields,
    }
    return await firm.owner.created("/api/v1/task", body)


async def _get(actor: Actor, path: str) -> dict[str, Any]:
    response = await actor.get(path)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _delete(actor: Actor, path: str) -> None:
    response = await actor.delete(path)
    assert response.status_code == 204, response.text


async def test_a_clients_delete_takes_its_tasks_and_goals_and_changes_what_showed_it(
    app: FastAPI, firm: Firm
) -> None:
    member, outsider = await firm.actor(), await firm.actor()
    client, partner = await firm.client_account(), await firm.client_account()
    task = await _task(firm, client["uuid"], assigned_to_uuids=[member.account_uuid])
    subtask = await _task(firm, client["uuid"], parent_task_uuid=task["uuid"])
    own_goal = await firm.goal([client["uuid"]])
    shared_goal = await firm.goal([client["uuid"], partner["uuid"]])
    circle = await firm.circle([client["uuid"], partner["uuid"]])
    before = await _count(app, firm)
    start = (await _get(firm.owner, f"{CHANGES}?limit=500"))["next"]
    await _delete(firm.owner, f"/api/v1/client/{client['uuid']}")

    events = await _since(app, firm, before)
    deleted = [(name, ref) for name, ref, data in events if name.endswith(".deleted")]
    assert sorted(deleted) == sorted(
        [
            ("task.deleted", task["uuid"]),
            ("task.deleted", subtask["uuid"]),
            ("goal.deleted", own_goal["uuid"]),
            ("account.deleted", client["uuid"]),
        ]
    )
    assert all(data == {"uuid": ref} for name, ref, data in events if name.endswith(".deleted"))
    # The records that showed the client, as an owner's GET shows them now.
    updated = {ref: data for name, ref, data in events if name.endswith(".updated")}
    assert [name for name, _, _ in events if not name.endswith(".deleted")] == [
        "circle.updated",
        "goal.updated",
    ]
    assert updated == {
        circle["uuid"]: await _get(firm.owner, f"/api/v1/circles/{circle['uuid']}"),
        shared_goal["uuid"]: await _get(firm.owner, f"/api/v2/goals/{shared_goal['uuid']}"),
    }
    assert [a["uuid"] for a in updated[shared_goal["uuid"]]["accounts"]] == [partner["uuid"]]

    # The task's assignee could open it: its deletion shows in their feed. The subtask
    # (neither theirs nor of a group of theirs) and the rest do not.
    feed = (await _get(member, f"{CHANGES}?after={start}&limit=500"))["data"]
    assert [(i["event"], i["data"]) for i in feed] == [("task.deleted", {"uuid": task["uuid"]})]
    assert (await _get(outsider, f"{CHANGES}?after={start}&limit=500"))["data"] == []


async def test_a_groups_delete_changes_the_tasks_and_circles_it_was_on(
    app: FastAPI, firm: Firm
) -> None:
    client = await firm.client_account()
    group = await firm.group([])
    task = await _task(firm, client["uuid"], group_uuids=[group["uuid"]])
    circle = await firm.circle([client["uuid"]], group_uuids=[group["uuid"]])
    before = await _count(app, firm)
    await _delete(firm.owner, f"/api/v1/group/{group['uuid']}")

    task_now = await _get(firm.owner, f"/api/v1/task/{task['uuid']}")
    circle_now = await _get(firm.owner, f"/api/v1/circles/{circle['uuid']}")
    assert (task_now["group_uuids"], circle_now["groups"]) == ([], [])
    assert await _since(app, firm, before) == [
        ("circle.updated", circle["uuid"], circle_now),
        ("task.updated", task["uuid"], task_now),
    ]


async def test_a_staff_members_delete_changes_the_clients_they_advised(
    app: FastAPI, firm: Firm
) -> None:
    adviser = await firm.actor()
    client = await firm.client_account(assigned_adviser_uuid=adviser.account_uuid)
    before = await _count(app, firm)
    await _delete(firm.owner, f"/api/v1/account/{adviser.account_uuid}")

    client_now = await _get(firm.owner, f"/api/v1/client/{client['uuid']}")
    assert client_now["assigned_adviser"] is None
    assert await _since(app, firm, before) == [
        ("account.deleted", adviser.account_uuid, {"uuid": adviser.account_uuid}),
        ("account.updated", client["uuid"], client_now),
    ]


async def test_a_delete_nothing_depends_on_records_its_own_event_alone(
    app: FastAPI, firm: Firm
) -> None:
    client = await firm.client_account()
    task = await _task(firm, client["uuid"])
    before = await _count(app, firm)
    await _delete(firm.owner, f"/api/v1/task/{task['uuid']}")
    assert await _since(app, firm, before) == [
        ("task.deleted", task["uuid"], {"uuid": task["uuid"]})
    ]


async def test_a_circles_writes_record_the_updates_of_the_members_whose_circles_change(
    app: FastAPI, firm: Firm
) -> None:
    stays, leaves, joins = [await firm.client_account() for _ in range(3)]
    circle = await firm.circle([stays["uuid"], leaves["uuid"]])
    path = f"/api/v1/circles/{circle['uuid']}"

    # Who joined and who left list another set of circles; who stayed does not.
    before = await _count(app, firm)
    body = {"account_uuids": [stays["uuid"], joins["uuid"]]}
    assert (await firm.owner.put(path, json=body)).status_code == 200
    events = await _since(app, firm, before)
    assert events[0][:2] == ("circle.updated", circle["uuid"])
    assert sorted(ref for name, ref, _ in events[1:] if name == "account.updated") == sorted(
        [leaves["uuid"], joins["uuid"]]
    )
    assert len(events) == 3
    for _, ref, data in events[1:]:
        assert data == await _get(firm.owner, f"/api/v1/client/{ref}")

    # Every member lists the circle by name; its colour they do not show.
    before = await _count(app, firm)
    assert (await firm.owner.put(path, json={"name": "Renamed"})).status_code == 200
    assert (await firm.owner.put(path, json={"bg_colour": "#123456"})).status_code == 200
    events = await _since(app, firm, before)
    assert [name for name, _, _ in events] == [
        "circle.updated",
        "account.updated",
        "account.updated",
        "circle.updated",
    ]
    assert sorted(ref for _, ref, _ in events[1:3]) == sorted([stays["uuid"], joins["uuid"]])
    for _, ref, data in events[1:3]:
        shown = await _get(firm.owner, f"/api/v1/client/{ref}")
        assert data == shown and shown["circles"][0]["name"] == "Renamed"


async def test_a_shared_clients_owners_change_records_its_update(app: FastAPI, firm: Firm) -> None:
    first, second = await firm.client_account(), await firm.client_account()
    body = {"role": "joint", "name": "Joint Household", "owner_uuids": [first["uuid"]]}
    shared = await firm.owner.created("/api/v1/client", body)
    path = f"/api/v1/client/{shared['uuid']}/owners"
    before = await _count(app, firm)
    changed = await firm.owner.post(path, json={"mode": "attach", "owners": [second["uuid"]]})
    assert changed.status_code == 200, changed.text
    # Attaching an owner it has already changes nothing, and records nothing.
    again = await firm.owner.post(path, json={"mode": "attach", "owners": [second["uuid"]]})
    assert again.status_code == 200, again.text

    shown = await _get(firm.owner, f"/api/v1/client/{shared['uuid']}")
    assert changed.json() == shown
    assert await _since(app, firm, before) == [("account.updated", shared["uuid"], shown)]

"""A deletion in the change feed: owners and admins see every one; anyone else sees the
deletion of a record they could open just before it went, and no other."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from advisercrm.accounts.description import CLIENTS
from advisercrm.auth.principal import Principal
from advisercrm.db import connect
from advisercrm.resource import service
from tests.helpers import Actor, Firm
from tests.webhooks.support import names, recorded

CHANGES = "/api/v1/changes"


async def _start(actor: Actor) -> str:
    response = await actor.get(CHANGES, params={"limit": 500})
    assert response.status_code == 200, response.text
    return str(response.json()["next"])


async def _deleted(actor: Actor, after: str) -> list[tuple[str, dict[str, Any]]]:
    response = await actor.get(CHANGES, params={"after": after, "limit": 500})
    assert response.status_code == 200, response.text
    items = response.json()["data"]
    return [(i["event"], i["data"]) for i in items if i["event"].endswith(".deleted")]


async def _delete(actor: Actor, path: str) -> None:
    response = await actor.delete(path)
    assert response.status_code == 204, response.text


async def _task(firm: Firm, client: dict[str, Any], **fields: Any) -> dict[str, Any]:
    status = (await firm.owner.get("/api/v1/task-status")).json()["data"][0]
    body = {
        "name": "Call",
        "taskable_type": "client",
        "taskable_uuid": client["uuid"],
        "task_status_uuid": status["uuid"],
        **fields,
    }
    return await firm.owner.created("/api/v1/task", body)


async def test_a_tasks_deletion_shows_to_those_who_could_open_it(firm: Firm) -> None:
    in_group, assigned, outsider = await firm.actor(), await firm.actor(), await firm.actor()
    client = await firm.client_account()
    # The client's login, assigned to a task on its own record, opens it.
    portal = await firm.actor(type="client", role="individual")
    group = await firm.group([in_group.account_uuid])
    task = await _task(
        firm,
        {"uuid": portal.account_uuid},
        group_uuids=[group["uuid"]],
        assigned_to_uuids=[assigned.account_uuid, portal.account_uuid],
    )
    # The other task is on another client's record, the client's login not assigned.
    other = await _task(firm, client, assigned_to_uuids=[assigned.account_uuid])
    start = await _start(firm.owner)
    await _delete(firm.owner, f"/api/v1/task/{task['uuid']}")
    await _delete(firm.owner, f"/api/v1/task/{other['uuid']}")

    gone = ("task.deleted", {"uuid": task["uuid"]})
    other_gone = ("task.deleted", {"uuid": other["uuid"]})
    assert await _deleted(firm.owner, start) == [gone, other_gone]
    assert await _deleted(in_group, start) == [gone]
    assert await _deleted(assigned, start) == [gone, other_gone]
    assert await _deleted(portal, start) == [gone]
    assert await _deleted(outsider, start) == []


async def test_a_goals_deletion_shows_to_the_members_who_reach_an_owner_and_its_clients(
    firm: Firm,
) -> None:
    member, outsider = await firm.actor(), await firm.actor()
    owner_login = await firm.actor(type="client", role="individual")
    other_login = await firm.actor(type="client", role="individual")
    await firm.group([member.account_uuid, owner_login.account_uuid])
    goal = await firm.goal([owner_login.account_uuid])
    start = await _start(firm.owner)
    await _delete(owner_login, f"/api/v2/goals/{goal['uuid']}")

    gone = [("goal.deleted", {"uuid": goal["uuid"]})]
    assert await _deleted(firm.owner, start) == gone
    assert await _deleted(member, start) == gone
    assert await _deleted(owner_login, start) == gone
    assert await _deleted(outsider, start) == []
    assert await _deleted(other_login, start) == []


async def test_a_clients_deletion_shows_to_the_members_who_reach_it(firm: Firm) -> None:
    adviser, via_circle, outsider = await firm.actor(), await firm.actor(), await firm.actor()
    admin = await firm.actor(role="admin")
    client = await firm.client_account(assigned_adviser_uuid=adviser.account_uuid)
    group = await firm.group([via_circle.account_uuid])
    await firm.circle([client["uuid"]], group_uuids=[group["uuid"]])
    start = await _start(firm.owner)
    await _delete(firm.owner, f"/api/v1/client/{client['uuid']}")

    gone = [("account.deleted", {"uuid": client["uuid"]})]
    assert await _deleted(admin, start) == gone
    assert await _deleted(adviser, start) == gone
    assert await _deleted(via_circle, start) == gone
    assert await _deleted(outsider, start) == []


async def _waiting_on_a_lock(app: FastAPI) -> bool:
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO tasks%'"
    )
    async with app.state.engine.connect() as conn:
        return bool((await conn.execute(query)).scalar_one())


async def test_a_record_linked_to_a_row_while_it_is_deleted_waits_and_goes_with_no_ghost(
    app: FastAPI, firm: Firm
) -> None:
    """The delete holds its row from the moment it finds it: a task made on the client
    meanwhile waits, and fails once the client is gone, rather than being taken with the
    client unannounced (what goes is read before the delete, after the find)."""
    client = await firm.client_account()
    status = (await firm.owner.get("/api/v1/task-status")).json()["data"][0]
    owner_id = await firm.account_id(firm.owner.account_uuid)
    owner = Principal(
        0, 0, firm.firm_id, owner_id, "", "employee", "owner", True, True, "UTC", "GBP"
    )
    insert = text(
        "INSERT INTO tasks (firm_id, name, taskable_type, client_id, status_id, position) "
        "SELECT :firm, 'Raced', 'client', a.id, s.id, 1 FROM accounts a, task_statuses s "
        "WHERE a.firm_id = :firm AND a.uuid = :client AND s.firm_id = :firm AND s.uuid = :status"
    )
    params = {"firm": firm.firm_id, "client": client["uuid"], "status": status["uuid"]}

    async def racer() -> None:
        async with app.state.engine.begin() as conn:
            await conn.execute(insert, params)

    before = len(await recorded(app, firm.firm_id))
    async with connect(app.state.engine, begin=True) as conn:
        row = await service.find(conn, owner, CLIENTS, uuid.UUID(client["uuid"]), lock=True)
        assert row is not None
        raced = asyncio.create_task(racer())
        # Until the racer waits on the client's row (or, without the lock, has finished).
        while True:
            if raced.done() or await _waiting_on_a_lock(app):
                break
            await asyncio.sleep(0.01)
        assert not raced.done()
        await service.delete(conn, owner, CLIENTS, row, owner.ctx("http://test"))
    with pytest.raises(IntegrityError):
        await raced
    assert names((await recorded(app, firm.firm_id))[before:]) == ["account.deleted"]

"""Racing requests never fail with a 5xx: rules that depend on other rows hold under
concurrency, and a constraint that still fires between check and write answers 409."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from tests.helpers import Firm


async def test_concurrent_groups_with_one_name_get_distinct_slugs(firm: Firm) -> None:
    responses = await asyncio.gather(
        *(firm.owner.post("/api/v1/group", {"name": "Race Team"}) for _ in range(8))
    )
    assert [r.status_code for r in responses] == [201] * 8
    slugs = sorted(r.json()["slug"] for r in responses)
    assert slugs == sorted(["race-team", *(f"race-team-{n}" for n in range(2, 9))])


async def test_concurrent_logins_for_one_email_answer_409_not_500(firm: Firm) -> None:
    body = {
        "type": "employee",
        "role": "member",
        "first_name": "Sam",
        "last_name": "Race",
        "email": "race-login@example.com",
        "login": {"password": "a long enough password"},
    }
    responses = await asyncio.gather(*(firm.owner.post("/api/v1/account", body) for _ in range(6)))
    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == 1, statuses
    for response in responses:
        if response.status_code == 409:
            assert response.json() == {
                "message": "The request conflicts with a concurrent change; retry it."
            }
        elif response.status_code != 201:
            assert response.status_code == 422
            assert response.json()["errors"] == {"email": ["The email has already been taken."]}


async def test_a_request_rolled_back_by_a_deadlock_answers_409_not_500(firm: Firm) -> None:
    """Two transactions each waiting for a lock the other holds: PostgreSQL rolls back
    the one that waited first, here the request's, which answers 409 (retry it). The
    request changes a client's adviser: it locks the client's row, then the firm's reach
    lock (its trigger); the other transaction holds that lock, waits until the request
    queues for it, then asks for the client's row."""
    member = await firm.actor()
    client = await firm.client_account()
    engine = firm.app.state.engine
    queued = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
    async with engine.connect() as other:
        await other.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended('member_reach', :firm))"),
            {"firm": firm.firm_id},
        )
        body = {"assigned_adviser_uuid": member.account_uuid}
        request = asyncio.create_task(firm.owner.put(f"/api/v1/client/{client['uuid']}", body))
        for _ in range(5_000):
            async with engine.connect() as conn:
                if (await conn.execute(queued)).scalar_one():
                    break
            await asyncio.sleep(0.001)
        else:
            raise AssertionError("the request never queued for the reach lock")
        row = text("SELECT 1 FROM accounts WHERE firm_id = :firm AND uuid = :uuid FOR UPDATE")
        await other.execute(row, {"firm": firm.firm_id, "uuid": client["uuid"]})
        await other.rollback()
    response = await request
    assert response.status_code == 409, response.text
    assert response.json() == {
        "message": "The request conflicts with a concurrent change; retry it."
    }
    shown = (await firm.owner.get(f"/api/v1/client/{client['uuid']}")).json()
    assert shown["assigned_adviser"] is None  # the request changed nothing

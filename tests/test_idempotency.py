"""Idempotency-Key on POSTs: replay, conflict, concurrency, scope and expiry."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from sqlalchemy import update

from advisercrm.tables import idempotency_keys
from tests.helpers import Actor, Firm


async def goal_body(firm: Firm) -> dict[str, Any]:
    client = await firm.client_account()
    return {"account_uuids": [client["uuid"]], "name": "Retire early", "progress": 10}


async def goal_total(actor: Actor) -> int:
    return int((await actor.get("/api/v2/goals")).json()["meta"]["total"])


async def test_same_key_and_body_replays_the_first_response(firm: Firm) -> None:
    body = await goal_body(firm)
    headers = {"Idempotency-Key": "create-goal-1"}
    first = await firm.owner.post("/api/v2/goals", body, headers=headers)
    assert first.status_code == 201
    again = await firm.owner.post("/api/v2/goals", body, headers=headers)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await goal_total(firm.owner) == 1


async def test_same_key_with_another_body_is_422_and_changes_nothing(firm: Firm) -> None:
    body = await goal_body(firm)
    headers = {"Idempotency-Key": "create-goal-2"}
    assert (await firm.owner.post("/api/v2/goals", body, headers=headers)).status_code == 201
    other = await firm.owner.post("/api/v2/goals", {**body, "name": "Other"}, headers=headers)
    assert other.status_code == 422
    message = "The Idempotency-Key was already used with a different request."
    assert other.json() == {"message": message, "errors": {"Idempotency-Key": [message]}}
    assert await goal_total(firm.owner) == 1


async def test_concurrent_requests_with_one_key_create_one_record(firm: Firm) -> None:
    body = await goal_body(firm)
    headers = {"Idempotency-Key": "race"}
    responses = await asyncio.gather(
        *(firm.owner.post("/api/v2/goals", body, headers=headers) for _ in range(8))
    )
    assert [r.status_code for r in responses] == [201] * 8
    assert len({r.json()["uuid"] for r in responses}) == 1
    assert await goal_total(firm.owner) == 1


async def test_keys_belong_to_their_user(firm: Firm) -> None:
    body = await goal_body(firm)
    admin = await firm.actor(role="admin")
    headers = {"Idempotency-Key": "shared-name"}
    mine = await firm.owner.post("/api/v2/goals", body, headers=headers)
    theirs = await admin.post("/api/v2/goals", body, headers=headers)
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["uuid"] != theirs.json()["uuid"]
    assert await goal_total(firm.owner) == 2


async def test_a_failed_request_does_not_use_up_its_key(firm: Firm) -> None:
    body = await goal_body(firm)
    headers = {"Idempotency-Key": "retry-after-fix"}
    failed = await firm.owner.post("/api/v2/goals", {**body, "progress": 101}, headers=headers)
    assert failed.status_code == 422
    fixed = await firm.owner.post("/api/v2/goals", body, headers=headers)
    assert fixed.status_code == 201
    assert await goal_total(firm.owner) == 1


async def test_keys_expire_after_24_hours(firm: Firm) -> None:
    body = await goal_body(firm)
    headers = {"Idempotency-Key": "old"}
    assert (await firm.owner.post("/api/v2/goals", body, headers=headers)).status_code == 201
    async with firm.app.state.engine.begin() as conn:
        yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(hours=25)
        await conn.execute(
            update(idempotency_keys)
            .where(idempotency_keys.c.key == "old")
            .values(created_at=yesterday)
        )
    again = await firm.owner.post("/api/v2/goals", body, headers=headers)
    assert again.status_code == 201 and "idempotent-replayed" not in again.headers
    assert await goal_total(firm.owner) == 2


async def test_every_post_route_takes_a_key(firm: Firm) -> None:
    client = await firm.client_account()
    headers = {"Idempotency-Key": "group-1"}
    first = await firm.owner.post(
        "/api/v1/group", {"name": "Key Team", "participants": [client["uuid"]]}, headers=headers
    )
    again = await firm.owner.post(
        "/api/v1/group", {"name": "Key Team", "participants": [client["uuid"]]}, headers=headers
    )
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    operations = firm.app.openapi()["paths"]
    posts = [op["post"] for op in operations.values() if "post" in op]
    assert len(posts) >= 9
    for operation in posts:
        assert "Idempotency-Key" in {p["name"] for p in operation.get("parameters", [])}


async def test_a_malformed_key_is_422(firm: Firm) -> None:
    body = await goal_body(firm)
    for key in ("", "with space", "x" * 256):
        response = await firm.owner.post("/api/v2/goals", body, headers={"Idempotency-Key": key})
        assert response.status_code == 422, key
        assert list(response.json()["errors"]) == ["Idempotency-Key"]
    assert await goal_total(firm.owner) == 0

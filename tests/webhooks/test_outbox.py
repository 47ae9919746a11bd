"""The outbox's guarantees: an event is written in its change's transaction (a change
refused after its write records nothing), and cursors follow commit order: a firm's
second writer waits for the first to commit before it takes its cursor."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from advisercrm.app import create_app
from advisercrm.auth.deps import CurrentPrincipal, RenderCtx
from advisercrm.circles.description import CIRCLES
from advisercrm.circles.schemas import CircleCreate
from advisercrm.config import Settings
from advisercrm.db import Conn, connect
from advisercrm.kit.errors import ValidationFailed
from advisercrm.resource import events, service
from tests.helpers import new_firm
from tests.webhooks.support import names, recorded

REFUSED = {"message": "Refused after the write.", "errors": {"name": ["Refused after the write."]}}


@pytest.fixture(scope="module")
async def served(database_url: str, settings: Settings) -> AsyncIterator[FastAPI]:
    app = create_app(settings, database_url)

    @app.post("/test-only/circle-then-refuse")
    async def circle_then_refuse(
        body: CircleCreate, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
    ) -> None:
        await service.create(conn, principal, CIRCLES, body, ctx)
        raise ValidationFailed({"name": ["Refused after the write."]})

    async with app.router.lifespan_context(app):
        yield app


async def test_a_change_that_rolls_back_records_no_event(served: FastAPI) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=served), base_url="http://test"
    ) as http:
        firm = await new_firm(served, http)
        client = await firm.client_account()
        before = await recorded(served, firm.firm_id)
        body = {"name": "Gone", "account_uuids": [client["uuid"]]}
        response = await firm.owner.post("/test-only/circle-then-refuse", body)
        assert response.status_code == 422
        assert response.json() == REFUSED
        assert await recorded(served, firm.firm_id) == before
        listed = await firm.owner.get("/api/v1/circles")
        assert listed.json()["data"] == []
        # The control: the same write, not refused, does record its events (the circle's,
        # and its member's, whose circles it lists).
        await firm.circle([client["uuid"]])
        assert names((await recorded(served, firm.firm_id))[len(before) :]) == [
            "circle.created",
            "account.updated",
        ]


def _event(name: str, record_uuid: str) -> events.Event:
    return events.Event(name, "circle", record_uuid, {})


async def _waiting_on_a_lock(served: FastAPI) -> bool:
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE wait_event_type = 'Lock' AND query LIKE '%event_counters%'"
    )
    async with served.state.engine.connect() as conn:
        return bool((await conn.execute(query)).scalar_one())


async def test_cursors_follow_commit_order(served: FastAPI) -> None:
    """The first writer holds the firm's counter until it commits: the second, started
    while the first is open, waits, and takes the next cursor only after the commit."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=served), base_url="http://test"
    ) as http:
        firm = await new_firm(served, http)
    record_uuid = "00000000-0000-4000-8000-000000000001"

    async def second() -> None:
        async with connect(served.state.engine, begin=True) as conn:
            await events.record_all(conn, firm.firm_id, [_event("circle.updated", record_uuid)])

    async with connect(served.state.engine, begin=True) as conn:
        await events.record_all(conn, firm.firm_id, [_event("circle.created", record_uuid)])
        later = asyncio.create_task(second())
        # Until the second writer waits on a lock (or, without the lock, has finished).
        while True:
            if later.done() or await _waiting_on_a_lock(served):
                break
            await asyncio.sleep(0.01)
        assert not later.done()
    await later
    rows = await recorded(served, firm.firm_id)
    assert [(r["cursor"], r["name"]) for r in rows] == [
        (1, "circle.created"),
        (2, "circle.updated"),
    ]

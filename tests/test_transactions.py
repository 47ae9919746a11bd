"""The request's transaction (`db.transaction`): a read sees one snapshot from its first
statement to its last, whatever commits in between; a write is one transaction.

A test-only route runs two statements on the request's connection and waits between
them until a second, real connection has committed a new row."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text

from advisercrm.app import create_app
from advisercrm.config import Settings
from advisercrm.db import Conn, connect, create_engine
from advisercrm.kit.sql import Query, driver
from advisercrm.tables import firms

FIRMS = Query(select(func.count()).select_from(firms))
MODE = Query(
    select(
        text("current_setting('transaction_isolation')"),
        text("current_setting('transaction_read_only')"),
    )
)


@dataclasses.dataclass
class Served:
    app: FastAPI
    http: httpx.AsyncClient
    reached: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)
    go: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)


@pytest.fixture(scope="module")
async def served(database_url: str, settings: Settings) -> AsyncIterator[Served]:
    app = create_app(settings, database_url)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as http,
    ):
        served = Served(app, http)

        @app.api_route("/test-only/firms", methods=["GET", "POST"])
        async def count_twice(conn: Conn) -> dict[str, Any]:
            before = await FIRMS.scalar(conn)
            served.reached.set()
            await served.go.wait()
            mode = await MODE.first(conn)
            assert mode is not None
            return {"before": before, "after": await FIRMS.scalar(conn), "mode": list(mode)}

        yield served


async def _with_a_commit_between(served: Served, database_url: str, method: str) -> Any:
    """Send the request; once its first count is taken, commit a new firm on another
    connection, then let the request take its second."""
    served.reached.clear()
    served.go.clear()
    sent = asyncio.create_task(served.http.request(method, "/test-only/firms"))
    await served.reached.wait()
    writer = await asyncpg.connect(database_url)
    try:
        await writer.execute(
            "INSERT INTO firms (name, currency, timezone) VALUES ('between', 'GBP', 'UTC')"
        )
    finally:
        await writer.close()
    served.go.set()
    response = await sent
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_read_sees_one_snapshot(served: Served, database_url: str) -> None:
    counts = await _with_a_commit_between(served, database_url, "GET")
    assert counts["after"] == counts["before"]
    assert counts["mode"] == ["repeatable read", "on"]


async def test_a_write_sees_what_others_committed_before_each_statement(
    served: Served, database_url: str
) -> None:
    """The control: the commit does land between the two statements."""
    counts = await _with_a_commit_between(served, database_url, "POST")
    assert counts["after"] == counts["before"] + 1
    assert counts["mode"] == ["read committed", "off"]


async def test_a_connection_left_in_a_transaction_is_not_pooled(served: Served) -> None:
    async with connect(served.app.state.engine) as conn:
        raw = driver(conn)
        await raw.execute("BEGIN")
    assert raw.is_closed()
    async with connect(served.app.state.engine) as conn:
        assert not driver(conn).is_in_transaction()
        assert await FIRMS.scalar(conn) > 0


async def test_a_write_is_read_committed_whatever_the_databases_default(
    database_url: str,
) -> None:
    """A connection whose default is REPEATABLE READ still writes at READ COMMITTED: the
    events' counter, taken with COMMIT, would otherwise fail a firm's concurrent writes."""
    engine = create_engine(database_url, 1)  # one connection: the one set below
    try:
        async with connect(engine) as conn:
            await driver(conn).execute("SET default_transaction_isolation = 'repeatable read'")
        async with connect(engine, snapshot=False) as conn:
            assert await driver(conn).fetchval("SHOW default_transaction_isolation") == (
                "repeatable read"
            )
        async with connect(engine, begin=True) as conn:
            mode = await MODE.first(conn)
        assert mode is not None
        assert list(mode) == ["read committed", "off"]
    finally:
        await engine.dispose()

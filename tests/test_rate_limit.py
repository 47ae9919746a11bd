"""Rate limiting: per-user budgets per minute, shared by every process on the database,
with headers on every API response and 429 with Retry-After beyond the limit."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from advisercrm.app import create_app
from advisercrm.config import Settings
from advisercrm.ratelimit import repository
from advisercrm.ratelimit.limiter import Limiter
from tests.helpers import Firm

LIMIT = 40


pytestmark = pytest.mark.usefixtures("one_minute")


@pytest.fixture
async def servers(database_url: str, settings: Settings) -> AsyncIterator[list[httpx.AsyncClient]]:
    """Two app instances (as two worker processes or servers) on one database."""
    limited = dataclasses.replace(settings, rate_limit=LIMIT)
    apps = [create_app(limited, database_url) for _ in range(2)]
    async with apps[0].router.lifespan_context(apps[0]), apps[1].router.lifespan_context(apps[1]):
        # An address of its own: other tests' bad tokens spend 127.0.0.1's budget.
        address = ("203.0.113.7", 4000)
        clients = [
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=a, client=address), base_url="http://test"
            )
            for a in apps
        ]
        yield clients
        for client in clients:
            await client.aclose()


async def test_headers_count_down_and_429_carries_retry_after(
    firm: Firm, servers: list[httpx.AsyncClient]
) -> None:
    server = servers[0]
    seen = []
    for _ in range(LIMIT):
        response = await server.get("/api/v1/group", headers=firm.owner.headers)
        assert response.status_code == 200
        assert response.headers["x-ratelimit-limit"] == str(LIMIT)
        seen.append(int(response.headers["x-ratelimit-remaining"]))
    assert seen == list(range(LIMIT - 1, -1, -1))
    refused = await server.get("/api/v1/group", headers=firm.owner.headers)
    assert refused.status_code == 429
    assert refused.json() == {"message": "Too Many Attempts."}
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["x-ratelimit-remaining"] == "0"


async def test_the_budget_holds_across_processes(
    firm: Firm, servers: list[httpx.AsyncClient]
) -> None:
    """Concurrent requests spread over two processes never get more than the limit."""

    async def call(i: int) -> int:
        response = await servers[i % 2].get("/api/v1/group", headers=firm.owner.headers)
        return response.status_code

    statuses = await asyncio.gather(*(call(i) for i in range(3 * LIMIT)))
    assert set(statuses) == {200, 429}
    admitted = statuses.count(200)
    # Never more than the limit; at most the unspent leases of the other process fewer.
    lease = max(1, LIMIT // 50)
    assert LIMIT - lease <= admitted <= LIMIT, admitted


async def test_users_have_budgets_of_their_own(
    firm: Firm, servers: list[httpx.AsyncClient]
) -> None:
    admin = await firm.actor(role="admin")
    for _ in range(LIMIT):
        await servers[0].get("/api/v1/group", headers=firm.owner.headers)
    assert (await servers[0].get("/api/v1/group", headers=firm.owner.headers)).status_code == 429
    other = await servers[1].get("/api/v1/group", headers=admin.headers)
    assert other.status_code == 200 and other.headers["x-ratelimit-remaining"] == str(LIMIT - 1)


async def test_guessing_tokens_spends_the_address_budget(servers: list[httpx.AsyncClient]) -> None:
    statuses = []
    for n in range(LIMIT + 1):
        response = await servers[n % 2].get(
            "/api/v1/logins", headers={"Authorization": f"Bearer guess-{n}"}
        )
        statuses.append(response.status_code)
        assert "x-ratelimit-limit" in response.headers
    assert statuses[:LIMIT] == [401] * LIMIT
    assert statuses[LIMIT] == 429


async def test_a_request_costs_a_round_trip_only_when_its_lease_runs_out(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    leases = 0
    real_lease = repository.lease

    async def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal leases
        leases += 1
        return await real_lease(*args, **kwargs)

    monkeypatch.setattr(repository, "lease", counting)
    limiter = Limiter(app.state.engine, 500)
    for _ in range(25):
        await limiter.hit("user:round-trips")
    assert limiter.lease_size == 10
    assert leases == 3

"""Database outages: the API answers 503 with Retry-After (never 500, never a hang) while
an external PostgreSQL is stopped, restarted or hung, says not ready, and heals by itself
once the database is back, without losing an acknowledged write."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, select
from sqlalchemy import exc as sa_exc

from advisercrm.app import create_app
from advisercrm.config import Settings
from advisercrm.db import COMMAND_TIMEOUT, create_engine, unavailable
from advisercrm.embedded import _ensure_database
from advisercrm.migrate import upgrade
from advisercrm.ratelimit.limiter import Limiter
from advisercrm.tables import goals, rate_limit_windows
from tests.external_postgres import ExternalPostgres
from tests.helpers import Actor, Firm, new_firm

UNAVAILABLE = {"message": "The database is unavailable; retry shortly."}
NOT_READY = {"status": "unavailable"}
# Far beyond the server's own bounds (connect, pool and statement timeouts of a few
# seconds each): a request still running after this is hanging.
HANG = 40
# A lease of the limiter is 100 requests: a caller's first request of the minute takes
# one from the limiter's own pool.
RATE_LIMIT = 5000


def _raised(error: BaseException, cause: BaseException) -> BaseException:
    """`error` as raised from `cause` (how SQLAlchemy wraps the driver's errors)."""
    try:
        raise error from cause
    except BaseException as raised:
        return raised


CLOSED = asyncpg.InterfaceError("connection is closed")


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connect call failed"),
        ConnectionResetError(104, "Connection reset by peer"),
        TimeoutError(),  # asyncpg's connect and command timeouts
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle"),
        CLOSED,
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.AdminShutdownError("terminating connection"),
        asyncpg.exceptions.CrashShutdownError("terminating connection"),
        asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.exceptions.InternalClientError("cannot switch to state 12; another operation"),
        sa_exc.TimeoutError("QueuePool limit of size 10 overflow 0 reached"),
        sa_exc.DBAPIError("SELECT 1", None, Exception("lost"), connection_invalidated=True),
        _raised(sa_exc.InterfaceError("SELECT 1", None, Exception()), CLOSED),
    ],
    ids=repr,
)
def test_outage_errors_are_recognised(error: BaseException) -> None:
    assert unavailable(error)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("bad"),
        asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
        asyncpg.exceptions.UniqueViolationError("duplicate key"),
        sa_exc.DBAPIError("SELECT 1", None, Exception("syntax"), connection_invalidated=False),
    ],
    ids=repr,
)
def test_other_errors_stay_errors(error: BaseException) -> None:
    assert not unavailable(error)


@pytest.fixture(scope="module")
def external() -> Iterator[ExternalPostgres]:
    server = ExternalPostgres()
    server.start()
    asyncio.run(_ensure_database(server.url(), "advisercrm"))
    upgrade(server.url("advisercrm"))
    yield server
    server.remove()


@dataclass
class Served:
    app: FastAPI
    firm: Firm
    goal_path: str
    account_uuid: str

    async def call(self, actor: Actor, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await asyncio.wait_for(actor.request(method, path, **kwargs), HANG)

    async def read(self, path: str | None = None) -> httpx.Response:
        return await self.call(self.firm.owner, "GET", path or self.goal_path)

    async def write(self, name: str = "Outage goal") -> httpx.Response:
        body = {"account_uuids": [self.account_uuid], "name": name}
        return await self.call(self.firm.owner, "POST", "/api/v2/goals", json=body)

    async def ready(self) -> httpx.Response:
        return await asyncio.wait_for(self.firm.client.get("/readyz"), HANG)

    async def wait_ready(self, seen: list[int]) -> None:
        """Poll /readyz (bounded) until the app says ready; `seen` gets each status."""
        for _ in range(150):
            status = (await self.ready()).status_code
            seen.append(status)
            if status == 200:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"not ready again: {seen[-5:]}")


@contextlib.asynccontextmanager
async def _serve(app: FastAPI) -> AsyncIterator[Served]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            firm = await new_firm(app, client)
            account = await firm.client_account()
            goal = await firm.goal([account["uuid"]])
            yield Served(app, firm, f"/api/v2/goals/{goal['uuid']}", account["uuid"])


@pytest.fixture
async def served(external: ExternalPostgres, settings: Settings) -> AsyncIterator[Served]:
    """The app in process on the external server, with a firm, a client and a goal."""
    if not external.running():
        external.start()
    limited = dataclasses.replace(settings, rate_limit=RATE_LIMIT)
    async with _serve(create_app(limited, external.url("advisercrm"))) as served:
        yield served


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.json() == UNAVAILABLE
    assert response.headers["retry-after"] == "5"


async def test_while_stopped_requests_get_503_and_readyz_says_not_ready(
    served: Served, external: ExternalPostgres
) -> None:
    assert (await served.read()).status_code == 200
    await asyncio.to_thread(external.stop)
    assert_unavailable(await served.read())
    assert_unavailable(await served.write())
    not_ready = await served.ready()
    assert not_ready.status_code == 503 and not_ready.json() == NOT_READY
    await asyncio.to_thread(external.start)
    seen: list[int] = []
    await served.wait_ready(seen)
    assert set(seen) <= {200, 503}, seen
    assert (await served.read()).status_code == 200
    written = await served.write()
    assert written.status_code == 201, written.text
    assert (await served.read(f"/api/v2/goals/{written.json()['uuid']}")).status_code == 200


async def test_after_an_idle_outage_both_pools_hand_out_live_connections(
    served: Served, external: ExternalPostgres
) -> None:
    """No request during a 2 s outage: every pooled connection of both pools died with
    the server, and the first requests after it must not be given one."""
    assert (await served.read()).status_code == 200  # pools the owner's connection and lease
    second = await served.firm.actor()  # has no lease yet: its first request takes one
    await asyncio.to_thread(external.stop)
    await asyncio.sleep(2)
    await asyncio.to_thread(external.start)
    first = await served.read()
    assert first.status_code == 200, first.text
    leased = await served.call(second, "GET", "/api/v1/group")
    assert leased.status_code == 200, leased.text
    assert (await served.write()).status_code == 201


async def test_a_restart_that_severs_every_connection_heals_without_a_500(
    served: Served, external: ExternalPostgres
) -> None:
    assert (await served.read()).status_code == 200
    await asyncio.to_thread(external.restart_immediately)
    seen = []
    for _ in range(150):  # the connections the restart severed fail once each, at most
        response = await served.read()
        seen.append(response.status_code)
        if response.status_code == 200:
            break
        assert_unavailable(response)
        await asyncio.sleep(0.1)
    assert seen[-1] == 200, seen
    assert (await served.write()).status_code == 201
    assert (await served.ready()).status_code == 200


async def test_under_load_answers_are_2xx_or_503_and_acknowledged_writes_are_kept(
    served: Served, external: ExternalPostgres
) -> None:
    statuses: list[int] = []
    acknowledged: list[str] = []
    back = asyncio.Event()

    async def client(n: int) -> None:
        after = 0
        for i in range(2000):  # a bound; each client stops once it has seen the recovery
            written = await served.write(f"Load {n}-{i}")
            statuses.append(written.status_code)
            if written.status_code == 201:
                acknowledged.append(written.json()["uuid"])
            statuses.append((await served.read()).status_code)
            if written.status_code == 503:
                await asyncio.sleep(0.05)  # a client backing off
            elif back.is_set():
                after += 1
                if after == 5:
                    return
        raise AssertionError("the outage never ended for this client")

    async def outage() -> None:
        await asyncio.sleep(0.5)
        await asyncio.to_thread(external.stop)
        await asyncio.sleep(3)
        await asyncio.to_thread(external.start)
        back.set()

    await asyncio.gather(outage(), *(client(n) for n in range(4)))
    assert set(statuses) <= {200, 201, 503}, sorted(set(statuses))
    assert 503 in statuses and 201 in statuses
    async with served.app.state.engine.connect() as conn:
        query = select(goals.c.uuid).where(goals.c.uuid.in_(acknowledged))
        kept = {str(uuid) for uuid in (await conn.execute(query)).scalars()}
    assert kept == set(acknowledged)


async def test_a_hung_server_gets_503_within_the_timeouts_not_a_hang(
    external: ExternalPostgres, settings: Settings
) -> None:
    """A server that stops answering (its processes stopped, sockets left open), with a
    pool of one: the statement timeout ends the request on the pooled connection, the
    connect timeout the one that replaces it, and the pool's checkout timeout the
    requests waiting for it."""
    if not external.running():
        external.start()
    small = dataclasses.replace(settings, rate_limit=RATE_LIMIT, db_pool_size=1)
    async with _serve(create_app(small, external.url("advisercrm"))) as served:
        assert (await served.read()).status_code == 200
        await asyncio.to_thread(external.freeze)
        try:
            calls = [served.read(), served.write(), served.read(), served.write()]
            for answer in await asyncio.gather(*calls):
                assert_unavailable(answer)
            not_ready = await served.ready()
            assert not_ready.status_code == 503 and not_ready.json() == NOT_READY
        finally:
            await asyncio.to_thread(external.thaw)
        seen: list[int] = []
        await served.wait_ready(seen)
        assert (await served.read()).status_code == 200


@pytest.mark.usefixtures("one_minute")
async def test_when_the_limiters_database_is_down_new_callers_get_503_not_a_free_pass(
    external: ExternalPostgres, database_url: str, settings: Settings
) -> None:
    """The limiter keeps its budgets in a pool of its own; here its database is another
    server, so it can be down while the request's database is up."""
    if not external.running():
        external.start()
    app = create_app(dataclasses.replace(settings, rate_limit=RATE_LIMIT), database_url)
    async with _serve(app) as served:
        limits_engine = create_engine(external.url("advisercrm"), 2, COMMAND_TIMEOUT)
        app.state.limiter = Limiter(limits_engine, RATE_LIMIT)
        try:
            # Budgets are by user id: forget those other tests' users of this minute spent.
            async with limits_engine.begin() as conn:
                await conn.execute(delete(rate_limit_windows))
            assert (await served.read()).status_code == 200
            caller = await served.firm.actor()
            await asyncio.to_thread(external.stop)
            # The owner spends the lease it holds; a caller without one cannot be counted.
            assert (await served.read()).status_code == 200
            assert_unavailable(await served.call(caller, "GET", "/api/v1/group"))
            assert_unavailable(await served.call(caller, "GET", "/api/v1/group"))
            await asyncio.to_thread(external.start)
            counted = await served.call(caller, "GET", "/api/v1/group")
            assert counted.status_code == 200, counted.text
            assert counted.headers["x-ratelimit-remaining"] == str(RATE_LIMIT - 1)
        finally:
            await limits_engine.dispose()

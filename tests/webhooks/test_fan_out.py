"""The worker makes the deliveries from committed events: a write makes none itself, each
event is fanned out once and in order, a subscription starts from its firm's last event
when it is made, a long backlog is fanned out in batches, and the retention keeps an
event whose deliveries are not made yet."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from advisercrm.webhooks import deliveries, retention
from advisercrm.webhooks.http import Attempt
from tests.helpers import Firm
from tests.webhooks.receiver import NUMBER_ALL, set_aside_others

SUBSCRIPTIONS = "/api/v2/webhook-subscriptions"
NOWHERE = "http://127.0.0.1:9/hook"  # never called: no worker runs here


@pytest.fixture(autouse=True)
def private_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISERCRM_WEBHOOK_ALLOW_PRIVATE", "1")


@pytest.fixture
async def conn(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    await set_aside_others(database_url)
    connection = await asyncpg.connect(database_url)
    try:
        yield connection
    finally:
        await connection.close()


async def _made(conn: asyncpg.Connection, firm: Firm) -> list[tuple[str, int]]:
    """The firm's deliveries: (event name, event cursor), in the order they were made."""
    rows = await conn.fetch(
        "SELECT e.name, e.cursor FROM webhook_deliveries AS d"
        " JOIN events AS e ON e.firm_id = d.firm_id AND e.cursor = d.event_cursor"
        " WHERE d.firm_id = $1 ORDER BY d.id",
        firm.firm_id,
    )
    return [(row["name"], row["cursor"]) for row in rows]


async def _subscribe(firm: Firm, events: list[str]) -> None:
    await firm.owner.created(SUBSCRIPTIONS, {"url": NOWHERE, "events": events})


async def test_a_write_makes_no_delivery_and_the_worker_makes_each_once(
    conn: asyncpg.Connection, firm: Firm
) -> None:
    await _subscribe(firm, ["account.created"])
    await firm.client_account()
    await firm.goal([(await firm.client_account())["uuid"]])  # goal.created: not taken
    assert await _made(conn, firm) == []
    assert await deliveries.fan_out(conn) == (2, False)
    made = await _made(conn, firm)
    assert [name for name, _ in made] == ["account.created", "account.created"]
    assert made[0][1] < made[1][1]
    assert await deliveries.fan_out(conn) == (0, False)
    assert await _made(conn, firm) == made


async def test_a_new_subscription_starts_after_the_firms_last_event(
    conn: asyncpg.Connection, firm: Firm
) -> None:
    await firm.client_account()
    await _subscribe(firm, ["account.created"])
    start = await conn.fetchrow(
        "SELECT s.fanned_through, c.last FROM webhook_subscriptions AS s"
        " JOIN event_counters AS c ON c.firm_id = s.firm_id WHERE s.firm_id = $1",
        firm.firm_id,
    )
    assert start is not None and start["fanned_through"] == start["last"] > 0
    assert await deliveries.fan_out(conn) == (0, False)
    await firm.client_account()
    assert await deliveries.fan_out(conn) == (1, False)
    assert [name for name, _ in await _made(conn, firm)] == ["account.created"]


async def test_a_backlog_is_fanned_out_in_batches_in_order(
    conn: asyncpg.Connection, firm: Firm, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _subscribe(firm, ["account.created"])
    for _ in range(3):
        await firm.client_account()
    monkeypatch.setattr(deliveries, "FAN_OUT_EVENTS", 2)
    assert await deliveries.fan_out(conn) == (2, True)
    assert await deliveries.fan_out(conn) == (1, False)
    cursors = [cursor for _, cursor in await _made(conn, firm)]
    assert len(cursors) == 3 and cursors == sorted(cursors)


async def test_the_retention_keeps_an_event_not_yet_fanned_out(
    conn: asyncpg.Connection, firm: Firm
) -> None:
    await _subscribe(firm, ["account.created"])
    await firm.client_account()
    await conn.execute(NUMBER_ALL)  # in the events, not yet fanned out
    await conn.execute(
        "UPDATE events SET created_at = now() - interval '31 days' WHERE firm_id = $1",
        firm.firm_id,
    )
    await retention.prune(conn, 30)
    kept = await conn.fetch(
        "SELECT name FROM events WHERE firm_id = $1 AND name = 'account.created'", firm.firm_id
    )
    assert len(kept) == 1
    assert await deliveries.fan_out(conn) == (1, False)


async def test_two_workers_fanning_out_at_once_make_each_delivery_once(
    database_url: str, conn: asyncpg.Connection, firm: Firm, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(2):
        await _subscribe(firm, ["account.created"])
    for _ in range(12):
        await firm.client_account()
    monkeypatch.setattr(deliveries, "FAN_OUT_EVENTS", 2)  # many small batches to race on
    other = await asyncpg.connect(database_url)

    async def work(on: asyncpg.Connection) -> None:
        while (await deliveries.fan_out(on))[1]:
            pass

    try:
        await asyncio.gather(work(conn), work(other))
    finally:
        await other.close()
    await work(conn)  # what a skipped subscription still had
    rows = await conn.fetch(
        "SELECT subscription_id, event_cursor FROM webhook_deliveries WHERE firm_id = $1",
        firm.firm_id,
    )
    pairs = [(row["subscription_id"], row["event_cursor"]) for row in rows]
    assert len(pairs) == len(set(pairs)) == 24


async def test_the_subscription_furthest_behind_goes_first(
    conn: asyncpg.Connection, firm: Firm, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With room for one subscription a statement, the one with more events waiting is
    served first, not the first made: none is left behind for ever by others."""
    await _subscribe(firm, ["account.created"])
    await _subscribe(firm, ["account.created"])
    for _ in range(3):
        await firm.client_account()
    # The first made is one event behind, the second three.
    await conn.execute(NUMBER_ALL)
    await conn.execute(
        "UPDATE webhook_subscriptions AS s SET fanned_through = c.last - 1"
        " FROM event_counters AS c WHERE c.firm_id = s.firm_id AND s.firm_id = $1"
        " AND s.id = (SELECT min(id) FROM webhook_subscriptions WHERE firm_id = $1)",
        firm.firm_id,
    )
    monkeypatch.setattr(deliveries, "FAN_OUT_SUBSCRIPTIONS", 1)
    assert await deliveries.fan_out(conn) == (3, True)
    assert await deliveries.fan_out(conn) == (1, True)  # `more`: the limit was reached
    assert await deliveries.fan_out(conn) == (0, False)


async def test_an_attempt_recorded_while_its_subscription_is_deleted_does_not_deadlock(
    conn: asyncpg.Connection, database_url: str, firm: Firm
) -> None:
    """A request deleting a subscription locks its row, then deletes its deliveries. The
    worker recording an attempt meanwhile writes the delivery, and notes the call on the
    subscription only after: had it held the delivery while waiting for the
    subscription, the delete would wait for it in turn, and PostgreSQL would roll one of
    the two back (a 409 for the request)."""
    await _subscribe(firm, ["account.created"])
    await firm.client_account()
    assert await deliveries.fan_out(conn) == (1, False)
    [job] = await deliveries.claim(conn, 10, 30)
    failed = deliveries.Outcome(job, Attempt(500, "HTTP 500", 3), 60)
    key = (job.firm_id, job.subscription_id)
    deleting = await asyncpg.connect(database_url)
    try:
        async with deleting.transaction():
            lock = "SELECT FROM webhook_subscriptions WHERE firm_id = $1 AND id = $2 FOR UPDATE"
            await deleting.execute(lock, *key)
            recording = asyncio.create_task(deliveries.record(conn, [failed]))
            waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            while True:  # until it waits for the subscription's row
                if recording.done() or await deleting.fetchval(waiting):
                    break
                await asyncio.sleep(0.01)
            delete = "DELETE FROM webhook_subscriptions WHERE firm_id = $1 AND id = $2"
            await deleting.execute(delete, *key)
        statuses = await asyncio.wait_for(recording, timeout=10)
        assert statuses == {(job.firm_id, job.id): "pending"}
    finally:
        await deleting.close()
    assert await _made(conn, firm) == []

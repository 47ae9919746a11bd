"""The outbox's guarantees: an event is written in its change's transaction (a change
refused after its write records nothing), and cursors follow commit order: a write puts
its events in the firm's queue in the message that commits it, taking no lock, and a
reader moves the committed ones to the events with the next cursors, one reader of a
firm at a time (`resource.events`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from advisercrm.app import create_app
from advisercrm.auth.deps import CurrentPrincipal, RenderCtx
from advisercrm.circles.description import CIRCLES
from advisercrm.circles.schemas import CircleCreate
from advisercrm.config import Settings
from advisercrm.db import Conn, connect
from advisercrm.kit import transactions
from advisercrm.kit.errors import ValidationFailed
from advisercrm.kit.sql import driver
from advisercrm.resource import events, service
from advisercrm.webhooks import deliveries
from tests.helpers import Firm, new_firm
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


async def _firm(served: FastAPI) -> Firm:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=served), base_url="http://test"
    ) as http:
        return await new_firm(served, http)


def _event(name: str, record_uuid: str) -> events.Event:
    return events.Event(name, "circle", record_uuid, {})


async def _last(served: FastAPI, firm_id: int) -> int:
    """The firm's last cursor, once its committed events are numbered."""
    async with connect(served.state.engine) as conn:
        await events.number_pending(conn, firm_id)
        query = "SELECT last FROM event_counters WHERE firm_id = $1"
        return int(await driver(conn).fetchval(query, firm_id))


async def _waiting_for_a_lock(served: FastAPI, prefix: str) -> bool:
    """Whether a statement starting with `prefix` waits for a lock."""
    query = (
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE wait_event_type = 'Lock' AND starts_with(query, $1)"
    )
    async with connect(served.state.engine) as conn:
        return bool(await driver(conn).fetchval(query, prefix))


async def test_cursors_follow_commit_order(served: FastAPI) -> None:
    """A write's events get their cursors after it commits: one that records its events
    first (in two statements) and commits second gets the later cursors, in the order it
    recorded them, and the other writer does not wait for it. A reader between the two
    commits sees the first commit's event only, so `cursor > n` misses nothing."""
    firm = await _firm(served)
    record_uuid = "00000000-0000-4000-8000-000000000001"

    async def second() -> None:
        async with connect(served.state.engine, begin=True) as conn:
            await events.record_all(conn, firm.firm_id, [_event("circle.updated", record_uuid)])

    async with connect(served.state.engine, begin=True) as conn:
        await events.record_all(conn, firm.firm_id, [_event("circle.created", record_uuid)])
        await events.record_all(conn, firm.firm_id, [_event("circle.deleted", record_uuid)])
        # The other writer commits while this one is open: it must not wait for it.
        await asyncio.wait_for(second(), timeout=10)
        between = await recorded(served, firm.firm_id)
    after = await recorded(served, firm.firm_id)
    assert [(r["cursor"], r["name"]) for r in between] == [(1, "circle.updated")]
    assert [(r["cursor"], r["name"]) for r in after] == [
        (1, "circle.updated"),
        (2, "circle.created"),
        (3, "circle.deleted"),
    ]
    assert await _last(served, firm.firm_id) == 3


async def test_a_write_does_not_wait_for_a_numbering(served: FastAPI) -> None:
    """While a numbering holds the firm's counter, a write commits at once; its event
    waits, unnumbered, and the next numbering gives it the cursor after those given."""
    firm = await _firm(served)
    record_uuid = "00000000-0000-4000-8000-000000000002"
    for last, name in enumerate(("circle.created", "circle.updated")):
        if last:  # the firm's counter exists: the numbering below locks it
            assert await _last(served, firm.firm_id) == last
        async with connect(served.state.engine, begin=True) as conn:
            await events.record_all(conn, firm.firm_id, [_event(name, record_uuid)])
    async with connect(served.state.engine, begin=True) as numbering:
        assert await events.number_pending(numbering, firm.firm_id) == 1
        async with connect(served.state.engine, begin=True) as conn:
            await events.record_all(conn, firm.firm_id, [_event("circle.deleted", record_uuid)])
            await asyncio.wait_for(transactions.commit(conn), timeout=10)
            waiting = (
                "SELECT count(*) FROM event_queue WHERE firm_id = $1 AND name = 'circle.deleted'"
            )
            assert await driver(conn).fetchval(waiting, firm.firm_id) == 1
            await transactions.begin(conn)  # for `connect` to end
    rows = await recorded(served, firm.firm_id)
    assert [(r["cursor"], r["name"]) for r in rows] == [
        (1, "circle.created"),
        (2, "circle.updated"),
        (3, "circle.deleted"),
    ]


async def test_a_numbering_waits_for_the_one_before(served: FastAPI) -> None:
    """A numbering that starts while another holds the firm's counter waits for it, then
    gives the cursors after those the other gave: none given twice."""
    firm = await _firm(served)
    record_uuid = "00000000-0000-4000-8000-000000000007"
    for last, name in enumerate(("circle.created", "circle.updated"), start=1):
        async with connect(served.state.engine, begin=True) as conn:
            await events.record_all(conn, firm.firm_id, [_event(name, record_uuid)])
        assert await _last(served, firm.firm_id) == last

    async def second() -> int:
        async with connect(served.state.engine) as conn:
            return await events.number_pending(conn, firm.firm_id)

    async with connect(served.state.engine, begin=True) as conn:
        await events.record_all(conn, firm.firm_id, [_event("circle.deleted", record_uuid)])
    async with connect(served.state.engine, begin=True) as other:  # gives cursor 3 meanwhile
        bump = "UPDATE event_counters SET last = last + 1 WHERE firm_id = $1"
        await driver(other).execute(bump, firm.firm_id)
        later = asyncio.create_task(second())
        while True:  # until the second waits for the counter (or, without the lock, is done)
            if later.done() or await _waiting_for_a_lock(served, "SELECT advisercrm_number"):
                break
            await asyncio.sleep(0.01)
        assert not later.done()
    assert await later == 1
    rows = await recorded(served, firm.firm_id)
    assert [(r["cursor"], r["name"]) for r in rows] == [
        (1, "circle.created"),
        (2, "circle.updated"),
        (4, "circle.deleted"),
    ]
    assert await _last(served, firm.firm_id) == 4


async def test_events_travel_with_the_commit(served: FastAPI) -> None:
    """Until the write commits, its events are not sent: the firm's queue, events and
    counter are untouched; the message that commits puts them in the queue, and a reader
    moves them to the events, each written there once, with its cursor."""
    firm = await _firm(served)
    record_uuid = "00000000-0000-4000-8000-000000000005"
    queued = "SELECT count(*) FROM event_queue WHERE firm_id = $1"
    sent = "SELECT count(*) FROM events WHERE firm_id = $1"
    counted = "SELECT count(*) FROM event_counters WHERE firm_id = $1"
    async with connect(served.state.engine, begin=True) as conn:
        await events.record_all(conn, firm.firm_id, [_event("circle.created", record_uuid)])
        db = driver(conn)
        for query in (queued, sent, counted):
            assert await db.fetchval(query, firm.firm_id) == 0
        items = '[{"name": "circle.updated", "type": "circle", "uuid": "%s", "data": {}}]'
        call = "SELECT advisercrm_record_events($1, $2)"
        await db.execute(call, firm.firm_id, items % record_uuid)
        assert await db.fetchval(queued, firm.firm_id) == 1
        assert await db.fetchval(sent, firm.firm_id) == 0
    async with connect(served.state.engine) as conn:
        db = driver(conn)
        assert [await db.fetchval(q, firm.firm_id) for q in (queued, sent, counted)] == [2, 0, 0]
        # The statistics may hold counts not yet reported: deltas.
        written = (
            "SELECT pg_stat_get_xact_tuples_inserted('events'::regclass),"
            " pg_stat_get_xact_tuples_updated('events'::regclass)"
        )
        await transactions.begin(conn)
        before = await db.fetchrow(written)
        assert await db.fetchval("SELECT advisercrm_number_events($1, 10)", firm.firm_id) == 2
        after = await db.fetchrow(written)
        await transactions.commit(conn)
        assert (after[0] - before[0], after[1] - before[1]) == (2, 0)
        assert [await db.fetchval(q, firm.firm_id) for q in (queued, sent, counted)] == [0, 2, 1]
    rows = await recorded(served, firm.firm_id)
    assert [(r["cursor"], r["name"]) for r in rows] == [
        (1, "circle.updated"),
        (2, "circle.created"),
    ]


async def test_a_savepoint_rolled_back_drops_its_events(served: FastAPI) -> None:
    firm = await _firm(served)
    record_uuid = "00000000-0000-4000-8000-000000000006"
    async with connect(served.state.engine, begin=True) as conn:
        await events.record_all(conn, firm.firm_id, [_event("circle.created", record_uuid)])
        with pytest.raises(ValidationFailed):
            async with transactions.savepoint(conn):
                await events.record_all(conn, firm.firm_id, [_event("circle.updated", record_uuid)])
                raise ValidationFailed({"name": ["Refused."]})
        async with transactions.savepoint(conn):
            await events.record_all(conn, firm.firm_id, [_event("circle.deleted", record_uuid)])
    rows = await recorded(served, firm.firm_id)
    assert [(r["cursor"], r["name"]) for r in rows] == [
        (1, "circle.created"),
        (2, "circle.deleted"),
    ]


async def test_a_cursor_costs_the_same_however_many_events_came_before(
    served: FastAPI,
) -> None:
    """Recording an event and numbering it read none of the firm's earlier events: their
    cost does not grow with the events written before (0021's scan of pending entries
    read 21 blocks after 2,000 events, 61 after 8,000). The queue's rows moved leave dead
    entries in its key until its VACUUM (within a minute: the table stays small), which
    the numbering steps over: vacuumed here, as autovacuum would."""
    firm = await _firm(served)
    reads = (
        "SELECT pg_stat_get_xact_blocks_fetched('pk_events'::regclass)"
        " + pg_stat_get_xact_blocks_fetched('pk_event_queue'::regclass)"
    )
    record_one = "SELECT advisercrm_record_events($1, $2::text::jsonb)"
    one = '[{"name": "circle.updated", "type": "circle", "uuid": "%s", "data": {}}]' % ("0" * 32)
    number = "SELECT advisercrm_number_events($1, $2::text::int)"

    async def record(n: int) -> int:
        """Blocks of the keys one event reads, recorded and numbered, after n more
        events: the fewest of three (one that splits a page of an index reads more)."""
        for _ in range(n // 2000):
            async with connect(served.state.engine, begin=True) as conn:
                many = [_event("circle.updated", "0" * 32)] * 2000
                await events.record_all(conn, firm.firm_id, many)
            await _last(served, firm.firm_id)
        async with connect(served.state.engine) as conn:
            await driver(conn).execute("VACUUM event_queue")
        taken = []
        for _ in range(3):
            blocks = 0
            for statement, argument in ((record_one, one), (number, "10")):
                async with connect(served.state.engine, begin=True) as conn:
                    db = driver(conn)
                    before = int(await db.fetchval(reads))
                    await db.execute(statement, firm.firm_id, argument)
                    blocks += int(await db.fetchval(reads)) - before
            taken.append(blocks)
        return min(taken)

    after_some, after_many = await record(2000), await record(6000)
    assert after_many <= after_some + 1  # one more level of a tree, at most
    assert await _last(served, firm.firm_id) == 8006


async def test_an_earlier_servers_pending_event_takes_the_next_cursor(served: FastAPI) -> None:
    """A server of an earlier version, still running during an upgrade, inserts its events
    with pending cursors: they are numbered with the others, in the order they were
    recorded, no cursor given twice, a transaction's cursors consecutive."""
    firm = await _firm(served)
    record_uuid = "00000000-0000-4000-8000-000000000003"
    async with connect(served.state.engine, begin=True) as conn:
        await events.record_all(conn, firm.firm_id, [_event("circle.created", record_uuid)])
    start = await _last(served, firm.firm_id)
    pending = (
        "INSERT INTO events (firm_id, cursor, name, record_type, record_uuid, payload)"
        " VALUES ($1, -nextval('event_pending_cursors'), 'circle.deleted', 'circle', $2, '{}')"
    )
    async with connect(served.state.engine, begin=True) as conn:
        await driver(conn).execute(pending, firm.firm_id, record_uuid)
        many = [_event("circle.updated", record_uuid)] * 500
        await events.record_all(conn, firm.firm_id, many)
    rows = await recorded(served, firm.firm_id)
    assert [r["cursor"] for r in rows] == list(range(start, start + 502))
    assert names(rows)[-501:] == ["circle.deleted"] + ["circle.updated"] * 500
    assert await _last(served, firm.firm_id) == start + 501


async def test_a_transaction_writing_two_firms_numbers_each_in_order(served: FastAPI) -> None:
    """A transaction that records events of two firms, interleaved, gives each firm's
    events its next cursors in the order they were recorded."""
    one, other = await _firm(served), await _firm(served)
    record_uuid = "00000000-0000-4000-8000-000000000004"
    async with connect(served.state.engine, begin=True) as conn:
        writes = ((one, "circle.created"), (other, "circle.created"), (one, "circle.deleted"))
        for firm, name in writes:
            made = [_event(name, record_uuid), _event("circle.updated", record_uuid)]
            await events.record_all(conn, firm.firm_id, made)
    ones, others = await recorded(served, one.firm_id), await recorded(served, other.firm_id)
    assert [(r["cursor"], r["name"]) for r in ones] == [
        (1, "circle.created"),
        (2, "circle.updated"),
        (3, "circle.deleted"),
        (4, "circle.updated"),
    ]
    assert [(r["cursor"], r["name"]) for r in others] == [
        (1, "circle.created"),
        (2, "circle.updated"),
    ]
    assert (await _last(served, one.firm_id), await _last(served, other.firm_id)) == (4, 2)


async def test_an_events_data_reaches_the_database_as_written(served: FastAPI) -> None:
    """The commit's message carries the events as a literal: quotes, backslashes and
    statement separators in their data stay data."""
    firm = await _firm(served)
    data = {"name": "O'Brien \\' \\\\ ''); DROP TABLE events; --", "note": "$$ ; \n é 🙂"}
    event = events.Event("circle.updated", "circle", "0" * 32, data)
    async with connect(served.state.engine, begin=True) as conn:
        await events.record_all(conn, firm.firm_id, [event])
    rows = await recorded(served, firm.firm_id)
    assert [r["payload"] for r in rows] == [data]


async def test_a_savepoint_rolled_back_inside_another_leaves_the_outer_whole(
    served: FastAPI,
) -> None:
    """An inner savepoint refused and caught, then the outer one refused: the outer's
    rollback reaches its own start, taking its write and its event with it (a rollback
    to the inner one's start would keep the write and drop its event)."""
    firm = await _firm(served)
    record_uuid = "00000000-0000-4000-8000-000000000007"
    rename = "UPDATE firms SET name = 'Renamed' WHERE id = $1"
    async with connect(served.state.engine, begin=True) as conn:
        await events.record_all(conn, firm.firm_id, [_event("circle.created", record_uuid)])
        with pytest.raises(ValidationFailed):
            async with transactions.savepoint(conn):
                await driver(conn).execute(rename, firm.firm_id)
                await events.record_all(conn, firm.firm_id, [_event("circle.updated", record_uuid)])
                with pytest.raises(ValidationFailed):
                    async with transactions.savepoint(conn):
                        raise ValidationFailed({"name": ["Inner."]})
                raise ValidationFailed({"name": ["Outer."]})
    rows = await recorded(served, firm.firm_id)
    assert [(r["cursor"], r["name"]) for r in rows] == [(1, "circle.created")]
    async with connect(served.state.engine) as conn:
        name = "SELECT name FROM firms WHERE id = $1"
        assert await driver(conn).fetchval(name, firm.firm_id) != "Renamed"


async def test_a_commit_whose_events_fail_commits_nothing(served: FastAPI) -> None:
    """The events' call fails in the commit's message (a record UUID that is not one):
    the error reaches the caller, the write's own rows are rolled back with it, and the
    connection goes back to the pool out of any transaction."""
    firm = await _firm(served)
    before = await recorded(served, firm.firm_id)
    rename = "UPDATE firms SET name = 'Renamed' WHERE id = $1"
    with pytest.raises(asyncpg.InvalidTextRepresentationError):
        async with connect(served.state.engine, begin=True) as conn:
            await driver(conn).execute(rename, firm.firm_id)
            await events.record_all(conn, firm.firm_id, [_event("circle.created", "not-a-uuid")])
    assert await recorded(served, firm.firm_id) == before
    async with connect(served.state.engine) as conn:
        db = driver(conn)
        assert not db.is_in_transaction()
        assert await db.fetchval("SELECT name FROM firms WHERE id = $1", firm.firm_id) != "Renamed"


async def test_a_numbering_moves_at_most_its_batch_oldest_first(
    served: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backlog is numbered in steps: each moves the oldest events, in the order they were
    recorded, and the worker, finding a step full, says there is more to do."""
    firm = await _firm(served)
    record_uuid = "00000000-0000-4000-8000-000000000008"
    made = ["circle.created", "circle.updated", "circle.deleted", "circle.created"]
    async with connect(served.state.engine, begin=True) as conn:
        await events.record_all(conn, firm.firm_id, [_event(n, record_uuid) for n in made])
    monkeypatch.setattr(events, "NUMBER_AT_MOST", 3)
    async with connect(served.state.engine) as conn:
        assert await events.number_pending(conn, firm.firm_id) == 3
        queued = "SELECT count(*) FROM event_queue WHERE firm_id = $1"
        assert await driver(conn).fetchval(queued, firm.firm_id) == 1
    rows = await recorded(served, firm.firm_id)  # numbers the last one
    assert [(r["cursor"], r["name"]) for r in rows] == list(enumerate(made, start=1))
    async with connect(served.state.engine, begin=True) as conn:
        await events.record_all(conn, firm.firm_id, [_event(n, record_uuid) for n in made])
    monkeypatch.setattr(deliveries, "NUMBER_AT_MOST", 2)
    async with connect(served.state.engine) as conn:
        assert (await deliveries.fan_out(driver(conn)))[1] is True
        for _ in range(100):  # other tests' firms may have events waiting too
            if not (await deliveries.fan_out(driver(conn)))[1]:
                break
        else:
            raise AssertionError("the worker kept finding more")
    assert len(await recorded(served, firm.firm_id)) == 8

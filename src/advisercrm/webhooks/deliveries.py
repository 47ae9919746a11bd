"""The delivery worker's statements. The worker serves every firm at once, so they are
not held to one firm and kit.sql (which refuses such statements) does not run them: they
run on the worker's own asyncpg connections, and each write names the (firm_id, id) of a
row the worker claimed.

The worker numbers the events committed since it last did (`resource.events`), then
makes the deliveries: each subscription has those of the events after the cursor it
reached (`fanned_through`) that it takes, up to its firm's last cursor. Cursors are
given in commit order, so every event up to that one is there to read, and none after
the cursor reached can be missed. A subscription is taken
under a row lock, skipping those another worker holds, and its deliveries are made and
its cursor moved in one statement: each event is fanned out once.

A claim takes due pending deliveries under a lease (`locked_until`) in one statement,
skipping rows another worker is claiming, and those with an earlier pending delivery of
the same record to the same subscription (each record's events go out in order). The
lease outlasts an attempt, so no two workers attempt one delivery at once; a worker that
dies leaves it to expire, and the delivery is attempted again (at least once)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from advisercrm.resource.events import NUMBER_AT_MOST
from advisercrm.webhooks.http import Attempt

CHANNEL = "advisercrm_webhooks"
Conn = asyncpg.Connection | PoolConnectionProxy

# Up to $1 events per subscription and $2 subscriptions a statement (a statement stays
# short: at most $1 * $2 rows), the furthest behind first, so none is left waiting for
# ever while others keep falling behind; `more` says whether any was left behind.
_FAN_OUT = """
WITH behind AS (
    SELECT s.firm_id, s.id, s.events, s.fanned_through AS after,
           least(c.last, s.fanned_through + $1) AS upto, c.last
    FROM webhook_subscriptions AS s JOIN event_counters AS c ON c.firm_id = s.firm_id
    WHERE c.last > s.fanned_through
    ORDER BY c.last - s.fanned_through DESC, s.firm_id, s.id
    LIMIT $2
    FOR UPDATE OF s SKIP LOCKED
), made AS (
    INSERT INTO webhook_deliveries (firm_id, subscription_id, event_cursor, record_uuid)
    SELECT b.firm_id, b.id, e.cursor, e.record_uuid
    FROM behind AS b JOIN events AS e
      ON e.firm_id = b.firm_id AND e.cursor > b.after AND e.cursor <= b.upto
    WHERE e.name = ANY (b.events)
    ORDER BY b.firm_id, e.cursor, b.id
    RETURNING 1
), moved AS (
    UPDATE webhook_subscriptions AS s SET fanned_through = b.upto
    FROM behind AS b WHERE s.firm_id = b.firm_id AND s.id = b.id
)
SELECT (SELECT count(*) FROM made) AS made,
       (SELECT count(*) = $2 OR coalesce(bool_or(upto < last), false) FROM behind) AS more
"""
FAN_OUT_EVENTS = 500

# The firms with events waiting for their cursors, and a numbering of one
# (`resource.events`).
_UNNUMBERED = "SELECT DISTINCT firm_id FROM event_queue ORDER BY firm_id"
_NUMBER = "SELECT advisercrm_number_events($1, $2)"
FAN_OUT_SUBSCRIPTIONS = 20

# A delivery waits while an earlier one of its record is pending: it is claimable when it
# is the earliest pending one, asked as `= (SELECT min(...))`, which PostgreSQL answers
# from the pending-record index whatever its statistics say. Asked as NOT EXISTS, with
# statistics gathered while little was pending, it scanned every pending delivery for
# each one it claimed, and a burst's backlog cost its square.
_CLAIM = """
WITH due AS (
    SELECT d.firm_id, d.id
    FROM webhook_deliveries AS d
    WHERE d.status = 'pending' AND d.next_attempt_at <= now()
      AND (d.locked_until IS NULL OR d.locked_until < now())
      AND d.event_cursor = (SELECT min(p.event_cursor) FROM webhook_deliveries AS p
          WHERE p.firm_id = d.firm_id AND p.subscription_id = d.subscription_id
            AND p.record_uuid = d.record_uuid AND p.status = 'pending')
    ORDER BY d.next_attempt_at
    LIMIT $1
    FOR UPDATE OF d SKIP LOCKED
)
UPDATE webhook_deliveries AS d
SET locked_until = now() + make_interval(secs => $2)
FROM due, webhook_subscriptions AS s, events AS e, firms AS f
WHERE d.firm_id = due.firm_id AND d.id = due.id
  AND s.firm_id = d.firm_id AND s.id = d.subscription_id
  AND e.firm_id = d.firm_id AND e.cursor = d.event_cursor
  AND f.id = d.firm_id
RETURNING d.firm_id, d.id, d.subscription_id, d.attempts, d.locked_until, s.url,
          s.signing_secret, e.uuid AS event_id, e.name, e.created_at, e.payload::text,
          f.timezone
"""

# When the next claimable delivery falls due: the earliest pending one, not leased, that
# waits for no earlier one of its record; found along the due index, so it reads the few
# rows in flight or waiting rather than every pending one. (A lease that runs out, a
# worker having died mid-attempt, is noticed by the worker's regular poll.)
_NEXT_DUE = """
SELECT extract(epoch FROM d.next_attempt_at - now())
FROM webhook_deliveries AS d
WHERE d.status = 'pending' AND (d.locked_until IS NULL OR d.locked_until < now())
  AND d.event_cursor = (SELECT min(p.event_cursor) FROM webhook_deliveries AS p
      WHERE p.firm_id = d.firm_id AND p.subscription_id = d.subscription_id
        AND p.record_uuid = d.record_uuid AND p.status = 'pending')
ORDER BY d.next_attempt_at
LIMIT 1
"""

# Attempts' outcomes, one row each, for the deliveries whose lease is still this
# worker's. A failure is retried after its delay, but not past a day after the delivery
# was made: the attempt due then is the last. Returns each delivery's status now (none
# for a lease that passed to another worker) and its subscription.
_RECORD = """
WITH outcome AS (
    SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::text[], $5::int[],
                         $6::timestamptz[], $7::float8[])
        AS o(firm_id, id, status_code, error, duration_ms, lease, retry_in)
)
UPDATE webhook_deliveries AS d
SET attempts = d.attempts + 1, status_code = o.status_code, error = o.error,
    duration_ms = o.duration_ms, locked_until = NULL,
    status = CASE WHEN o.error IS NULL THEN 'delivered'
                  WHEN now() >= d.created_at + make_interval(hours => 24) THEN 'failed'
                  ELSE 'pending' END,
    delivered_at = CASE WHEN o.error IS NULL THEN now() ELSE d.delivered_at END,
    next_attempt_at = CASE WHEN o.error IS NULL THEN d.next_attempt_at
        ELSE least(now() + make_interval(secs => o.retry_in),
                   d.created_at + make_interval(hours => 24)) END
FROM outcome AS o
WHERE d.firm_id = o.firm_id AND d.id = o.id AND d.locked_until = o.lease
RETURNING d.firm_id, d.id, d.subscription_id, d.status
"""

# The subscriptions called note it, in a statement of their own, once the attempts'
# rows are written and no longer locked: a request deleting a subscription holds its row
# and then deletes its deliveries, so one statement writing the deliveries and then the
# subscription could deadlock with it (the request was then the one rolled back: 409).
_NOTE = """
UPDATE webhook_subscriptions AS s SET last_outgoing_webhook_call_at = now()
FROM unnest($1::bigint[], $2::bigint[]) AS called(firm_id, subscription_id)
WHERE s.firm_id = called.firm_id AND s.id = called.subscription_id
"""

_PENDING = "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'"


@dataclass(frozen=True)
class Job:
    """A claimed delivery, with what sending it needs."""

    firm_id: int
    id: int
    subscription_id: int
    attempts: int
    lease: dt.datetime
    url: str
    secret: str
    event_id: str
    name: str
    created_at: dt.datetime
    payload: str  # the event's data as JSON text
    timezone: str


def _job(row: Any) -> Job:
    return Job(
        firm_id=row["firm_id"],
        id=row["id"],
        subscription_id=row["subscription_id"],
        attempts=row["attempts"],
        lease=row["locked_until"],
        url=row["url"],
        secret=row["signing_secret"],
        event_id=str(row["event_id"]),
        name=row["name"],
        created_at=row["created_at"],
        payload=row["payload"],
        timezone=row["timezone"],
    )


async def _number(conn: Conn) -> bool:
    """Give every firm's committed pending events their cursors, firm by firm, each in a
    short transaction of its own: whether a firm has more left."""
    more = False
    for firm in await conn.fetch(_UNNUMBERED):
        numbered = await conn.fetchval(_NUMBER, firm["firm_id"], NUMBER_AT_MOST)
        more = more or numbered == NUMBER_AT_MOST
    return more


async def fan_out(conn: Conn) -> tuple[int, bool]:
    """Number the events committed since the last call, then make their deliveries: how
    many, and whether there are more to make."""
    unnumbered = await _number(conn)
    row = await conn.fetchrow(_FAN_OUT, FAN_OUT_EVENTS, FAN_OUT_SUBSCRIPTIONS)
    assert row is not None  # an aggregate always returns its one row
    return int(row["made"]), bool(row["more"]) or unnumbered


async def claim(conn: Conn, limit: int, lease_seconds: float) -> list[Job]:
    rows = await conn.fetch(_CLAIM, limit, lease_seconds)
    return [_job(row) for row in rows]


async def next_due(conn: Conn) -> float | None:
    """Seconds until the next claimable delivery is due (<= 0: now); None: none pending."""
    value = await conn.fetchval(_NEXT_DUE)
    return None if value is None else float(value)


async def pending(conn: Conn) -> int:
    return int(await conn.fetchval(_PENDING))


@dataclass(frozen=True)
class Outcome:
    job: Job
    attempt: Attempt
    retry_in: float  # seconds before the next attempt, if this one failed


async def record(conn: Conn, outcomes: list[Outcome]) -> dict[tuple[int, int], str]:
    """Record the attempts, then note the calls on their subscriptions (`_NOTE`: two
    statements, each its own transaction); each delivery's status after its attempt, by
    (firm_id, id) (a delivery whose lease was lost is left out)."""
    rows = await conn.fetch(
        _RECORD,
        [o.job.firm_id for o in outcomes],
        [o.job.id for o in outcomes],
        [o.attempt.status for o in outcomes],
        [o.attempt.error for o in outcomes],
        [o.attempt.duration_ms for o in outcomes],
        [o.job.lease for o in outcomes],
        [o.retry_in for o in outcomes],
    )
    called = sorted({(row["firm_id"], row["subscription_id"]) for row in rows})
    if called:
        await conn.execute(_NOTE, [c[0] for c in called], [c[1] for c in called])
    return {(row["firm_id"], row["id"]): row["status"] for row in rows}

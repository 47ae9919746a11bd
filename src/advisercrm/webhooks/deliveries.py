"""The delivery worker's statements. The worker serves every firm at once, so they are
not held to one firm and kit.sql (which refuses such statements) does not run them: they
run on the worker's own asyncpg connections, and each write names the (firm_id, id) of a
row the worker claimed.

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

from advisercrm.webhooks.http import Attempt

CHANNEL = "advisercrm_webhooks"
Conn = asyncpg.Connection | PoolConnectionProxy

_CLAIM = """
WITH due AS (
    SELECT d.firm_id, d.id
    FROM webhook_deliveries AS d
    WHERE d.status = 'pending' AND d.next_attempt_at <= now()
      AND (d.locked_until IS NULL OR d.locked_until < now())
      AND NOT EXISTS (
          SELECT 1 FROM webhook_deliveries AS p
          WHERE p.firm_id = d.firm_id AND p.subscription_id = d.subscription_id
            AND p.record_uuid = d.record_uuid AND p.status = 'pending'
            AND p.event_cursor < d.event_cursor
      )
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

# When the next claimable delivery falls due: the earliest pending one that waits for no
# earlier one of its record, counted from when its lease (if any) ends.
_NEXT_DUE = """
SELECT extract(epoch FROM min(greatest(d.next_attempt_at, d.locked_until)) - now())
FROM webhook_deliveries AS d
WHERE d.status = 'pending'
  AND NOT EXISTS (
      SELECT 1 FROM webhook_deliveries AS p
      WHERE p.firm_id = d.firm_id AND p.subscription_id = d.subscription_id
        AND p.record_uuid = d.record_uuid AND p.status = 'pending'
        AND p.event_cursor < d.event_cursor
  )
"""

# An attempt's outcome, if the lease is still this worker's; the subscription notes the
# call. A failure is retried after `$7` seconds, but not past a day after the delivery
# was made: the attempt due then is the last. Returns the delivery's status now, or no
# row when the lease had passed to another worker.
_RECORD = """
WITH done AS (
    UPDATE webhook_deliveries
    SET attempts = attempts + 1, status_code = $3, error = $4, duration_ms = $5,
        locked_until = NULL,
        status = CASE WHEN $4::text IS NULL THEN 'delivered'
                      WHEN now() >= created_at + make_interval(hours => 24) THEN 'failed'
                      ELSE 'pending' END,
        delivered_at = CASE WHEN $4::text IS NULL THEN now() ELSE delivered_at END,
        next_attempt_at = CASE WHEN $4::text IS NULL THEN next_attempt_at
            ELSE least(now() + make_interval(secs => $7),
                       created_at + make_interval(hours => 24)) END
    WHERE firm_id = $1 AND id = $2 AND locked_until = $6
    RETURNING status
), noted AS (
    UPDATE webhook_subscriptions SET last_outgoing_webhook_call_at = now()
    WHERE firm_id = $1 AND id = $8 AND EXISTS (SELECT FROM done)
)
SELECT status FROM done
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


async def claim(conn: Conn, limit: int, lease_seconds: float) -> list[Job]:
    rows = await conn.fetch(_CLAIM, limit, lease_seconds)
    return [_job(row) for row in rows]


async def next_due(conn: Conn) -> float | None:
    """Seconds until the next claimable delivery is due (<= 0: now); None: none pending."""
    value = await conn.fetchval(_NEXT_DUE)
    return None if value is None else float(value)


async def pending(conn: Conn) -> int:
    return int(await conn.fetchval(_PENDING))


async def record(conn: Conn, job: Job, attempt: Attempt, retry_in: float) -> str | None:
    """Record the attempt; the delivery's status after it (None: the lease was lost)."""
    status: str | None = await conn.fetchval(
        _RECORD,
        job.firm_id,
        job.id,
        attempt.status,
        attempt.error,
        attempt.duration_ms,
        job.lease,
        retry_in,
        job.subscription_id,
    )
    return status

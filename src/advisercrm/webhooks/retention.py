"""How long events are kept: `ADVISERCRM_EVENT_RETENTION_DAYS` (default 30, read in
`webhooks.options`). Older events go with their deliveries, except an event with a
delivery still pending, or not yet made, which stays until that delivery ends.

The delivery worker prunes once an hour, in batches of `BATCH` events, each batch its
own short transaction that skips rows others hold, so no lock is held for long. Each
firm's `event_counters.pruned_through` remembers the highest cursor pruned: the change
feed refuses a cursor below it (410), since events after it may be gone."""

from __future__ import annotations

from advisercrm.webhooks.deliveries import Conn

BATCH = 1000

_PRUNE = """
WITH gone AS (
    DELETE FROM events AS e
    WHERE (e.firm_id, e.cursor) IN (
        SELECT old.firm_id, old.cursor FROM events AS old
        WHERE old.created_at < now() - make_interval(days => $1)
          AND NOT EXISTS (
              SELECT 1 FROM webhook_deliveries AS d
              WHERE d.firm_id = old.firm_id AND d.event_cursor = old.cursor
                AND d.status = 'pending'
          )
          AND NOT EXISTS (
              SELECT 1 FROM webhook_subscriptions AS s
              WHERE s.firm_id = old.firm_id AND s.fanned_through < old.cursor
          )
        ORDER BY old.created_at
        LIMIT $2
        FOR UPDATE SKIP LOCKED
    )
    RETURNING e.firm_id, e.cursor
), marked AS (
    UPDATE event_counters AS c SET pruned_through = greatest(c.pruned_through, top.cursor)
    FROM (SELECT firm_id, max(cursor) AS cursor FROM gone GROUP BY firm_id) AS top
    WHERE c.firm_id = top.firm_id
)
SELECT count(*) FROM gone
"""


async def prune(conn: Conn, days: int, batch: int = BATCH) -> int:
    """Delete the events older than `days` (and their deliveries) that no pending delivery
    needs, batch by batch; how many went."""
    total = 0
    while True:
        count = int(await conn.fetchval(_PRUNE, days, batch))
        total += count
        if count < batch:
            return total

"""The events of a firm's records, written by the write that changes the record, in its
transaction: a change that commits has its events, one that rolls back has none.

A write's events are recorded by one call of the database function
`advisercrm_record_events` (migrations 0024 and 0025), sent in the message that commits
the transaction (`kit.transactions.call_at_commit`). It puts them in the firm's queue
(`tables.event_queue`), in the order they were recorded, and takes no lock, so the
firm's concurrent writes share their commits' disk flushes.

Whoever reads events by cursor first numbers those committed since (`number_pending`:
the change feed; the delivery worker before it fans out; a new subscription before it
takes its start): under a lock on the firm's counter, the oldest move from the queue to
`tables.events` with the next cursors, in the order they were recorded. An event that
commits after a numbering is moved by a later one, with a larger cursor, so a reader of
`cursor > n` never misses an event.

When a subscription of the firm takes one of the events, the record function wakes the
delivery worker (`pg_notify`, sent at commit), which numbers them and makes the
deliveries (`webhooks.deliveries`). A firm without subscriptions pays one index probe
when it records, and the move when a reader numbers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.kit.sql import driver
from advisercrm.kit.transactions import call_at_commit

# The most pending events one numbering gives cursors to: a backlog left by a long burst
# with no reader is numbered in steps of this size, each a short transaction.
NUMBER_AT_MOST = 10_000


@dataclass(frozen=True)
class Event:
    """One event of one record: its name (`task.updated`), the record's type and UUID,
    its data, and (a deletion) who besides owners and admins may see it."""

    name: str
    record_type: str
    record_uuid: uuid.UUID | str
    data: dict[str, Any]
    seen_by: list[int] | None = None


async def record_all(conn: AsyncConnection, firm_id: int, events: Sequence[Event]) -> None:
    """Record the events, in this order, when the transaction commits."""
    if not events:
        return
    items = [
        {
            "name": e.name,
            "type": e.record_type,
            "uuid": str(e.record_uuid),
            "data": e.data,
            "seen_by": e.seen_by,
        }
        for e in events
    ]
    await call_at_commit(conn, "advisercrm_record_events", firm_id, orjson.dumps(items).decode())


async def number_pending(conn: AsyncConnection, firm_id: int) -> int:
    """Give the firm's committed pending events their cursors (the oldest NUMBER_AT_MOST),
    in a transaction of its own, before a read by cursor: how many took one. The
    connection must not be in a transaction."""
    return int(
        await driver(conn).fetchval(
            "SELECT advisercrm_number_events($1, $2)", firm_id, NUMBER_AT_MOST
        )
    )

"""The events of a firm's records (`tables.events`), written by the write that changes
the record, in its transaction: a change that commits has its events, one that rolls back
has none.

A write's events are recorded by one call of the database function
`advisercrm_record_events` (migration 0024), sent in the message that commits the
transaction (`kit.transactions.call_at_commit`). It reserves the events' block of
cursors from the firm's counter row, which stays locked until the commit ends, and
inserts them with their cursors, in the order they were recorded. The firm's commits
that record events follow one another from that point, and the cursors follow commit
order, so a reader of `cursor > n` never misses an event that commits later with a
smaller cursor. COMMIT follows the call on the server, with no round trip between: the
counter is held for the insert and the commit alone.

When a subscription of the firm takes one of the events, the function wakes the
delivery worker (`pg_notify`, sent at commit), which makes the deliveries from the
committed events (`webhooks.deliveries`). A firm without subscriptions pays one index
probe."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.kit.transactions import call_at_commit


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

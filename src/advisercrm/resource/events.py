"""The events of a firm's records (`tables.events`), written by the write that changes
the record, in its transaction: a change that commits has its events, one that rolls back
has none.

One statement per write: it takes the next cursors from the firm's counter row (created
on first use) and inserts the events. The counter row stays locked until commit, so the
firm's writes that record events commit one after the other from that point, and the
cursors follow commit order: a reader of `cursor > n` never misses an event that commits
later with a smaller cursor. The insert is the write's last statement, so the lock is
held only for the commit; the statement does nothing more under it.

When a subscription of the firm takes one of the events, the statement wakes the
delivery worker (`pg_notify`, sent at commit), which makes the deliveries from the
committed events (`webhooks.deliveries`). A firm without subscriptions pays one index
probe."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, bindparam, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.kit.sql import Query

_RECORD = Query(
    text(
        """
        WITH counter AS (
            INSERT INTO event_counters (firm_id, last) VALUES (:firm_id, :count)
            ON CONFLICT (firm_id) DO UPDATE SET last = event_counters.last + :count
            RETURNING last
        )
        , recorded AS (
            INSERT INTO events (firm_id, cursor, name, record_type, record_uuid, payload, seen_by)
            SELECT :firm_id, counter.last - :count + item.ord, item.value ->> 'name',
                   item.value ->> 'type', CAST(item.value ->> 'uuid' AS uuid),
                   item.value -> 'data',
                   CASE WHEN jsonb_typeof(item.value -> 'seen_by') = 'array' THEN ARRAY(
                       SELECT CAST(jsonb_array_elements_text(item.value -> 'seen_by') AS bigint)
                   ) END
            FROM counter, jsonb_array_elements(:items) WITH ORDINALITY AS item(value, ord)
            RETURNING name
        )
        SELECT pg_notify('advisercrm_webhooks', '')
        WHERE EXISTS (
            SELECT FROM webhook_subscriptions AS s JOIN recorded ON recorded.name = ANY (s.events)
            WHERE s.firm_id = :firm_id
        )
        """
    ).bindparams(
        bindparam("firm_id", type_=BigInteger),
        bindparam("count", type_=BigInteger),
        bindparam("items", type_=JSONB),
    )
)


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
    """Record the events, in this order: one statement."""
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
    await _RECORD.all(conn, firm_id=firm_id, count=len(items), items=items)

"""The events of a firm's records (`tables.events`), written by the write that changes
the record, in its transaction: a change that commits has its events, one that rolls back
has none.

One statement per write inserts its events, each with a pending cursor, and counts them
in a transaction-local setting. A deferred trigger (migrations 0021, 0022) gives them
their cursors at COMMIT: the first reserves the transaction's count from the firm's
counter row, which stays locked until the commit ends, and each then takes the next of
that block, in the order they were inserted. The firm's commits that record events
follow one another from that point, and the cursors follow commit order, so a reader of
`cursor > n` never misses an event that commits later with a smaller cursor. Taking the
counter inside COMMIT keeps the lock for the commit alone; taken by this statement, it
was held while COMMIT travelled from the server and back, and the firm's writes queued
behind that round trip. Until COMMIT an event's cursor is pending (negative): nothing in
the writing transaction may read it.

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
        WITH recorded AS (
            INSERT INTO events (firm_id, cursor, name, record_type, record_uuid, payload, seen_by)
            SELECT :firm_id, -nextval('event_pending_cursors'), item.value ->> 'name',
                   item.value ->> 'type', CAST(item.value ->> 'uuid' AS uuid),
                   item.value -> 'data',
                   CASE WHEN jsonb_typeof(item.value -> 'seen_by') = 'array' THEN ARRAY(
                       SELECT CAST(jsonb_array_elements_text(item.value -> 'seen_by') AS bigint)
                   ) END
            FROM jsonb_array_elements(:items) WITH ORDINALITY AS item(value, ord)
            ORDER BY item.ord  -- the order they take their cursors in, at COMMIT
            RETURNING name
        )
        -- Count them for COMMIT, which reserves the transaction's cursors at once:
        -- "firm:count" (migration 0022).
        SELECT set_config(
                   'advisercrm.pending_events',
                   concat_ws(':', :firm_id, (SELECT count(*) FROM recorded) + CASE
                       WHEN split_part(counted.value, ':', 1) = CAST(:firm_id AS text)
                       THEN CAST(split_part(counted.value, ':', 2) AS bigint) ELSE 0 END),
                   true
               ) AS pending,
               CASE WHEN EXISTS (
                   SELECT FROM webhook_subscriptions AS s
                   JOIN recorded ON recorded.name = ANY (s.events)
                   WHERE s.firm_id = :firm_id
               ) THEN pg_notify('advisercrm_webhooks', '') END AS woken
        FROM (SELECT current_setting('advisercrm.pending_events', true) AS value) AS counted
        """
    ).bindparams(
        bindparam("firm_id", type_=BigInteger),
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
    await _RECORD.all(conn, firm_id=firm_id, items=items)

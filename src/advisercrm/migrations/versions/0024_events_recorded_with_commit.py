"""A write's events are recorded in the message that commits it, their cursors taken there

Since 0021 the events' statement inserted them with pending cursors and a deferred
trigger numbered them inside COMMIT, so that the firm's counter was not held while
COMMIT travelled from the server and back. That cost a round trip for the statement,
and at COMMIT a trigger call per event and a second version of each event's row (its
payload copied, every index written again, the old version left for VACUUM).

Now the server sends `SELECT advisercrm_record_events(firm, items); COMMIT` as one
message: this function takes the block of cursors from the counter and inserts the
events with their cursors, and COMMIT follows on the server with no round trip between.
The counter is held for the insert and the commit alone, cursors follow commit order,
and an event's row is written once.

The trigger and the pending sequence stay for servers of an earlier version still
running during an upgrade: their pending events are numbered from the same counter, and
the trigger's condition (`cursor < 0`) skips the events recorded here. Stop every server
of this version before downgrading: its writes call the function.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 13:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # items: [{"name", "type", "uuid", "data", "seen_by"}], in the order they take their
    # cursors. PL/pgSQL keeps each statement's plan for the session.
    op.execute(
        """
        CREATE FUNCTION advisercrm_record_events(firm bigint, items jsonb) RETURNS void
        LANGUAGE plpgsql AS $$
        DECLARE
            wanted CONSTANT bigint := jsonb_array_length(items);
            block_end bigint;
            subscribed boolean;
        BEGIN
            IF wanted = 0 THEN
                RETURN;
            END IF;
            INSERT INTO event_counters (firm_id, last) VALUES (firm, wanted)
            ON CONFLICT (firm_id) DO UPDATE SET last = event_counters.last + EXCLUDED.last
            RETURNING last INTO block_end;
            -- Whether a subscription takes one of them, from the names the insert returns.
            WITH recorded AS (
                INSERT INTO events
                    (firm_id, cursor, name, record_type, record_uuid, payload, seen_by)
                SELECT firm, block_end - wanted + item.ord, item.value ->> 'name',
                       item.value ->> 'type', CAST(item.value ->> 'uuid' AS uuid),
                       item.value -> 'data',
                       CASE WHEN jsonb_typeof(item.value -> 'seen_by') = 'array' THEN ARRAY(
                           SELECT CAST(jsonb_array_elements_text(item.value -> 'seen_by') AS bigint)
                       ) END
                FROM jsonb_array_elements(items) WITH ORDINALITY AS item(value, ord)
                RETURNING name
            )
            SELECT EXISTS (
                SELECT FROM webhook_subscriptions AS s
                JOIN recorded ON recorded.name = ANY (s.events)
                WHERE s.firm_id = firm
            ) INTO subscribed;
            IF subscribed THEN  -- wake the delivery worker, at commit
                PERFORM pg_notify('advisercrm_webhooks', '');
            END IF;
        END $$
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION advisercrm_record_events(bigint, jsonb)")

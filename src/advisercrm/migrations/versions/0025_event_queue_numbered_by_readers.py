"""A write's events wait in a queue for their cursors; a reader of the events numbers them

Since 0021 a firm's cursors were taken from its counter row inside COMMIT, and the row
stayed locked until the commit ended: until its WAL was flushed to disk. The firm's
writes flushed one at a time, each waiting for the one before, and could not share a
flush: at 16 concurrent writes of one firm, recording an event cost about twice the CPU
it cost with a firm per writer.

Now `advisercrm_record_events` puts the events in `event_queue`, in the order they were
recorded (`position`, from `event_pending_cursors`), and takes no lock: concurrent
writes share their flushes, and a write touches one small index instead of the events'
four. `advisercrm_number_events(firm, most)` moves the oldest `most` committed events of
the firm's queue into `events` with the next cursors, in the order they were recorded.
Whoever reads events by cursor calls it first: the change feed, the delivery worker
before it fans out, a new subscription before it takes its start. It locks the firm's
counter, so one numbering of a firm runs at a time, and its move, a statement whose
snapshot follows the lock, sees every event the numberings before it left. An event
that commits after a numbering is moved by a later one, with a larger cursor, so a
reader of `cursor > n` never misses an event. The queue stays small: its dead rows are
vacuumed within a minute, where rewriting each event in `events` would leave a dead
version there, with an entry in each index, until the table's next VACUUM.

The trigger of 0021/0022 stays for servers of an earlier version during an upgrade: it
numbers the events they insert with pending cursors at their commit, from the same
counter. Stop every server of this version before downgrading: their writes call the
new function and their readers the numbering.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 16:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_queue",
        sa.Column("firm_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "position",
            sa.BigInteger(),
            server_default=sa.text("nextval('event_pending_cursors')"),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("record_type", sa.String(length=64), nullable=False),
        sa.Column("record_uuid", sa.UUID(), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("seen_by", postgresql.ARRAY(sa.BigInteger()), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["firm_id"], ["firms.id"], name=op.f("fk_event_queue_firm_id_firms"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("firm_id", "position", name=op.f("pk_event_queue")),
    )
    # items: [{"name", "type", "uuid", "data", "seen_by"}], in the order they were recorded.
    op.execute(
        """
        CREATE OR REPLACE FUNCTION advisercrm_record_events(firm bigint, items jsonb)
        RETURNS void LANGUAGE plpgsql AS $$
        DECLARE
            subscribed boolean;
        BEGIN
            -- Whether a subscription takes one of them, from the names the insert returns.
            WITH recorded AS (
                INSERT INTO event_queue
                    (firm_id, name, record_type, record_uuid, payload, seen_by)
                SELECT firm, item.value ->> 'name', item.value ->> 'type',
                       CAST(item.value ->> 'uuid' AS uuid), item.value -> 'data',
                       CASE WHEN jsonb_typeof(item.value -> 'seen_by') = 'array' THEN ARRAY(
                           SELECT CAST(jsonb_array_elements_text(item.value -> 'seen_by') AS bigint)
                       ) END
                FROM jsonb_array_elements(items) WITH ORDINALITY AS item(value, ord)
                ORDER BY item.ord
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
    # The oldest `most` committed events of the firm's queue move to `events` with the next
    # cursors, in the order they were recorded; how many did. The move takes those up to
    # a position (a range of the queue's key, whatever its plan).
    op.execute(
        """
        CREATE FUNCTION advisercrm_number_events(firm bigint, most integer) RETURNS integer
        LANGUAGE plpgsql AS $$
        DECLARE
            before bigint;
            upto bigint;
            given integer;
        BEGIN
            IF NOT EXISTS (SELECT FROM event_queue WHERE firm_id = firm) THEN
                RETURN 0;
            END IF;
            -- The firm's counter (made by its first numbering), locked until the numbering
            -- commits: one numbering of the firm at a time. Each statement here takes a
            -- snapshot of its own (READ COMMITTED): those below see what the numbering
            -- before this one moved.
            INSERT INTO event_counters AS c (firm_id, last) VALUES (firm, 0)
            ON CONFLICT (firm_id) DO UPDATE SET last = c.last
            RETURNING last INTO before;
            SELECT max(q.position) INTO upto FROM (
                SELECT position FROM event_queue WHERE firm_id = firm
                ORDER BY position LIMIT most
            ) AS q;
            WITH taken AS (
                DELETE FROM event_queue WHERE firm_id = firm AND position <= upto
                RETURNING position, name, record_type, record_uuid, payload, seen_by, created_at
            ), moved AS (
                INSERT INTO events
                    (firm_id, cursor, name, record_type, record_uuid, payload, seen_by, created_at)
                SELECT firm, before + row_number() OVER (ORDER BY position), name, record_type,
                       record_uuid, payload, seen_by, created_at
                FROM taken
                RETURNING 1
            )
            SELECT count(*) INTO given FROM moved;
            IF given > 0 THEN
                UPDATE event_counters SET last = before + given WHERE firm_id = firm;
            END IF;
            RETURN given;
        END $$
        """
    )
    # A new subscription starts after the firm's last event: those committed before it are
    # numbered first, so none is numbered after its start.
    op.execute(
        """
        CREATE OR REPLACE FUNCTION advisercrm_subscription_starts() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM advisercrm_number_events(NEW.firm_id, 2147483647);
            NEW.fanned_through := coalesce(
                (SELECT last FROM event_counters WHERE firm_id = NEW.firm_id), 0);
            RETURN NEW;
        END $$
        """
    )


def downgrade() -> None:
    # No write may queue an event between the last numbering and the queue's end.
    op.execute("LOCK TABLE event_queue IN SHARE ROW EXCLUSIVE MODE")
    op.execute(
        "SELECT advisercrm_number_events(f.id, 2147483647)"
        " FROM (SELECT id FROM firms ORDER BY id) AS f"
    )
    # 0019's start of a subscription and 0024's recording, as they were.
    op.execute(
        """
        CREATE OR REPLACE FUNCTION advisercrm_subscription_starts() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            NEW.fanned_through := coalesce(
                (SELECT last FROM event_counters WHERE firm_id = NEW.firm_id), 0);
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        """
        CREATE OR REPLACE FUNCTION advisercrm_record_events(firm bigint, items jsonb) RETURNS void
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
    op.execute("DROP FUNCTION advisercrm_number_events(bigint, integer)")
    op.drop_table("event_queue")

"""A write's events wait for their cursors; a reader of the events numbers them

Since 0021 a firm's cursors were taken from its counter row inside COMMIT, and the row
stayed locked until the commit ended: until its WAL was flushed to disk. The firm's
writes therefore flushed one at a time, each waiting for the one before, and could not
share a flush; at 16 concurrent writes of one firm, recording an event cost about twice
the CPU it cost with a firm per writer (a disk flush per write, and 16 backends queued
on one row).

Now `advisercrm_record_events` inserts the events with pending cursors (negative, from
`event_pending_cursors`, falling in the order they were recorded) and takes no lock:
concurrent writes share their flushes. Cursors are given later, in batches, by
`advisercrm_number_events(firm, most)`, which whoever reads the events by cursor calls
first (the change feed, the delivery worker before it fans out, a new subscription
before it takes its start). It locks the firm's
counter, then, in a statement whose snapshot follows the lock, numbers the oldest
pending events that have committed, in the order they were recorded. Cursors still
follow commit order: an event committed after a numbering is numbered by a later one,
with a higher cursor, so a reader of `cursor > n` never misses an event. A transaction's
events, and a record's events, keep the order they were recorded in.

The deferred trigger of 0021/0022 goes: pending events are now what a write leaves.
Those a server of an earlier version inserts are numbered the same way.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 16:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DROP TRIGGER event_cursor ON events")
    op.execute("DROP FUNCTION advisercrm_event_cursor()")
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
                INSERT INTO events
                    (firm_id, cursor, name, record_type, record_uuid, payload, seen_by)
                SELECT firm, -nextval('event_pending_cursors'), item.value ->> 'name',
                       item.value ->> 'type', CAST(item.value ->> 'uuid' AS uuid),
                       item.value -> 'data',
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
    # The oldest `most` committed pending events of the firm take the next cursors, in the
    # order they were recorded (pending cursors fall: the highest first); how many did.
    # One update per event, by its key: a join's plan, kept for the session, can be chosen
    # while the table is small and scan it whole for each event.
    op.execute(
        """
        CREATE FUNCTION advisercrm_number_events(firm bigint, most integer) RETURNS integer
        LANGUAGE plpgsql AS $$
        DECLARE
            before bigint;
            given integer := 0;
            pending bigint;
        BEGIN
            IF NOT EXISTS (SELECT FROM events WHERE firm_id = firm AND cursor < 0) THEN
                RETURN 0;
            END IF;
            -- The firm's counter (made by its first numbering), locked until the numbering
            -- commits: one numbering of the firm at a time. Each statement here takes a
            -- snapshot of its own (READ COMMITTED): the loop's sees what the one before
            -- numbered.
            INSERT INTO event_counters AS c (firm_id, last) VALUES (firm, 0)
            ON CONFLICT (firm_id) DO UPDATE SET last = c.last
            RETURNING last INTO before;
            FOR pending IN
                SELECT cursor FROM events WHERE firm_id = firm AND cursor < 0
                ORDER BY cursor DESC LIMIT most
            LOOP
                UPDATE events SET cursor = before + given + 1
                WHERE firm_id = firm AND cursor = pending;
                IF FOUND THEN  -- else it went since (its firm deleted)
                    given := given + 1;
                END IF;
            END LOOP;
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
    # Every pending event numbered first: 0024 numbers only those of its own transaction.
    op.execute(
        "SELECT advisercrm_number_events(f.id, 2147483647)"
        " FROM (SELECT id FROM firms ORDER BY id) AS f"
    )
    # 0019's start of a subscription, as it was.
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
    op.execute("DROP FUNCTION advisercrm_number_events(bigint, integer)")
    # 0024's function and 0022's trigger, as they were.
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
    op.execute(
        """
        CREATE FUNCTION advisercrm_event_cursor() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
            mine CONSTANT text := NEW.firm_id || ':';
            -- 'firm:count' of the events recorded and not yet reserved (resource.events)
            pending CONSTANT text :=
                coalesce(current_setting('advisercrm.pending_events', true), '');
            -- 'firm:next:last' of the block being taken
            block CONSTANT text :=
                coalesce(current_setting('advisercrm.cursor_block', true), '');
            taken bigint;
            block_end bigint;
            wanted bigint := 0;
        BEGIN
            IF starts_with(block, mine) THEN
                taken := split_part(block, ':', 2)::bigint;
                block_end := split_part(block, ':', 3)::bigint;
            END IF;
            IF taken IS NULL OR taken > block_end THEN
                -- The events recorded and not yet reserved, this one at least.
                IF starts_with(pending, mine) THEN
                    wanted := split_part(pending, ':', 2)::bigint;
                    PERFORM set_config('advisercrm.pending_events', '', true);
                END IF;
                wanted := greatest(wanted, 1);
                INSERT INTO event_counters (firm_id, last) VALUES (NEW.firm_id, wanted)
                ON CONFLICT (firm_id) DO UPDATE SET last = event_counters.last + EXCLUDED.last
                RETURNING last INTO block_end;
                taken := block_end - wanted + 1;
            END IF;
            UPDATE events SET cursor = taken WHERE firm_id = NEW.firm_id AND cursor = NEW.cursor;
            PERFORM set_config(
                'advisercrm.cursor_block', concat_ws(':', NEW.firm_id, taken + 1, block_end), true
            );
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        """
        CREATE CONSTRAINT TRIGGER event_cursor AFTER INSERT ON events
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW WHEN (NEW.cursor < 0) EXECUTE FUNCTION advisercrm_event_cursor()
        """
    )

"""A transaction's events take their cursors as one reserved block, each by its own key

Migration 0021's trigger numbered all of a transaction's pending events of the firm at
once, found as `cursor < 0` in the firm's range of the primary key. Every numbered event
leaves its pending entry in that index, pointing at the dead row version, until VACUUM
removes it: the scan read all of them at every COMMIT, a cost that grew with the events
written since the table was last vacuumed (130 index and heap pages per COMMIT after
9,000 events on the benchmark's small dataset; 5,000 events in one transaction timed
out at COMMIT).

Now the events' statement counts what it records in a transaction-local setting
(`advisercrm.pending_events`, "firm:count"). At COMMIT the first event's trigger
reserves that many cursors from the firm's counter in one update, and each event sets
the next cursor of the block on its own row, found by its pending cursor; the block's
progress is a transaction-local setting too (`advisercrm.cursor_block`,
"firm:next:last"). Deferred triggers fire in the order their rows were inserted, so the
cursors follow the order the events were recorded in, and the counter row, locked by the
reservation, stays locked until the commit ends. An event beyond the block (one recorded
after an early firing, or inserted without being counted) reserves what was recorded
since, or one cursor for itself.

Two setting names, whatever the number of firms: a connection keeps every name it has
seen. A transaction that records events of two firms (none does) loses only the
batching: the other firm's events then reserve a cursor each.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 10:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE OR REPLACE FUNCTION advisercrm_event_cursor() RETURNS trigger
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


def downgrade() -> None:
    # Migration 0021's function, as it was.
    op.execute(
        """
        CREATE OR REPLACE FUNCTION advisercrm_event_cursor() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            WITH pending AS (
                SELECT cursor, row_number() OVER (ORDER BY cursor DESC) AS n,
                       count(*) OVER () AS total
                FROM events WHERE firm_id = NEW.firm_id AND cursor < 0
            ), counter AS (
                INSERT INTO event_counters (firm_id, last)
                SELECT NEW.firm_id, count(*) FROM pending HAVING count(*) > 0
                ON CONFLICT (firm_id) DO UPDATE SET last = event_counters.last + EXCLUDED.last
                RETURNING last
            )
            UPDATE events SET cursor = counter.last - pending.total + pending.n
            FROM counter, pending
            WHERE events.firm_id = NEW.firm_id AND events.cursor = pending.cursor;
            RETURN NULL;
        END $$
        """
    )

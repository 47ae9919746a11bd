"""A transaction's events take their cursors as one reserved block, each by its own key

Migration 0021's trigger numbered all of a transaction's pending events of the firm at
once, found as `cursor < 0` in the firm's range of the primary key. Every numbered event
leaves its pending entry in that index, pointing at the dead row version, until VACUUM
removes it: the scan read all of them at every COMMIT, a cost that grew with the events
written since the table was last vacuumed (130 index and heap pages per COMMIT after
9,000 events on the benchmark's small dataset; 5,000 events in one transaction timed
out at COMMIT).

Now the events' statement counts what it records in a transaction-local setting
(`advisercrm.pending_<firm>`). At COMMIT the first event's trigger reserves that many
cursors from the firm's counter in one update, and each event sets the next cursor of
the block on its own row, found by its pending cursor; the block's progress is kept in
transaction-local settings too. Deferred triggers fire in the order their rows were
inserted, so the cursors follow the order the events were recorded in, and the counter
row, locked by the reservation, stays locked until the commit ends. An event beyond the
block (one recorded after an early firing, or inserted without being counted) reserves
what was recorded since, or one cursor for itself.

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
            pending CONSTANT text := 'advisercrm.pending_' || NEW.firm_id;
            following CONSTANT text := 'advisercrm.next_' || NEW.firm_id;
            reserved CONSTANT text := 'advisercrm.reserved_' || NEW.firm_id;
            taken bigint := nullif(current_setting(following, true), '')::bigint;
            block_end bigint := nullif(current_setting(reserved, true), '')::bigint;
            wanted bigint;
        BEGIN
            IF taken IS NULL OR taken > block_end THEN
                -- The events recorded and not yet reserved, this one at least.
                wanted := nullif(current_setting(pending, true), '')::bigint;
                wanted := greatest(coalesce(wanted, 0), 1);
                INSERT INTO event_counters (firm_id, last) VALUES (NEW.firm_id, wanted)
                ON CONFLICT (firm_id) DO UPDATE SET last = event_counters.last + EXCLUDED.last
                RETURNING last INTO block_end;
                taken := block_end - wanted + 1;
                PERFORM set_config(reserved, block_end::text, true);
                PERFORM set_config(pending, '0', true);
            END IF;
            UPDATE events SET cursor = taken WHERE firm_id = NEW.firm_id AND cursor = NEW.cursor;
            PERFORM set_config(following, (taken + 1)::text, true);
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

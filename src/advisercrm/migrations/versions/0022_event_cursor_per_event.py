"""Each pending event takes its cursor by its own key, not by a scan of the pending range

Migration 0021's trigger numbered all of a transaction's pending events of the firm at
once, found as `cursor < 0` in the firm's range of the primary key. Every numbered event
leaves its pending entry in that index, pointing at the dead row version, until VACUUM
removes it: the scan read all of them at every COMMIT, a cost that grew with the events
written since the table was last vacuumed (130 index and heap pages per COMMIT after
9,000 events on the benchmark's small dataset). Now each event's trigger takes the next
cursor from the counter and sets it on its own row, found by its pending cursor: two
single-row writes. Deferred triggers fire in the order their rows were inserted, so the
cursors still follow the order the events were recorded in, and the counter row, locked
by the first, stays locked until the commit ends.

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
            taken bigint;
        BEGIN
            INSERT INTO event_counters (firm_id, last) VALUES (NEW.firm_id, 1)
            ON CONFLICT (firm_id) DO UPDATE SET last = event_counters.last + 1
            RETURNING last INTO taken;
            UPDATE events SET cursor = taken
            WHERE firm_id = NEW.firm_id AND cursor = NEW.cursor;
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

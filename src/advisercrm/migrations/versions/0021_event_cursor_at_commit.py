"""An event takes its cursor when its transaction commits, not when it is recorded

A firm's cursors follow commit order because they are handed out under a lock on the
firm's counter row, held until commit. The write used to take that lock in its events'
statement and hold it while its COMMIT travelled from the server and back: every write
of the firm waited for that round trip of the one before it (at 16 concurrent goal
creates, 43 ms on average in that statement). Now the events' statement inserts them
with a pending cursor (negative, from a sequence) and a deferred trigger, which runs
inside COMMIT, takes the counter and gives each its cursor, in the order the events were
inserted: the lock is held for the commit alone.

A pending cursor is never seen outside its transaction: by the time the transaction's
rows are visible, the trigger has replaced it. A server of an earlier version still
running inserts events with their cursors already taken; the trigger leaves those alone.
Stop every server of this version before downgrading: its writes would fail without
the sequence.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 08:15:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE SEQUENCE event_pending_cursors")
    # The first event of a transaction to fire numbers all of that transaction's pending
    # events of the firm, in the order they were recorded, and moves the counter once;
    # the others find theirs done. Pending cursors fall as they are taken (-nextval, in
    # the order of each statement's rows), so that order is theirs, highest first. A
    # transaction sees no pending row but its own: others' are uncommitted, or numbered.
    op.execute(
        """
        CREATE FUNCTION advisercrm_event_cursor() RETURNS trigger
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
    # Deferred: it fires at COMMIT.
    op.execute(
        """
        CREATE CONSTRAINT TRIGGER event_cursor AFTER INSERT ON events
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW WHEN (NEW.cursor < 0) EXECUTE FUNCTION advisercrm_event_cursor()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER event_cursor ON events")
    op.execute("DROP FUNCTION advisercrm_event_cursor()")
    op.execute("DROP SEQUENCE event_pending_cursors")

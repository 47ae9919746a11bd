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
    op.execute(
        """
        CREATE FUNCTION advisercrm_event_cursor() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            WITH counter AS (
                INSERT INTO event_counters (firm_id, last) VALUES (NEW.firm_id, 1)
                ON CONFLICT (firm_id) DO UPDATE SET last = event_counters.last + 1
                RETURNING last
            )
            UPDATE events SET cursor = counter.last FROM counter
            WHERE events.firm_id = NEW.firm_id AND events.cursor = NEW.cursor;
            RETURN NULL;
        END $$
        """
    )
    # Deferred: it fires at COMMIT, once per event, in the order they were inserted.
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

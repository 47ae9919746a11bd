"""task_assignees: the task's status, due date and level, for one person's task lists

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 18:00:00.000000

A person's own open tasks due before a date, by due date (GET /api/v1/task with
open_tasks, assigned_to_uuids naming themself and due_before: the everyday view), are
found, counted and ordered from one range of this index per open status, index-only,
without reading tasks. Through 0005 the assigned task ids were hashed against tasks'
(firm_id, status_id, due_at, id) index, which in the benchmark's large firm reads some
54,000 index entries of the firm's open tasks to keep the 1,587 that are the member's.

The three columns copy the task's: `status_id`, `due_at` and `top_level` (parent_id IS
NULL). The application inserts them with each assignee row (it has the task at hand);
the trigger below keeps them in step when a task's status, due date or parent changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_task_assignees_firm_id_account_id_status_id_due_at_task_id"

# AFTER UPDATE, one UPDATE per changed task: a task has one or two assignees, and the
# WHEN clause keeps the trigger from running at all for the common updates that leave
# these columns alone (name, position, completion fields...).
SYNC_FUNCTION = """
CREATE FUNCTION task_assignees_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE task_assignees
    SET status_id = NEW.status_id, due_at = NEW.due_at, top_level = NEW.parent_id IS NULL
    WHERE firm_id = NEW.firm_id AND task_id = NEW.id;
    RETURN NULL;
END
$$
"""
SYNC_TRIGGER = """
CREATE TRIGGER task_assignees_sync
AFTER UPDATE OF status_id, due_at, parent_id ON tasks
FOR EACH ROW
WHEN (OLD.status_id IS DISTINCT FROM NEW.status_id
      OR OLD.due_at IS DISTINCT FROM NEW.due_at
      OR (OLD.parent_id IS NULL) IS DISTINCT FROM (NEW.parent_id IS NULL))
EXECUTE FUNCTION task_assignees_sync()
"""


def upgrade() -> None:
    op.add_column("task_assignees", sa.Column("status_id", sa.BigInteger(), nullable=True))
    op.add_column("task_assignees", sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("task_assignees", sa.Column("top_level", sa.Boolean(), nullable=True))
    op.execute(
        """
        UPDATE task_assignees ta
        SET status_id = t.status_id, due_at = t.due_at, top_level = t.parent_id IS NULL
        FROM tasks t
        WHERE t.firm_id = ta.firm_id AND t.id = ta.task_id
        """
    )
    op.alter_column("task_assignees", "status_id", nullable=False)
    op.alter_column("task_assignees", "top_level", nullable=False)
    op.create_index(
        op.f(INDEX),
        "task_assignees",
        ["firm_id", "account_id", "status_id", "due_at", "task_id"],
        unique=False,
        postgresql_where=sa.text("top_level"),
    )
    op.execute(SYNC_FUNCTION)
    op.execute(SYNC_TRIGGER)
    # Statistics for the new columns now, not at autovacuum's next pass.
    op.execute("ANALYZE task_assignees")


def downgrade() -> None:
    op.execute("DROP TRIGGER task_assignees_sync ON tasks")
    op.execute("DROP FUNCTION task_assignees_sync()")
    op.drop_index(op.f(INDEX), table_name="task_assignees", postgresql_where=sa.text("top_level"))
    op.drop_column("task_assignees", "top_level")
    op.drop_column("task_assignees", "due_at")
    op.drop_column("task_assignees", "status_id")

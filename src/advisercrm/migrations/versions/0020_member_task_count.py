"""task_groups.top_level and tasks by author: a member's task count from their side

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 20:30:00.000000

A member sees the tasks of their groups, those assigned to them and those they wrote.
Their default task list (top-level tasks) was counted by testing each of the firm's
top-level tasks against those three: in the benchmark's large firm 270,000 tests to
count 16,799, 95 ms of a 103 ms statement. It is now counted from the member's side, a
union of three index ranges (`tasks.description.visible_ids`), which needs each group
row to carry its task's level, as the assignee rows do (migration 0006), and an index
of tasks by author.

The level is copied into the existing rows in batches of their key, each batch its own
transaction, so no lock is held for long on a big table: the column is added (a catalog
change), filled, checked by a constraint validated without blocking writes, then made NOT
NULL, which that constraint lets PostgreSQL do without reading the table again. Every
step can run again: a migration stopped part way finishes on the next start.

Stop every server before upgrading. One of an earlier version still running inserts group
rows without the level: those it writes before the constraint below is added are filled
after it (`STRAGGLERS`), and from then on its inserts of group rows are refused. A
trigger cannot fill them instead: the earlier version inserts a new task's group rows in
the statement that inserts the task, whose row such a trigger would not see.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from advisercrm.migrations.online import build_index

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 20_000
CHECK = "ck_task_groups_top_level_set"
GROUPS_INDEX = "ix_task_groups_top_level_firm_id_group_id_task_id"
AUTHOR_INDEX = "ix_tasks_firm_id_author_id_parent_id_id"

# As task_assignees_sync (0006): one UPDATE per task whose level changed.
SYNC_FUNCTION = """
CREATE OR REPLACE FUNCTION task_groups_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE task_groups SET top_level = NEW.parent_id IS NULL
    WHERE firm_id = NEW.firm_id AND task_id = NEW.id;
    RETURN NULL;
END
$$
"""
SYNC_TRIGGER = """
CREATE TRIGGER task_groups_sync
AFTER UPDATE OF parent_id ON tasks
FOR EACH ROW
WHEN ((OLD.parent_id IS NULL) IS DISTINCT FROM (NEW.parent_id IS NULL))
EXECUTE FUNCTION task_groups_sync()
"""
# One batch: the next BATCH rows in key order after the last one done, and the key of the
# last row of the batch (none when no row is left).
FILL = """
WITH batch AS (
    SELECT firm_id, task_id, group_id FROM task_groups
    WHERE (firm_id, task_id, group_id) > (:firm_id, :task_id, :group_id)
    ORDER BY firm_id, task_id, group_id
    LIMIT :size
), filled AS (
    UPDATE task_groups g SET top_level = t.parent_id IS NULL
    FROM batch b JOIN tasks t ON t.firm_id = b.firm_id AND t.id = b.task_id
    WHERE g.firm_id = b.firm_id AND g.task_id = b.task_id AND g.group_id = b.group_id
      AND g.top_level IS NULL
)
SELECT firm_id, task_id, group_id FROM batch
ORDER BY firm_id DESC, task_id DESC, group_id DESC LIMIT 1
"""
# Rows left without the level: none, unless a server of the earlier version was still
# running while the batches ran. With the check constraint in place no more can come.
STRAGGLERS = """
UPDATE task_groups g SET top_level = t.parent_id IS NULL
FROM tasks t WHERE t.firm_id = g.firm_id AND t.id = g.task_id AND g.top_level IS NULL
"""


def upgrade() -> None:
    op.execute("ALTER TABLE task_groups ADD COLUMN IF NOT EXISTS top_level boolean")
    op.execute(SYNC_FUNCTION)
    op.execute("DROP TRIGGER IF EXISTS task_groups_sync ON tasks")
    op.execute(SYNC_TRIGGER)
    with op.get_context().autocommit_block():
        bind = op.get_bind()
        _fill(bind)
        bind.execute(sa.text(f"ALTER TABLE task_groups DROP CONSTRAINT IF EXISTS {CHECK}"))
        bind.execute(
            sa.text(
                f"ALTER TABLE task_groups ADD CONSTRAINT {CHECK}"
                " CHECK (top_level IS NOT NULL) NOT VALID"
            )
        )
        bind.execute(sa.text(STRAGGLERS))
        bind.execute(sa.text(f"ALTER TABLE task_groups VALIDATE CONSTRAINT {CHECK}"))
        bind.execute(sa.text("ALTER TABLE task_groups ALTER COLUMN top_level SET NOT NULL"))
        bind.execute(sa.text(f"ALTER TABLE task_groups DROP CONSTRAINT {CHECK}"))
        build_index(bind, GROUPS_INDEX, "task_groups (firm_id, group_id, task_id) WHERE top_level")
        build_index(bind, AUTHOR_INDEX, "tasks (firm_id, author_id, parent_id, id)")
        # The reads' plans need the new column's statistics from the start.
        bind.execute(sa.text("ANALYZE task_groups"))


def _fill(bind: sa.Connection) -> None:
    """Copy each row's task level, a batch of rows per transaction (autocommit)."""
    key = {"firm_id": 0, "task_id": 0, "group_id": 0}
    while True:
        last = bind.execute(sa.text(FILL), {**key, "size": BATCH}).first()
        if last is None:
            return
        key = dict(last._mapping)


def downgrade() -> None:
    op.drop_index(AUTHOR_INDEX, table_name="tasks")
    op.drop_index(GROUPS_INDEX, table_name="task_groups")
    op.execute("DROP TRIGGER task_groups_sync ON tasks")
    op.execute("DROP FUNCTION task_groups_sync()")
    op.drop_column("task_groups", "top_level")

"""tasks: index for open tasks by due date

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 17:30:00.000000

A member's own open tasks due before a date (GET /api/v1/task with open_tasks,
assigned_to_uuids naming themself and due_before: the everyday view) are found by
hashing their task ids from task_assignees and scanning this index, index-only, for the
firm's open statuses (`status_id = ANY(...)`: one index search per status) below the due
date. In the benchmark's large firm (300,000 tasks, 9,900 assigned to the member, 1,587
matching) that takes 8 ms for the count and the page together, where the count alone
took 74 ms through the assignee rows and a heap fetch per task, and 16 ms over
(firm_id, due_at, id) INCLUDE (status_id) WHERE parent_id IS NULL (the statuses closed
or not then all read). Top-level tasks only, as lists show by default.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_tasks_firm_id_status_id_due_at_id"),
        "tasks",
        ["firm_id", "status_id", "due_at", "id"],
        unique=False,
        postgresql_where=sa.text("parent_id IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_tasks_firm_id_status_id_due_at_id"),
        table_name="tasks",
        postgresql_where=sa.text("parent_id IS NULL"),
    )

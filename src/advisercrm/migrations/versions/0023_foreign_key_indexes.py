"""An index for every foreign key that had none

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 11:20:00.000000

When a row goes, PostgreSQL finds the rows that name it to clear or delete them (SET
NULL, CASCADE). Seven foreign keys had no index leading with their columns, so each
such delete read the whole firm's part of the referring table: deleting an employee
read every task of the firm (to clear `completed_by_id`) and every account three times
(their assigned adviser, administrator and paraplanner). Each index is partial (rows
that name nothing have no entry, so a new open task costs no extra entry) and built
without blocking writes; a stopped build is built again on the next start.
"""

from collections.abc import Sequence

from alembic import op

from advisercrm.migrations.online import build_index

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column): each indexed as (firm_id, column) WHERE column IS NOT NULL.
REFERENCES = (
    ("accounts", "assigned_adviser_id"),
    ("accounts", "assigned_administrator_id"),
    ("accounts", "assigned_paraplanner_id"),
    ("circles", "current_life_stage_id"),
    ("personal_access_tokens", "account_id"),
    ("tasks", "completed_by_id"),
    ("web_sessions", "account_id"),
)


def upgrade() -> None:
    with op.get_context().autocommit_block():
        for table, column in REFERENCES:
            definition = f"{table} (firm_id, {column}) WHERE {column} IS NOT NULL"
            build_index(op.get_bind(), f"ix_{table}_firm_id_{column}", definition)


def downgrade() -> None:
    with op.get_context().autocommit_block():
        for table, column in REFERENCES:
            op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS ix_{table}_firm_id_{column}")

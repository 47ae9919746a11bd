"""each plan owner's share of the plan, in percent

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:00:00.000000

Plans existing before shares were kept are split equally among their owners, in cents
of a percent, the first owners (by account id) taking the cents left over, so each
plan's shares add up to exactly 100 as the write path makes them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "plan_accounts", sa.Column("percentage", sa.Numeric(precision=5, scale=2), nullable=True)
    )
    op.create_check_constraint(
        op.f("ck_plan_accounts_percentage_range"),
        "plan_accounts",
        "percentage BETWEEN 0 AND 100",
    )
    op.execute(
        """
        UPDATE plan_accounts AS pa
        SET percentage = (10000 / s.n + CASE WHEN s.k <= 10000 % s.n THEN 1 ELSE 0 END) / 100.0
        FROM (
            SELECT firm_id, plan_id, account_id,
                   count(*) OVER (PARTITION BY firm_id, plan_id) AS n,
                   row_number() OVER (PARTITION BY firm_id, plan_id ORDER BY account_id) AS k
            FROM plan_accounts
        ) AS s
        WHERE pa.firm_id = s.firm_id AND pa.plan_id = s.plan_id AND pa.account_id = s.account_id
        """
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_plan_accounts_percentage_range"), "plan_accounts")
    op.drop_column("plan_accounts", "percentage")

"""accounts' client status and introducer

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 22:40:00.000000

Both are nullable references within the firm (composite foreign keys, firm_id
included); deleting the status or the introducer sets the account's reference to null,
and each is indexed for the list filters and for that SET NULL.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFERENCES = (("client_status_id", "client_statuses"), ("introduced_by_id", "accounts"))


def upgrade() -> None:
    for column, target in REFERENCES:
        op.add_column("accounts", sa.Column(column, sa.BigInteger(), nullable=True))
        op.create_foreign_key(
            op.f(f"fk_accounts_firm_id_{column}_{target}"),
            "accounts",
            target,
            ["firm_id", column],
            ["firm_id", "id"],
            ondelete=f"SET NULL ({column})",
        )
        op.create_index(op.f(f"ix_accounts_firm_id_{column}"), "accounts", ["firm_id", column])


def downgrade() -> None:
    for column, target in reversed(REFERENCES):
        op.drop_index(op.f(f"ix_accounts_firm_id_{column}"), table_name="accounts")
        op.drop_constraint(
            op.f(f"fk_accounts_firm_id_{column}_{target}"), "accounts", type_="foreignkey"
        )
        op.drop_column("accounts", column)

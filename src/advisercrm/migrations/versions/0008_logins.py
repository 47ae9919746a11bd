"""logins: portal flags and one primary login per account; users: names

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 20:15:00.000000

Logins carry the client-portal feature flags and the unread-notifications email flag
(all false unless set). An account has at most one primary login: where earlier data
holds several, the oldest stays primary. A user has a first and last name (the name a
login shows); an empty password hash is a user who has no password yet.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FLAGS = (
    "receives_unread_notifications_email",
    "wealth_enabled",
    "goals_enabled",
    "factfind_enabled",
    "tasks_enabled",
    "welcome_enabled",
)
PRIMARY = "uq_logins_primary_per_account"


def upgrade() -> None:
    for flag in FLAGS:
        op.add_column(
            "logins", sa.Column(flag, sa.Boolean(), server_default="false", nullable=False)
        )
    op.add_column("users", sa.Column("first_name", sa.String(length=255), nullable=True))
    op.add_column("users", sa.Column("last_name", sa.String(length=255), nullable=True))
    op.execute(
        """
        UPDATE logins SET is_primary = false
        WHERE is_primary AND id <> (
            SELECT min(other.id) FROM logins other
            WHERE other.firm_id = logins.firm_id AND other.account_id = logins.account_id
              AND other.is_primary
        )
        """
    )
    op.create_index(
        PRIMARY,
        "logins",
        ["firm_id", "account_id"],
        unique=True,
        postgresql_where=sa.text("is_primary"),
    )


def downgrade() -> None:
    op.drop_index(PRIMARY, table_name="logins", postgresql_where=sa.text("is_primary"))
    op.drop_column("users", "last_name")
    op.drop_column("users", "first_name")
    for flag in reversed(FLAGS):
        op.drop_column("logins", flag)

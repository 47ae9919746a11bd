"""Notify advisercrm_auth whenever what a token's authentication reads changes

Each server process keeps the tokens it authenticated in memory (auth.cache) and drops
them all on a notification of this channel. The triggers send it from the database, so
no write can forget it: the API's, the CLI's, the web pages', or a hand-written UPDATE.
Inserts and deletes notify per statement (rare, and a zero-row statement only costs a
spurious clear); updates per row and only when a column the authentication reads
changes (renaming an account, or a login's portal flags, keeps the caches).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 06:45:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "advisercrm_auth"
FUNCTION = "advisercrm_auth_changed"
# table -> (what one statement's inserts, deletes, truncates notify; the columns whose
# change notifies). auth.repository's _FIND_TOKEN reads these columns.
WATCHED: dict[str, tuple[str, tuple[str, ...]]] = {
    "personal_access_tokens": (
        "DELETE OR TRUNCATE",
        ("id", "token_hash", "user_id", "firm_id", "account_id", "expires_at", "revoked_at"),
    ),
    "logins": (
        "INSERT OR DELETE OR TRUNCATE",
        (
            "id",
            "user_id",
            "firm_id",
            "account_id",
            "has_write_permission",
            "has_delete_permission",
            "expires_at",
        ),
    ),
    "accounts": ("DELETE OR TRUNCATE", ("id", "firm_id", "uuid", "type", "role")),
    "firms": ("DELETE OR TRUNCATE", ("id", "currency", "timezone")),
}


def upgrade() -> None:
    op.execute(
        f"""
        CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- Sent at commit, once per transaction and table (PostgreSQL folds repeats).
            PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
            RETURN NULL;
        END
        $$
        """
    )
    for table, (events, columns) in WATCHED.items():
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
        op.execute(
            f"CREATE TRIGGER {table}_auth_rows AFTER {events} ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_auth_update AFTER UPDATE OF {', '.join(columns)} "
            f"ON {table} FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {FUNCTION}()"
        )


def downgrade() -> None:
    for table in WATCHED:
        op.execute(f"DROP TRIGGER {table}_auth_update ON {table}")
        op.execute(f"DROP TRIGGER {table}_auth_rows ON {table}")
    op.execute(f"DROP FUNCTION {FUNCTION}()")

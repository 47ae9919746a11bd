"""Schema changes a migration makes while the servers keep writing."""

from __future__ import annotations

import sqlalchemy as sa


def build_index(bind: sa.Connection, name: str, definition: str) -> None:
    """Build the index without blocking writes (run in an autocommit block); one an
    interrupted build left invalid is built again, one already built is kept."""
    invalid = bind.execute(
        sa.text("SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(:name)"),
        {"name": name},
    ).scalar()
    if invalid:
        bind.execute(sa.text(f"DROP INDEX CONCURRENTLY {name}"))
    bind.execute(sa.text(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {definition}"))

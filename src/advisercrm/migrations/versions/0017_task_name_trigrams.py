"""tasks: trigram index for the name filter, where the database allows it

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 06:40:00.000000

GET /api/v1/task?filter[name]=... matches `name ILIKE '%text%'`, which no btree serves:
the firm's tasks were all read and tested. This GIN index holds each task's firm and the
trigrams of its name, so the tasks of the firm whose names hold the text's trigrams are
found from the index and only they are rechecked. For text of one or two characters (no
trigram) PostgreSQL scans just the firm's entry and rechecks the firm's tasks: the
reading it did before, no more.

It needs pg_trgm (the trigram operator class) and btree_gin (firm_id in a GIN index).
The embedded PostgreSQL ships both; a configured server may lack them, or the right to
create them (both are trusted extensions: CREATE on the database is enough). Then the
index is left out, the migration still succeeds and the filter works as before.

Built CONCURRENTLY, outside the migration's transaction, so that a big table keeps
taking writes meanwhile: 13 s for the benchmark's million tasks (40 MB of index), where
the name filter's count in its large firm fell from about 400 ms to 100 ms for a word in
a sixth of the names and to 3 ms for a rare one.
"""

import logging
from collections.abc import Sequence

from alembic import op
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from advisercrm.tables import TASK_NAME_INDEX

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger(__name__)
EXTENSIONS = ("pg_trgm", "btree_gin")


def upgrade() -> None:
    with op.get_context().autocommit_block():
        bind = op.get_bind()
        missing = [name for name in EXTENSIONS if not _extension(bind, name)]
        if missing:
            log.warning(
                "task name search left without its index: cannot create extension %s",
                ", ".join(missing),
            )
            return
        # A concurrent build that was interrupted leaves an invalid index: build again.
        invalid = bind.execute(
            text("SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(:name)"),
            {"name": TASK_NAME_INDEX},
        ).scalar()
        if invalid:
            bind.execute(text(f"DROP INDEX CONCURRENTLY {TASK_NAME_INDEX}"))
        bind.execute(
            text(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {TASK_NAME_INDEX}"
                " ON tasks USING gin (firm_id, name gin_trgm_ops)"
            )
        )


def _extension(bind: Connection, name: str) -> bool:
    """Create the extension if it is missing; whether it is there now. (Outside a
    transaction, so a refusal leaves nothing to roll back.)"""
    try:
        bind.execute(text(f"CREATE EXTENSION IF NOT EXISTS {name}"))
    except DBAPIError as error:
        log.warning("CREATE EXTENSION %s failed: %s", name, error.orig)
        return False
    return True


def downgrade() -> None:
    # The extensions stay: other objects may have come to use them.
    with op.get_context().autocommit_block():
        op.execute(text(f"DROP INDEX CONCURRENTLY IF EXISTS {TASK_NAME_INDEX}"))

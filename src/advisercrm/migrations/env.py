"""Alembic environment: runs migrations on the async engine, one server at a time."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from advisercrm.db import async_url
from advisercrm.tables import TASK_NAME_INDEX, metadata

# Several servers may start together against one database: an advisory lock makes
# them apply pending migrations one after the other instead of racing.
_MIGRATION_LOCK = 7_240_211


def _lock(connection: Connection) -> None:
    """Take the migration lock for the session, polling. A session lock, because a
    migration may commit part way (an index built CONCURRENTLY, outside a transaction),
    which would let a transaction's lock go; polled, because a server blocked in
    pg_advisory_lock holds a snapshot that such a build waits for: each would wait for
    the other."""
    lock = text("SELECT pg_try_advisory_lock(:key)")
    while not connection.execute(lock, {"key": _MIGRATION_LOCK}).scalar():
        connection.commit()
        time.sleep(0.2)
    connection.commit()


def _managed(obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
    """What autogenerate compares: not the optional index tables.py leaves out."""
    return not (kind == "index" and name == TASK_NAME_INDEX)


def _run(connection: Connection) -> None:
    _lock(connection)
    try:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            compare_type=True,
            include_object=_managed,
        )
        with context.begin_transaction():
            context.run_migrations()
    finally:
        connection.rollback()
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK})
        connection.commit()


async def _main() -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "migrations need sqlalchemy.url"
    engine = create_async_engine(async_url(url))
    async with engine.connect() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


asyncio.run(_main())

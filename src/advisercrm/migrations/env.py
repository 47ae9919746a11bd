"""Alembic environment: runs migrations on the async engine, one server at a time."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from advisercrm.db import async_url
from advisercrm.tables import metadata

# Several servers may start together against one database: an advisory lock makes
# them apply pending migrations one after the other instead of racing.
_MIGRATION_LOCK = 7_240_211


def _run(connection: Connection) -> None:
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def _main() -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "migrations need sqlalchemy.url"
    engine = create_async_engine(async_url(url))
    async with engine.begin() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


asyncio.run(_main())

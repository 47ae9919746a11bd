"""The task name filter's trigram index (its own migration): built where the database can
create pg_trgm and btree_gin, left out where it cannot, and the migration succeeds
either way. Against real databases: a role refused CREATE on its database cannot create
extensions, as on a managed PostgreSQL that withholds them."""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
from asyncio.subprocess import PIPE
from collections.abc import AsyncIterator

import asyncpg
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from advisercrm.migrate import alembic_config, current, upgrade
from advisercrm.tables import TASK_NAME_INDEX

INDEX_STATE = "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)"
EXTENSIONS = "SELECT array_agg(extname::text ORDER BY extname) FROM pg_extension"


async def test_the_index_is_built_where_the_extensions_can_be_made(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval(INDEX_STATE, TASK_NAME_INDEX) is True
        assert {"btree_gin", "pg_trgm"} <= set(await conn.fetchval(EXTENSIONS))
        definition = await conn.fetchval("SELECT pg_get_indexdef(to_regclass($1))", TASK_NAME_INDEX)
    finally:
        await conn.close()
    assert definition.endswith("USING gin (firm_id, name gin_trgm_ops)")


@pytest.fixture
async def fresh_database(database_url: str) -> AsyncIterator[tuple[str, str]]:
    """An empty database and a role that may build tables in it but not create
    extensions (no CREATE on the database): URLs as the owner and as that role."""
    name = f"advisercrm_trgm_{secrets.token_hex(4)}"
    role = f"plain_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(database_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.execute(f'CREATE ROLE "{role}" LOGIN')
    owner_url = make_url(database_url).set(database=name)
    inside = await asyncpg.connect(owner_url.render_as_string(hide_password=False))
    await inside.execute(f'GRANT CREATE ON SCHEMA public TO "{role}"')
    await inside.close()
    role_url = owner_url.set(username=role, password=None)
    try:
        yield (
            owner_url.render_as_string(hide_password=False),
            role_url.render_as_string(hide_password=False),
        )
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        await admin.close()


async def test_without_the_right_to_create_extensions_the_index_is_left_out(
    fresh_database: tuple[str, str],
) -> None:
    _, url = fresh_database
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert await asyncio.to_thread(upgrade, url) == (None, head)
    assert await current(url) == head
    conn = await asyncpg.connect(url)
    try:
        assert await conn.fetchval(INDEX_STATE, TASK_NAME_INDEX) is None
        assert await conn.fetchval(EXTENSIONS) == ["plpgsql"]
        # The name filter still runs, reading the firm's tasks as before the index.
        assert await conn.fetchval("SELECT count(*) FROM tasks WHERE name ILIKE '%a%'") == 0
    finally:
        await conn.close()


async def test_servers_starting_together_migrate_one_after_the_other(
    fresh_database: tuple[str, str],
) -> None:
    """One builds the index CONCURRENTLY while the other waits for the migration lock:
    a wait that held a snapshot would be one the build waits for (a deadlock)."""
    url, _ = fresh_database
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    env = os.environ | {"ADVISERCRM_DATABASE_URL": url}
    # Processes: Alembic keeps its state in module globals, one migration per process.
    servers = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "advisercrm", "migrate", env=env, stderr=PIPE
        )
        for _ in range(2)
    ]
    logs = [(await s.communicate())[1].decode() for s in servers]
    assert [s.returncode for s in servers] == [0, 0], logs
    assert await current(url) == head
    conn = await asyncpg.connect(url)
    try:
        assert await conn.fetchval(INDEX_STATE, TASK_NAME_INDEX) is True
    finally:
        await conn.close()

"""The migration that gives task_groups its copy of each task's level fills the existing
rows in batches, each its own transaction, and can run again after stopping part way
(here: after the column was added and filled, before anything else), and down and up."""

from __future__ import annotations

import asyncio
import importlib.util
import secrets
from typing import Any

import asyncpg
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from advisercrm.db import async_url
from advisercrm.migrate import alembic_config

LEVELS = "SELECT task_id, top_level FROM task_groups ORDER BY task_id, group_id"


async def made_tasks(conn: asyncpg.Connection) -> dict[int, bool]:
    """Two groups; three tasks with a subtask each, every one in both groups: the level
    each group row should get, by task id."""
    firm = await conn.fetchval("INSERT INTO firms (name) VALUES ('F') RETURNING id")

    async def row(sql: str, *args: Any) -> int:
        return int(await conn.fetchval(sql, firm, *args))

    client = await row(
        "INSERT INTO accounts (firm_id, type, role, name)"
        " VALUES ($1, 'client', 'individual', 'C') RETURNING id"
    )
    status = await row(
        "INSERT INTO task_statuses (firm_id, name, colour, position)"
        " VALUES ($1, 'Open', '#000000', 1) RETURNING id"
    )
    groups = [
        await row("INSERT INTO groups (firm_id, name, slug) VALUES ($1, $2, $2) RETURNING id", n)
        for n in ("g1", "g2")
    ]
    insert = (
        "INSERT INTO tasks (firm_id, name, taskable_type, client_id, status_id, position,"
        " parent_id) VALUES ($1, 'T', 'client', $2, $3, $4, $5) RETURNING id"
    )
    levels: dict[int, bool] = {}
    for position in range(3):
        parent = await row(insert, client, status, 2 * position, None)
        child = await row(insert, client, status, 2 * position + 1, parent)
        levels |= {parent: True, child: False}
    await conn.executemany(
        "INSERT INTO task_groups (firm_id, task_id, group_id) VALUES ($1, $2, $3)",
        [(firm, task, group) for task in levels for group in groups],
    )
    return levels


async def test_group_rows_get_their_tasks_level_in_batches(database_url: str) -> None:
    name = f"advisercrm_levels_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(database_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    config = alembic_config(url)
    (level,) = [
        r
        for r in ScriptDirectory.from_config(config).walk_revisions()
        if r.path.endswith("_member_task_count.py")
    ]
    spec = importlib.util.spec_from_file_location("level_migration", level.path)
    assert spec and spec.loader
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    migration.BATCH = 5  # 12 rows: three batches, the last one short
    engine = create_async_engine(async_url(url), isolation_level="AUTOCOMMIT")
    try:
        await asyncio.to_thread(command.upgrade, config, str(level.down_revision))
        conn = await asyncpg.connect(url)
        try:
            levels = await made_tasks(conn)
            expected = [(task, top) for task, top in levels.items() for _ in range(2)]
            await conn.execute("ALTER TABLE task_groups ADD COLUMN top_level boolean")
            async with engine.connect() as filling:
                await filling.run_sync(migration._fill)
            assert [tuple(r) for r in await conn.fetch(LEVELS)] == expected
            await asyncio.to_thread(command.upgrade, config, level.revision)
            assert [tuple(r) for r in await conn.fetch(LEVELS)] == expected
            await asyncio.to_thread(command.downgrade, config, str(level.down_revision))
            await asyncio.to_thread(command.upgrade, config, level.revision)
            assert [tuple(r) for r in await conn.fetch(LEVELS)] == expected
            column = "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'task_groups'::regclass"
            assert await conn.fetchval(f"{column} AND attname = 'top_level'") is True
        finally:
            await conn.close()
    finally:
        await engine.dispose()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()

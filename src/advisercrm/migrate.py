"""Apply Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation would choke on '%' in a password.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> tuple[str | None, str | None]:
    """Apply pending migrations; return the revision before and after. A database already
    at the head is left alone: every command and server start passes here."""
    config = alembic_config(url)
    head = ScriptDirectory.from_config(config).get_current_head()
    before = asyncio.run(current(url))
    if before != head:
        command.upgrade(config, "head")
    return before, head


async def current(url: str) -> str | None:
    """The database's revision, or None before the first migration."""
    conn = await asyncpg.connect(url)
    try:
        if await conn.fetchval("SELECT to_regclass('alembic_version')") is None:
            return None
        revision = await conn.fetchval("SELECT version_num FROM alembic_version")
    finally:
        await conn.close()
    return str(revision) if revision else None

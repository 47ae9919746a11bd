"""`advisercrm backup` and `restore` on the embedded PostgreSQL, as real processes: a
demo firm backed up from one data directory and restored into an empty one comes back
row for row, in every table."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from advisercrm.embedded import Embedded


def advisercrm(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVISERCRM_")}
    env["ADVISERCRM_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "advisercrm", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def error(result: subprocess.CompletedProcess[str]) -> str:
    """The one error line (log lines may surround it)."""
    [line] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    return line


async def contents(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows, in a stable order."""
    conn = await asyncpg.connect(url)
    try:
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        )
        return {
            t["tablename"]: [
                tuple(row)
                for row in await conn.fetch(f'SELECT * FROM "{t["tablename"]}"')  # noqa: S608
            ]
            for t in tables
        }
    finally:
        await conn.close()


def read(data_dir: Path) -> dict[str, list[tuple[object, ...]]]:
    server = Embedded(data_dir)
    try:
        return asyncio.run(contents(server.acquire()))
    finally:
        server.release()


@pytest.fixture
def dirs() -> Iterator[tuple[Path, Path]]:
    root = Path(tempfile.mkdtemp(prefix="acrm-bk-", dir="/tmp"))
    yield root / "a", root / "b"
    for data_dir in (root / "a", root / "b"):
        if data_dir.exists():
            Embedded(data_dir).stop()
    shutil.rmtree(root, ignore_errors=True)


def test_backup_then_restore_into_an_empty_data_directory(dirs: tuple[Path, Path]) -> None:
    source, target = dirs
    assert advisercrm(source, "demo").returncode == 0
    file = source.parent / "firm.dump"
    made = advisercrm(source, "backup", str(file))
    assert (made.returncode, made.stdout) == (0, ""), made.stderr
    assert file.stat().st_size > 0

    restored = advisercrm(target, "restore", str(file))
    assert (restored.returncode, restored.stdout) == (0, ""), restored.stderr
    before, after = read(source), read(target)
    assert before.keys() == after.keys()
    assert sum(len(rows) for rows in before.values()) > 300  # the demo firm's records
    for table, rows in before.items():
        assert sorted(map(repr, after[table])) == sorted(map(repr, rows)), table

    again = advisercrm(target, "restore", str(file))
    assert (again.returncode, again.stdout) == (1, "")
    assert error(again) == (
        f"error: restore failed: the database already holds {len(before)} tables; restore "
        "only into an empty one (a new data directory, or a new database in "
        "ADVISERCRM_DATABASE_URL)"
    )
    assert read(target) == after
    # Every command let go of the server: nothing is left running.
    assert Embedded(source).postmaster_pid() is None
    assert Embedded(target).postmaster_pid() is None


def test_restore_of_a_file_that_is_no_backup_changes_nothing(dirs: tuple[Path, Path]) -> None:
    _, target = dirs
    missing = advisercrm(target, "restore", str(target.parent / "nothing.dump"))
    assert missing.returncode == 1
    assert error(missing) == (
        f"error: restore failed: {target.parent / 'nothing.dump'} is not a file"
    )
    junk = target.parent / "junk.dump"
    junk.write_text("not a backup\n")
    refused = advisercrm(target, "restore", str(junk))
    assert refused.returncode == 1
    assert error(refused) == (
        "error: restore failed: pg_restore: error: input file does not appear to be a valid "
        "archive (too short?)"
    )
    assert read(target) == {}

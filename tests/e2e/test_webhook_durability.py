"""Webhooks survive a crash. The whole server (supervisor, workers and the delivery worker)
is SIGKILLed during a burst of writes with a subscription on every event, then started
again on the same data directory. Every create the client saw acknowledged has its
`task.created` delivered to the receiver, and nothing is delivered for a task that never
committed."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil
import pytest

from advisercrm.webhooks.names import EVENT_NAMES
from tests.e2e.support import Server, alive, delivers_webhooks

pytestmark = pytest.mark.e2e

CONCURRENCY = 8
KILL_AFTER_ACKS = 30
DELIVERY_SECONDS = 90  # after the restart, for the pending deliveries to arrive
SERVER_ENV = {
    "ADVISERCRM_RATE_LIMIT": "1000000",
    "ADVISERCRM_WEBHOOK_ALLOW_PRIVATE": "1",  # the receiver is on the loopback
    "ADVISERCRM_WEBHOOK_RETRY_BASE_SECONDS": "0.2",
}


class Receiver(ThreadingHTTPServer):
    """Answers 200 to every POST and keeps each body it got."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.bodies: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"

    def created_tasks(self) -> set[str]:
        with self.lock:
            return {b["data"]["uuid"] for b in self.bodies if b["event"] == "task.created"}


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with self.server.lock:
            self.server.bodies.append(json.loads(body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


@pytest.fixture
def server() -> Iterator[Server]:
    data_dir = Path(tempfile.mkdtemp(prefix="acrm-hook-", dir="/tmp"))
    instance = Server(data_dir, 2, SERVER_ENV)
    try:
        yield instance
    finally:
        instance.stop()
        if instance.passed and not (instance.pgdata / "postmaster.pid").exists():
            shutil.rmtree(data_dir, ignore_errors=True)


def _headers(demo: dict[str, Any]) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {demo['token']}",
        "Accept": "application/json",
        "X-PLANNR-ACCOUNT-UUID": demo["account_uuid"],
    }


def _task(demo: dict[str, Any], i: int) -> dict[str, Any]:
    return {
        "name": f"webhook burst task {i}",
        "taskable_type": "client",
        "taskable_uuid": demo["client_uuids"][i % len(demo["client_uuids"])],
        "task_status_uuid": demo["task_status_uuids"][0],
    }


async def _burst(server: Server, demo: dict[str, Any]) -> tuple[set[str], int]:
    """Create tasks from CONCURRENCY clients until the server is killed, which happens
    once KILL_AFTER_ACKS creates were acknowledged. The acknowledged uuids, and how many
    requests got no answer."""
    acked: set[str] = set()
    lost = 0
    killed = asyncio.Event()
    counter = iter(range(10**6))

    async def writer(client: httpx.AsyncClient) -> None:
        nonlocal lost
        while not killed.is_set():
            try:
                response = await client.post("/api/v1/task", json=_task(demo, next(counter)))
            except httpx.TransportError:
                lost += 1
                return
            assert response.status_code == 201, response.text
            acked.add(response.json()["uuid"])
            if len(acked) >= KILL_AFTER_ACKS and not killed.is_set():
                killed.set()
                assert server.process is not None
                os.killpg(server.process.pid, signal.SIGKILL)

    async with httpx.AsyncClient(base_url=server.base, headers=_headers(demo)) as client:
        await asyncio.wait_for(asyncio.gather(*(writer(client) for _ in range(CONCURRENCY))), 60)
    assert server.process is not None
    server.process.wait(timeout=10)
    return acked, lost


async def _committed(server: Server) -> set[str]:
    """The uuids of the burst's tasks that are in the database."""
    conn = await asyncpg.connect(server.database_uri())
    try:
        rows = await conn.fetch("SELECT uuid::text FROM tasks WHERE name LIKE 'webhook burst %'")
    finally:
        await conn.close()
    return {row["uuid"] for row in rows}


def test_no_acknowledged_write_loses_its_event(server: Server, receiver: Receiver) -> None:
    demo = server.start(demo=True)
    assert demo is not None
    subscribed = httpx.post(
        f"{server.base}/api/v2/webhook-subscriptions",
        headers=_headers(demo),
        json={"url": receiver.url, "events": list(EVENT_NAMES)},
    )
    assert subscribed.status_code == 201, subscribed.text

    acked, lost = asyncio.run(_burst(server, demo))
    assert len(acked) >= KILL_AFTER_ACKS

    server.start()
    # Every task that committed, acknowledged or not (a request cut off by the kill may
    # have committed), has its event delivered; nothing else is delivered.
    committed = asyncio.run(_committed(server))
    assert acked <= committed
    deadline = time.monotonic() + DELIVERY_SECONDS
    while time.monotonic() < deadline and not committed <= receiver.created_tasks():
        time.sleep(0.2)
    delivered = receiver.created_tasks()
    missing = committed - delivered
    assert not missing, f"{len(missing)} committed tasks never delivered:\n{server.log_tail()}"
    assert delivered == committed, f"delivered but never committed: {delivered - committed}"
    assert len(committed) <= len(acked) + lost
    server.passed = True


def _delivery_worker(server: Server) -> psutil.Process | None:
    assert server.process is not None
    children = psutil.Process(server.process.pid).children()
    return next((c for c in children if delivers_webhooks(c) and alive(c)), None)


def test_a_delivery_worker_that_dies_is_started_again(server: Server, receiver: Receiver) -> None:
    demo = server.start(demo=True)
    assert demo is not None
    first = _delivery_worker(server)
    assert first is not None, "serve started no delivery worker"
    first.send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        again = _delivery_worker(server)
        if again is not None and again.pid != first.pid:
            break
        time.sleep(0.1)
    else:
        raise AssertionError(f"the delivery worker was not started again:\n{server.log_tail()}")
    headers = _headers(demo)
    body = {"url": receiver.url, "events": ["task.created"]}
    subscribed = httpx.post(
        f"{server.base}/api/v2/webhook-subscriptions", headers=headers, json=body
    )
    assert subscribed.status_code == 201, subscribed.text
    made = httpx.post(f"{server.base}/api/v1/task", headers=headers, json=_task(demo, 0))
    assert made.status_code == 201, made.text
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and made.json()["uuid"] not in receiver.created_tasks():
        time.sleep(0.1)
    assert made.json()["uuid"] in receiver.created_tasks()
    # Deliveries are background work: the worker runs on CPU time nothing else wants.
    assert os.sched_getscheduler(again.pid) == os.SCHED_IDLE
    server.passed = True

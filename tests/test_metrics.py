"""GET /metrics: requests by route template, latency, 429s and pool use in Prometheus'
text format; open unless ADVISERCRM_METRICS_TOKEN is set; never rate-limited."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from advisercrm.app import create_app
from advisercrm.config import Settings
from advisercrm.observability import MULTIPROC_ENV, prepare_metrics_dir
from advisercrm.observability.metrics import _forget_dead_workers, exposition
from advisercrm.ratelimit import limiter as limiter_module
from advisercrm.ratelimit.limiter import WINDOW
from tests.helpers import Firm

TOKEN = "metrics-scrape-secret"


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample of a scrape; 0 when it is absent (never counted yet)."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return float(found.value)
    return 0.0


async def scrape(client: httpx.AsyncClient, **headers: str) -> str:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


@pytest.fixture
async def metered(database_url: str, settings: Settings) -> AsyncIterator[FastAPI]:
    """An app of its own with a token on /metrics, a rate limit of 2 and a pool of 3."""
    config = dataclasses.replace(settings, metrics_token=TOKEN, rate_limit=2, db_pool_size=3)
    app = create_app(config, database_url)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def served(metered: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=metered, client=("203.0.113.9", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def test_requests_are_counted_by_route_template(
    firm: Firm, client: httpx.AsyncClient
) -> None:
    missing = str(uuid.uuid4())
    before = await scrape(client)
    for _ in range(3):
        response = await firm.owner.get(f"/api/v2/goals/{missing}")
        assert response.status_code == 404
    assert (await client.get("/no/such/path")).status_code == 404
    assert (await client.request("FOO", "/no/such/path")).status_code == 404
    assert (await client.get("/docs/assets/favicon.png")).status_code == 200
    assert (await client.get("/docs/assets/no-such-file.js")).status_code == 404
    after = await scrape(client)

    def delta(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    goal = {"method": "GET", "route": "/api/v2/goals/{uuid}"}
    assert delta("advisercrm_http_requests_total", **goal, status="404") == 3
    assert delta("advisercrm_http_request_duration_seconds_count", **goal) == 3
    assert delta("advisercrm_http_request_duration_seconds_bucket", **goal, le="+Inf") == 3
    assert delta("advisercrm_http_request_duration_seconds_sum", **goal) > 0
    unmatched = {"route": "<unmatched>", "status": "404"}
    assert delta("advisercrm_http_requests_total", method="GET", **unmatched) == 1
    assert delta("advisercrm_http_requests_total", method="other", **unmatched) == 1
    # A mounted app is labelled by its mount point.
    assets = {"method": "GET", "route": "/docs/assets"}
    assert delta("advisercrm_http_requests_total", **assets, status="200") == 1
    assert delta("advisercrm_http_requests_total", **assets, status="404") == 1
    # Raw paths never become labels: their number would grow without bound.
    assert missing not in after and "/no/such/path" not in after
    assert "favicon" not in after


async def test_rate_limited_requests_are_counted_without_user_ids(
    firm: Firm, served: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen = (int(time.time()) // WINDOW) * WINDOW + 5  # one budget minute throughout
    monkeypatch.setattr(limiter_module, "time", SimpleNamespace(time=lambda: frozen))
    auth = {"Authorization": f"Bearer {TOKEN}"}
    before = await scrape(served, **auth)
    statuses = [
        (await served.get("/api/v1/group", headers=firm.owner.headers)).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 429, 429]
    after = await scrape(served, **auth)
    labels = {"method": "GET", "route": "/api/v1/group"}
    name = "advisercrm_rate_limited_total"
    assert sample(after, name, **labels) - sample(before, name, **labels) == 2
    total = "advisercrm_http_requests_total"
    assert sample(after, total, **labels, status="429") - sample(before, total, **labels) >= 2
    assert firm.owner.account_uuid not in after and "user:" not in after


async def test_pool_use_follows_checkouts(metered: FastAPI, served: httpx.AsyncClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    idle = await scrape(served, **auth)
    async with metered.state.engine.connect():
        busy = await scrape(served, **auth)
    again = await scrape(served, **auth)
    used = "advisercrm_db_pool_checked_out"
    assert sample(busy, used, pool="requests") - sample(idle, used, pool="requests") == 1
    assert sample(again, used, pool="requests") == sample(idle, used, pool="requests")
    # Other apps of this test process (the session's) add their own pools to the sums.
    assert sample(idle, "advisercrm_db_pool_size", pool="requests") >= 3
    assert sample(idle, "advisercrm_db_pool_size", pool="ratelimit") >= 2


async def test_pool_sizes_are_added_while_an_app_runs(
    database_url: str, settings: Settings, client: httpx.AsyncClient
) -> None:
    before = await scrape(client)
    app = create_app(dataclasses.replace(settings, db_pool_size=7), database_url)
    async with app.router.lifespan_context(app):
        running = await scrape(client)
    after = await scrape(client)
    size = "advisercrm_db_pool_size"
    assert sample(running, size, pool="requests") - sample(before, size, pool="requests") == 7
    assert sample(running, size, pool="ratelimit") - sample(before, size, pool="ratelimit") == 2
    assert sample(after, size, pool="requests") == sample(before, size, pool="requests")


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong", f"Bearer {TOKEN}x", f"Basic {TOKEN}", f"Bearer {TOKEN[:-1]}", "Bearer"],
)
async def test_metrics_token_is_required_when_set(
    served: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await served.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthenticated."}
    assert response.headers["www-authenticate"] == "Bearer"


async def test_metrics_token_opens_metrics(served: httpx.AsyncClient) -> None:
    for authorization in (f"Bearer {TOKEN}", f"bearer {TOKEN}"):
        response = await served.get("/metrics", headers={"Authorization": authorization})
        assert response.status_code == 200
        assert "advisercrm_http_requests_total" in response.text


async def test_metrics_are_open_without_a_token_setting(client: httpx.AsyncClient) -> None:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert "# TYPE advisercrm_http_requests_total counter" in response.text


async def test_metrics_are_never_rate_limited_nor_documented(served: httpx.AsyncClient) -> None:
    for _ in range(5):  # more than the rate limit of 2
        response = await served.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200
        assert "x-ratelimit-limit" not in response.headers
    schema = (await served.get("/openapi.json")).json()
    assert "/metrics" not in schema["paths"]


def test_an_operators_metrics_dir_is_emptied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "counter_123.db").write_bytes(b"last run")
    (tmp_path / "keep.txt").write_text("not ours")
    monkeypatch.setenv(MULTIPROC_ENV, str(tmp_path))
    assert prepare_metrics_dir() == tmp_path
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_without_a_metrics_dir_a_new_one_is_made(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    made = prepare_metrics_dir()
    assert os.environ[MULTIPROC_ENV] == str(made)
    assert made.is_dir() and not any(made.iterdir())


def test_dead_workers_live_gauges_are_dropped(tmp_path: Path) -> None:
    finished = subprocess.Popen(["true"])
    finished.wait()  # reaped: its pid names no process now
    dead, alive = finished.pid, os.getpid()
    names = [
        f"gauge_livesum_{dead}.db",
        f"gauge_livesum_{alive}.db",
        f"counter_{dead}.db",
        f"histogram_{dead}.db",
    ]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    _forget_dead_workers(tmp_path)
    # A dead worker's requests still count; its connections do not.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[1:])


def test_a_scrape_while_a_worker_creates_its_file_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A starting worker's file exists, empty, for a moment before it is sized; the
    library's reader fails on it, and a scrape at that moment used to answer 500."""
    monkeypatch.setenv(MULTIPROC_ENV, str(tmp_path))
    (tmp_path / "counter_4242.db").touch()
    assert exposition() == b""

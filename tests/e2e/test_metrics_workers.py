"""Metrics with several workers: `advisercrm serve --workers 2` keeps each worker's
metrics in one directory, so a scrape of either worker counts every worker's requests;
a killed worker's requests still count, its pool no longer does. Its request log lines
are JSON, as configured."""

from __future__ import annotations

import json
import os
import signal
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.e2e
TOKEN = "e2e-metrics-token"
POOL = 10  # ADVISERCRM_DB_POOL_SIZE's default, per worker
HEALTHZ = {"method": "GET", "route": "/healthz", "status": "200"}


@pytest.fixture(scope="module")
def server_env() -> dict[str, str]:
    return {"ADVISERCRM_LOG_FORMAT": "json", "ADVISERCRM_METRICS_TOKEN": TOKEN}


@pytest.fixture(scope="module")
def server_args() -> list[str]:
    return ["--workers", "2"]


def _log_lines(served: dict[str, Any]) -> list[dict[str, Any]]:
    lines = served["log"].read_text().splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


@pytest.fixture(scope="module")
def metrics_dir(served: dict[str, Any]) -> Path:
    """The directory `serve` made for the workers' metrics (it says where in its log)."""
    prefix = "workers' metrics are kept in "
    [path] = [
        m["message"][len(prefix) :] for m in _log_lines(served) if m["message"].startswith(prefix)
    ]
    return Path(path)


def _scrape(base: str) -> str:
    response = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    return response.text


def _value(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return float(found.value)
    return 0.0


def _until(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.2)


def _pool_size(base: str) -> float:
    return _value(_scrape(base), "advisercrm_db_pool_size", pool="requests")


def _healthz_by_worker(directory: Path) -> dict[int, float]:
    """/healthz's count in each worker's own file, read as the collector reads them."""
    counts: dict[int, float] = {}
    for path in directory.glob("counter_*.db"):
        try:
            values = list(MmapedDict.read_all_values_from_file(str(path)))
        except struct.error:  # a worker's file just created, not yet written
            continue
        for key, value, _, _ in values:
            _, sample, labels, _ = json.loads(key)
            if sample == "advisercrm_http_requests_total" and labels == HEALTHZ:
                counts[int(path.stem.split("_")[1])] = value
    return counts


def _live_pids(directory: Path) -> set[int]:
    return {int(p.stem.rpartition("_")[2]) for p in directory.glob("gauge_livesum_*.db")}


def test_a_scrape_counts_every_workers_requests(served: dict[str, Any], metrics_dir: Path) -> None:
    base = served["base"]
    _until(lambda: _pool_size(base) == 2 * POOL, "both workers up")
    sent = 0
    # Each request on a new connection: the kernel hands connections to either worker.
    while len(_healthz_by_worker(metrics_dir)) < 2 and sent < 400:
        for _ in range(10):
            assert httpx.get(f"{base}/healthz").status_code == 200
        sent += 10
    by_worker = _healthz_by_worker(metrics_dir)
    assert len(by_worker) == 2, f"one worker answered all {sent} requests"
    assert sum(by_worker.values()) == sent
    text = _scrape(base)
    assert _value(text, "advisercrm_http_requests_total", **HEALTHZ) == sent
    latency = "advisercrm_http_request_duration_seconds_count"
    assert _value(text, latency, method="GET", route="/healthz") == sent
    assert _value(text, "advisercrm_db_pool_size", pool="ratelimit") == 2 * 2
    access = [m for m in _log_lines(served) if m["logger"] == "advisercrm.access"]
    healthz = [m for m in access if m["route"] == "/healthz"]
    assert len(healthz) == sent
    assert {m["status"] for m in healthz} == {200}
    assert all(len(m["request_id"]) == 32 and m["duration_ms"] >= 0 for m in healthz)


def test_a_killed_workers_pool_stops_counting_its_requests_do_not(
    served: dict[str, Any], metrics_dir: Path
) -> None:
    base = served["base"]
    _until(lambda: _pool_size(base) == 2 * POOL, "both workers up")
    before = _value(_scrape(base), "advisercrm_http_requests_total", **HEALTHZ)
    workers = _live_pids(metrics_dir)
    victim = min(workers)
    os.kill(victim, signal.SIGKILL)  # Granian replaces a worker that dies
    _until(lambda: len(_live_pids(metrics_dir) - workers) == 1, "a replacement worker")
    # The replacement's pool joins the sum; the dead worker's leaves it at the next scrape.
    _until(lambda: _pool_size(base) == 2 * POOL, "the dead worker's pool dropped")
    assert victim not in _live_pids(metrics_dir)
    assert _value(_scrape(base), "advisercrm_http_requests_total", **HEALTHZ) == before

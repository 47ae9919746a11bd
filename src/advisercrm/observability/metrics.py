"""Prometheus metrics: requests, their latency, 429s and the database pools' use.

With several worker processes (PROMETHEUS_MULTIPROC_DIR set, see `prepare_metrics_dir`)
each worker writes its values to files in that directory and a scrape of any worker
adds them all up; without it (one process, as in tests) the default registry answers.
Labels hold route templates, never raw paths or anything naming a user, so their number
stays bounded."""

from __future__ import annotations

import glob
import hmac
import os
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import Pool, QueuePool
from starlette.requests import Request
from starlette.responses import Response

from advisercrm.kit.render import JSON
from advisercrm.observability import MULTIPROC_ENV

# From a fraction of a millisecond (a cached read) to the slowest list.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "advisercrm_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
DURATION = Histogram(
    "advisercrm_http_request_duration_seconds",
    "Time to answer a request, by method and route template.",
    ["method", "route"],
    buckets=BUCKETS,
)
RATE_LIMITED = Counter(
    "advisercrm_rate_limited",
    "Requests refused with 429 by the per-caller rate limit, by method and route template.",
    ["method", "route"],
)
# livesum: the sum over the worker processes alive now; a dead worker's share is dropped.
POOL_CHECKED_OUT = Gauge(
    "advisercrm_db_pool_checked_out",
    "Database connections in use, by pool (requests, ratelimit).",
    ["pool"],
    multiprocess_mode="livesum",
)
POOL_SIZE = Gauge(
    "advisercrm_db_pool_size",
    "Database connections a pool may hold, by pool (requests, ratelimit).",
    ["pool"],
    multiprocess_mode="livesum",
)
# The webhook delivery worker's (one per server, in the supervisor).
WEBHOOK_ATTEMPTS = Counter(
    "advisercrm_webhook_attempts",
    "Webhook delivery attempts, by outcome: delivered, retrying (failed, will be tried "
    "again) or failed (failed for the last time).",
    ["outcome"],
)
WEBHOOK_LAG = Histogram(
    "advisercrm_webhook_delivery_lag_seconds",
    "From an event's transaction to its delivery's 2xx answer, retries included.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 60.0, 600.0, 3600.0),
)
WEBHOOK_PENDING = Gauge(
    "advisercrm_webhook_deliveries_pending",
    "Webhook deliveries waiting for an attempt or a retry, across the database.",
    multiprocess_mode="livemax",
)

# The labelled children of each (method, route, status): made once, not per request.
_children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def observe(method: str, route: str, status: int, seconds: float) -> None:
    key = (method, route, status)
    pair = _children.get(key)
    if pair is None:
        pair = _children[key] = (
            REQUESTS.labels(method, route, str(status)),
            DURATION.labels(method, route),
        )
    pair[0].inc()
    pair[1].observe(seconds)
    if status == 429:
        RATE_LIMITED.labels(method, route).inc()


@contextmanager
def watch_pools(pools: dict[str, AsyncEngine]) -> Iterator[None]:
    """Count the pools' connections as they are checked out and in, while the app runs."""
    sizes: list[tuple[str, int]] = []
    for name, engine in pools.items():
        pool = engine.sync_engine.pool
        _count_checkouts(pool, POOL_CHECKED_OUT.labels(name))
        size = pool.size() if isinstance(pool, QueuePool) else 0
        POOL_SIZE.labels(name).inc(size)
        sizes.append((name, size))
    try:
        yield
    finally:
        for name, size in sizes:
            POOL_SIZE.labels(name).dec(size)


def _count_checkouts(pool: Pool, gauge: Gauge) -> None:
    def checkout(*_: Any) -> None:
        gauge.inc()

    def checkin(*_: Any) -> None:
        gauge.dec()

    event.listen(pool, "checkout", checkout)
    event.listen(pool, "checkin", checkin)


class _WrittenFiles(MultiProcessCollector):
    """prometheus_client's collector, minus files a starting worker has created but not
    yet sized: its reader fails on an empty file (struct.error), and /metrics with it."""

    def collect(self) -> Any:
        files = glob.glob(os.path.join(self._path, "*.db"))
        written = [f for f in files if _size(f) > 0]
        return self.merge(written, accumulate=True)  # type: ignore[no-untyped-call]


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except FileNotFoundError:
        return 0


def exposition() -> bytes:
    """Every metric in Prometheus' text format."""
    directory = os.environ.get(MULTIPROC_ENV)
    if not directory:
        return generate_latest(REGISTRY)
    _forget_dead_workers(Path(directory))
    registry = CollectorRegistry()
    _WrittenFiles(registry, path=directory)  # type: ignore[no-untyped-call]
    try:
        return generate_latest(registry)
    except FileNotFoundError:  # another scrape removed a dead worker's file mid-read
        return generate_latest(registry)


def _forget_dead_workers(directory: Path) -> None:
    """Drop the live gauges of workers that died (killed, crashed or replaced), as
    prometheus_client's mark_process_dead does: their connections are gone."""
    for path in directory.glob("gauge_live*_*.db"):
        pid = path.stem.rpartition("_")[2]
        if pid.isdigit() and not _alive(int(pid)):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def endpoint(token: str | None) -> Callable[[Request], Awaitable[Response]]:
    """GET /metrics: open, or with `token` only for `Authorization: Bearer <token>`."""
    expected = token.encode() if token else None

    async def metrics(request: Request) -> Response:
        if expected is not None:
            scheme, _, given = request.headers.get("authorization", "").partition(" ")
            # compare_digest: the time taken tells nothing about how much of it matched.
            if scheme.lower() != "bearer" or not hmac.compare_digest(
                given.strip().encode(), expected
            ):
                return JSON(
                    {"message": "Unauthenticated."},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
        return Response(exposition(), media_type=CONTENT_TYPE_LATEST)

    return metrics

"""CPU that metrics and the request log line add to one request, measured in process.

    .venv/bin/python bench/observability_overhead.py

Runs a trivial ASGI app bare and inside ObservabilityMiddleware, with the request log
off, as text and as JSON (to /dev/null), with prometheus_client in one-process and in
multiprocess mode (as `serve` runs it); and the pool gauges' cost per checkout+checkin.
Prints microseconds of CPU per request (the median of 5 rounds)."""

from __future__ import annotations

import asyncio
import logging.config
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

ROUNDS, REQUESTS = 5, 20_000


def main() -> None:
    if len(sys.argv) == 1:
        for mode in ("single", "multiprocess"):
            env = dict(os.environ)
            env.pop("PROMETHEUS_MULTIPROC_DIR", None)
            if mode == "multiprocess":
                env["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="obs-bench-")
            subprocess.run([sys.executable, __file__, mode], env=env, check=True)
        return
    asyncio.run(measure(sys.argv[1]))


class Route:
    path = "/api/v2/goals/{uuid}"


async def inner(scope: Any, receive: Any, send: Any) -> None:
    scope["route"] = Route  # what routing leaves in the scope
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


async def run(app: Any) -> float:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        pass

    start = time.process_time()
    for _ in range(REQUESTS):
        scope = {"type": "http", "method": "GET", "path": "/x", "state": {"request_id": "r"}}
        await app(scope, receive, send)
    return (time.process_time() - start) / REQUESTS * 1e6


def log_to_devnull(fmt: str | None) -> None:
    from advisercrm import logs

    config = logs.dict_config("INFO" if fmt else "WARNING", fmt or "text")
    config["handlers"]["stderr"]["stream"] = open(os.devnull, "w")  # noqa: SIM115
    logging.config.dictConfig(config)


async def measure(mode: str) -> None:
    from advisercrm.observability.metrics import POOL_CHECKED_OUT
    from advisercrm.observability.middleware import ObservabilityMiddleware

    wrapped = ObservabilityMiddleware(inner)
    bare = statistics.median([await run(inner) for _ in range(ROUNDS)])
    print(f"[{mode} registry] bare app: {bare:.1f} us/request")
    for fmt in (None, "text", "json"):
        log_to_devnull(fmt)
        added = statistics.median([await run(wrapped) for _ in range(ROUNDS)]) - bare
        print(f"  + metrics and request log ({fmt or 'log off'}): {added:.1f} us/request")
    gauge = POOL_CHECKED_OUT.labels("requests")
    start = time.process_time()
    for _ in range(REQUESTS):
        gauge.inc()
        gauge.dec()
    print(
        f"  + pool gauge checkout+checkin: {(time.process_time() - start) / REQUESTS * 1e6:.1f} us"
    )


if __name__ == "__main__":
    main()

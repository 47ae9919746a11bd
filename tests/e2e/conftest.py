"""The real server for end-to-end tests: `advisercrm serve --demo` on a fresh embedded
PostgreSQL in a data directory of its own, one per test module, with the demo JSON it
prints on stdout; the server's log (stderr) goes to `log` in that directory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.support import free_port, read_json_object


def _wait_ready(base: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("server did not become ready")


@pytest.fixture(scope="module")
def server_env() -> dict[str, str]:
    """ADVISERCRM_* variables the module's server gets on top of a clean environment;
    a module overrides this fixture to configure its server."""
    return {}


@pytest.fixture(scope="module")
def server_args() -> list[str]:
    """Extra `serve` options for the module's server (e.g. `--workers 2`); a module
    overrides this fixture to set them."""
    return []


@pytest.fixture(scope="module")
def served(server_env: dict[str, str], server_args: list[str]) -> Iterator[dict[str, Any]]:
    data_dir = Path(tempfile.mkdtemp(prefix="acrm-e2e-", dir="/tmp"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVISERCRM_")}
    env["ADVISERCRM_DATA_DIR"] = str(data_dir)
    env.update(server_env)
    port = free_port()
    log = data_dir / "server.log"
    command = [sys.executable, "-m", "advisercrm", "serve", "--demo", "--port", str(port)]
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [*command, *server_args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    try:
        assert process.stdout is not None
        demo = read_json_object(process.stdout, time.monotonic() + 120)
        base = f"http://127.0.0.1:{port}"
        _wait_ready(base, time.monotonic() + 60)
        yield {"base": base, "demo": demo, "process": process, "data_dir": data_dir, "log": log}
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

"""The real server for end-to-end tests: `advisercrm serve --demo` on a fresh embedded
PostgreSQL in a data directory of its own, one per test module, with the demo JSON it
prints on stdout; the server's log (stderr) goes to `log` in that directory."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.support import Server


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
    server = Server(data_dir, env=server_env, args=server_args)
    try:
        demo = server.start(demo=True)
        yield {
            "base": server.base,
            "demo": demo,
            "process": server.process,
            "data_dir": data_dir,
            "log": server.log,
        }
    finally:
        server.stop()
        if server.postmaster() is None:  # a server left running keeps its directory
            shutil.rmtree(data_dir, ignore_errors=True)

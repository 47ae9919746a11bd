"""End to end: `advisercrm serve` on an external PostgreSQL that is stopped
and started, then restarted with every connection severed. Over a real socket, requests
get 503 with Retry-After while it is down (never a 500), /readyz says not ready, and the
server heals by itself."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from advisercrm.embedded import _ensure_database
from tests.external_postgres import ExternalPostgres

pytestmark = pytest.mark.e2e
UNAVAILABLE = {"message": "The database is unavailable; retry shortly."}
HANG = 40  # far beyond the server's own bounds: a request still running is hanging


@pytest.fixture(scope="module")
def external() -> Iterator[ExternalPostgres]:
    server = ExternalPostgres()
    server.start()
    asyncio.run(_ensure_database(server.url(), "advisercrm"))
    yield server
    server.remove()


@pytest.fixture(scope="module")
def server_env(external: ExternalPostgres) -> dict[str, str]:
    return {
        "ADVISERCRM_DATABASE_URL": external.url("advisercrm"),
        "ADVISERCRM_RATE_LIMIT": "1000000",
    }


class Api:
    def __init__(self, served: dict[str, Any]) -> None:
        self.base = served["base"]
        demo = served["demo"]
        self.headers = {
            "Authorization": f"Bearer {demo['token']}",
            "X-PLANNR-ACCOUNT-UUID": demo["account_uuid"],
        }
        self.client_uuid = demo["client_uuids"][0]

    def read(self) -> httpx.Response:
        return httpx.get(f"{self.base}/api/v2/goals", headers=self.headers, timeout=HANG)

    def write(self) -> httpx.Response:
        body = {"account_uuids": [self.client_uuid], "name": "Outage goal"}
        url = f"{self.base}/api/v2/goals"
        return httpx.post(url, json=body, headers=self.headers, timeout=HANG)

    def ready(self) -> int:
        return httpx.get(f"{self.base}/readyz", timeout=HANG).status_code

    def heal(self) -> list[int]:
        """Poll (bounded) until reads succeed again; every status seen on the way."""
        seen = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            seen.append(self.read().status_code)
            if seen[-1] == 200:
                return seen
            time.sleep(0.1)
        raise AssertionError(f"reads never succeeded again: {seen[-5:]}")


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.json() == UNAVAILABLE
    assert response.headers["retry-after"] == "5"


def test_stopped_then_started(served: dict[str, Any], external: ExternalPostgres) -> None:
    api = Api(served)
    assert api.read().status_code == 200
    external.stop()
    assert_unavailable(api.read())
    assert_unavailable(api.write())
    assert api.ready() == 503
    external.start()
    seen = api.heal()
    assert set(seen) <= {200, 503}, seen
    # More requests than the pool has connections: none is handed one that died.
    statuses = [api.read().status_code for _ in range(20)]
    assert statuses == [200] * 20
    assert api.write().status_code == 201
    assert api.ready() == 200


def test_restarted_with_connections_severed(
    served: dict[str, Any], external: ExternalPostgres
) -> None:
    api = Api(served)
    assert [api.read().status_code for _ in range(10)] == [200] * 10
    external.restart_immediately()
    seen = api.heal()
    assert set(seen) <= {200, 503}, seen
    assert [api.read().status_code for _ in range(20)] == [200] * 20
    assert api.write().status_code == 201

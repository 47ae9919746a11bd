"""Two server processes on one database each keep the tokens they authenticated in
memory (auth.cache). A token revoked through the API, on one of them, stops working on
both within a second: the database notifies every process of the change."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.support import Server

pytestmark = pytest.mark.e2e
TOKENS = "/api/v1/personal-access-tokens"
WITHIN = 1.0  # seconds: the promise under test, not a measure of speed


ENV = {"ADVISERCRM_RATE_LIMIT": "1000000"}


@pytest.fixture(scope="module")
def server_env() -> dict[str, str]:
    return ENV


@pytest.fixture(scope="module")
def second(served: dict[str, Any]) -> Iterator[str]:
    """Another `advisercrm serve` on the first one's data directory, so on the same
    PostgreSQL; its base URL."""
    server = Server(served["data_dir"], env=ENV, args=["--no-webhooks"])
    try:
        server.start()
        yield server.base
    finally:
        server.stop()


def _headers(token: str, account: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "X-PLANNR-ACCOUNT-UUID": account}


def test_a_revoked_token_stops_working_on_every_process_within_a_second(
    served: dict[str, Any], second: str
) -> None:
    demo = served["demo"]
    owner = _headers(demo["token"], demo["account_uuid"])
    bases = [served["base"], second]
    minted = httpx.post(
        f"{bases[0]}{TOKENS}",
        json={"name": "revoked soon", "password": demo["owner_password"]},
        headers=owner,
    )
    assert minted.status_code == 201, minted.text
    token = _headers(minted.json()["token"], demo["account_uuid"])
    goal = "/api/v2/goals"
    for _ in range(3):  # each process keeps the token
        for base in bases:
            assert httpx.get(f"{base}{goal}", headers=token).status_code == 200

    revoked = httpx.delete(f"{bases[0]}{TOKENS}/{minted.json()['uuid']}", headers=owner)
    assert revoked.status_code == 204, revoked.text
    deadline = time.monotonic() + WITHIN
    seen: dict[str, list[int]] = {base: [] for base in bases}
    while time.monotonic() < deadline and any(s[-1:] != [401] for s in seen.values()):
        for base in bases:
            if seen[base][-1:] != [401]:
                seen[base].append(httpx.get(f"{base}{goal}", headers=token).status_code)
    assert all(s[-1:] == [401] for s in seen.values()), seen
    assert all(set(s) <= {200, 401} for s in seen.values()), seen
    for base in bases:  # and for good
        response = httpx.get(f"{base}{goal}", headers=token)
        assert response.status_code == 401 and response.json() == {"message": "Unauthenticated."}

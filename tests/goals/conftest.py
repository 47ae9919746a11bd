"""Fixtures of the goals tests. A firm shared by a module serves tests that only send
requests which must be rejected (each checks that nothing was created), which keeps the
long rule tables fast; everything else uses the fresh per-test `firm`."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.helpers import Firm, new_firm

# support.py holds assertions shared by the tests: show their values when they fail.
pytest.register_assert_rewrite("tests.goals.support")


@pytest.fixture(scope="module")
async def shared_firm(app: FastAPI, client: httpx.AsyncClient) -> Firm:
    return await new_firm(app, client)


@pytest.fixture(scope="module")
async def valid_body(shared_firm: Firm) -> dict[str, Any]:
    """A body that would be accepted, to break one rule at a time."""
    owner = await shared_firm.client_account()
    return {"account_uuids": [owner["uuid"]], "name": "Reduced Mileage"}

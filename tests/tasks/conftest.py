"""Fixtures of the tasks tests. A module's shared world (`world`, `rival`) serves tests
that only send requests which must be rejected, each checking that nothing changed; the
others use the fresh per-test `firm`."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.helpers import Firm, new_firm

# support.py holds assertions shared by the tests: show their values when they fail.
pytest.register_assert_rewrite("tests.tasks.support")

from tests.tasks.support import World, build_world  # noqa: E402


@pytest.fixture(scope="module")
async def world(app: FastAPI, client: httpx.AsyncClient) -> World:
    """A firm with a client, a case, a plan, the default statuses plus an archived one,
    one task and one subtask; shared by a module's tests that change nothing."""
    return await build_world(await new_firm(app, client))


@pytest.fixture(scope="module")
async def rival(app: FastAPI, client: httpx.AsyncClient) -> World:
    """Another firm with the same kinds of records, whose UUIDs firm A must not reach."""
    return await build_world(await new_firm(app, client))


@pytest.fixture
async def fresh(firm: Firm) -> World:
    """The same records in the per-test firm, for tests that change things."""
    return await build_world(firm)

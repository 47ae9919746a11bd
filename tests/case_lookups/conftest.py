"""A firm shared by this package's tests, with one login per kind of caller, and a rival
firm; tests create the records they assert on."""

from __future__ import annotations

import sys

import httpx
import pytest
from fastapi import FastAPI

if "tests.records_support" not in sys.modules:
    pytest.register_assert_rewrite("tests.records_support")

from tests.helpers import Firm, new_firm
from tests.records_support import Cast, cast


@pytest.fixture(scope="package")
async def shop(app: FastAPI, client: httpx.AsyncClient) -> Cast:
    return await cast(app, client)


@pytest.fixture(scope="package")
async def rival(app: FastAPI, client: httpx.AsyncClient) -> Firm:
    return await new_firm(app, client)

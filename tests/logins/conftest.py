"""Firms shared by this package's tests (hashing a password costs ~0.4 s, so each
package builds its callers once); tests create the records they assert on."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.accounts.support import Cast, cast
from tests.helpers import Firm, new_firm


@pytest.fixture(scope="package")
async def shop(app: FastAPI, client: httpx.AsyncClient) -> Cast:
    return await cast(app, client)


@pytest.fixture(scope="package")
async def rival(app: FastAPI, client: httpx.AsyncClient) -> Firm:
    return await new_firm(app, client)

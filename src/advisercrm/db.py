"""The database: the embedded PostgreSQL, the engine and the per-request transaction."""

from __future__ import annotations

import atexit
import logging
from collections.abc import AsyncIterator
from typing import Annotated

import orjson
from fastapi import Depends, Request
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from advisercrm.config import Settings
from advisercrm.embedded import Embedded
from advisercrm.kit.sql import autocommit

log = logging.getLogger(__name__)
# The embedded server this process holds, with its URI.
_embedded: list[tuple[Embedded, str]] = []


def database_url(settings: Settings) -> str:
    """The libpq URI the process should use: the configured one, else the embedded
    server's, which this process then holds until it exits (or `release_embedded`)."""
    if settings.database_url:
        return settings.database_url
    if not _embedded:
        server = Embedded(settings.data_dir)
        _embedded.append((server, server.acquire()))
        atexit.register(release_embedded)
    return _embedded[0][1]


def embedded_server() -> Embedded | None:
    return _embedded[0][0] if _embedded else None


def release_embedded() -> None:
    """Drop this process's hold on the embedded server (the last holder stops it)."""
    while _embedded:
        _embedded.pop()[0].release()


def async_url(url: str) -> str:
    """Turn a libpq URI into SQLAlchemy's asyncpg form."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def create_engine(url: str, pool_size: int) -> AsyncEngine:
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=0,
        pool_pre_ping=False,
        # Statement parameters carry password hashes and token digests: keep them out of
        # exception messages, and so out of logs.
        hide_parameters=True,
        # json and jsonb columns arrive decoded (the dialect's asyncpg codecs use these).
        json_deserializer=orjson.loads,
        json_serializer=lambda value: orjson.dumps(value).decode(),
        connect_args={
            "server_settings": {
                "timezone": "UTC",
                "application_name": "advisercrm",
                # The statements are prepared once per connection (kit.sql) and select by
                # firm and key: re-planning them for every execution (PostgreSQL's custom
                # plans) cost 2 to 4 times their execution (issue 4: 0.52 ms of planning
                # against 0.16 ms for the account load; the goal list 0.70 against 0.45).
                "plan_cache_mode": "force_generic_plan",
            }
        },
    )


READS = frozenset({"GET", "HEAD"})


async def transaction(request: Request) -> AsyncIterator[AsyncConnection]:
    """One transaction per request: committed before the response is sent.

    Reads change nothing, so they skip BEGIN and COMMIT: each of their statements sees
    the data committed when it starts, as in PostgreSQL's autocommit mode. The two round
    trips were 18% of a worker's CPU on `GET /api/v2/goals/{uuid}` (issue 4, S4)."""
    engine: AsyncEngine = request.app.state.engine
    if request.method in READS:
        async with engine.connect() as conn:
            autocommit(conn)
            yield conn
        return
    async with engine.begin() as conn:
        yield conn


# scope="function" makes FastAPI close the dependency (commit) before it sends the
# response, so a 2xx is only ever sent for a committed write.
Conn = Annotated[AsyncConnection, Depends(transaction, scope="function")]

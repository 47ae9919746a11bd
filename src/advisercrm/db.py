"""The database: the embedded PostgreSQL, the engine and the per-request transaction.

SQLAlchemy's engine is the connection pool; statements run on the asyncpg connection
under it (kit.sql), and the transactions are asyncpg's, begun and ended here (`connect`).

Outages: a request that meets an unreachable database gets 503 (`DatabaseUnavailable`),
never a 500 or a hang. Every wait is bounded: connecting (CONNECT_TIMEOUT), waiting for a
pooled connection (POOL_TIMEOUT) and each statement of a request (COMMAND_TIMEOUT). The
pools heal by themselves once the database is back: a pooled connection the driver knows
to be closed is replaced at checkout (no round trip), and a connection that failed a
request is dropped (`connect`)."""

from __future__ import annotations

import atexit
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, TypeVar

import asyncpg
import orjson
from fastapi import Depends, Request
from sqlalchemy import event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from advisercrm.config import Settings
from advisercrm.embedded import Embedded
from advisercrm.kit import transactions
from advisercrm.kit.errors import ApiError
from advisercrm.kit.sql import committed, driver, forget_writes, json_dumps, limit_statements

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


# Seconds. A connection attempt to a live server on a local network takes milliseconds,
# and no request's statement takes more than a fraction of a second: beyond these the
# database is down, hung or overloaded, and the client is better told so (503) than kept
# waiting. A request waits at most about POOL_TIMEOUT + CONNECT_TIMEOUT + COMMAND_TIMEOUT.
CONNECT_TIMEOUT = 3
POOL_TIMEOUT = 5
COMMAND_TIMEOUT = 5
RETRY_AFTER = "5"


class DatabaseUnavailable(ApiError):
    status = 503
    default_message = "The database is unavailable; retry shortly."

    def __init__(self) -> None:
        super().__init__(headers={"Retry-After": RETRY_AFTER})


# What asyncpg and SQLAlchemy raise when the server is down, starting, stopping, hung,
# full, or has dropped the connection: refused or timed-out connects and reads (OSError,
# TimeoutError), connection errors (class 08), AdminShutdown, CannotConnectNow and other
# operator interventions (class 57), too many connections (53300), and an exhausted pool.
# InternalClientError: a server's goodbye (FATAL 57P01) that reaches an idle connection
# leaves asyncpg's protocol in an error state before the socket's close arrives, and the
# connection's next statement fails with it ("cannot switch to state ..."); a connection
# in that state is lost, whatever put it there.
_OUTAGES: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.InternalClientError,
    exc.TimeoutError,
)


def unavailable(error: BaseException) -> bool:
    """Whether this error, or one it was raised from, means the database is unreachable."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _OUTAGES):
            return True
        if isinstance(current, exc.DBAPIError) and current.connection_invalidated:
            return True
        # asyncpg's one error for a statement on a connection it already knows is lost.
        if isinstance(current, asyncpg.InterfaceError) and "connection is closed" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _replace_if_closed(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """Pool checkout: a connection whose server went away (stopped, restarted) is already
    known closed to the driver, without a round trip; replace it and every connection
    made before it, instead of handing it out to fail."""
    if dbapi_connection.driver_connection.is_closed():
        raise exc.InvalidatePoolError()


def create_engine(url: str, pool_size: int, command_timeout: float | None = None) -> AsyncEngine:
    """An engine on `url`; serving engines bound each statement by `command_timeout`
    (scripts and data loads leave it unbounded)."""
    engine = create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=POOL_TIMEOUT,
        # A ping is a round trip on every request; dead connections are found for free
        # at checkout (_replace_if_closed) or dropped when they fail (connect).
        pool_pre_ping=False,
        # Statement parameters carry password hashes and token digests: keep them out of
        # exception messages, and so out of logs.
        hide_parameters=True,
        # json and jsonb columns arrive decoded (the dialect's asyncpg codecs use these).
        json_deserializer=orjson.loads,
        json_serializer=json_dumps,
        connect_args={
            "timeout": CONNECT_TIMEOUT,
            "command_timeout": command_timeout,
            # asyncpg prepares (and so plans once) only statements up to 15 kB by default;
            # a list that renders what it embeds for the viewer is several times that, and
            # sent unprepared it is parsed and planned on every request (about 12 ms of
            # PostgreSQL's time for a member's task page, against 3 ms to execute it).
            "max_cacheable_statement_size": 256 * 1024,
            "server_settings": {
                "timezone": "UTC",
                "application_name": "advisercrm",
                # The statements are prepared once per connection (kit.sql) and select by
                # firm and key: re-planning them for every execution (PostgreSQL's custom
                # plans) cost 2 to 4 times their execution (issue 4: 0.52 ms of planning
                # against 0.16 ms for the account load; the goal list 0.70 against 0.45).
                "plan_cache_mode": "force_generic_plan",
                # The only escape of a literal is a doubled quote (kit.transactions).
                "standard_conforming_strings": "on",
                # A statement sent alone runs READ COMMITTED whatever the database's
                # default: the numbering of events waits for the one before and then
                # reads what it moved (resource.events).
                "default_transaction_isolation": "read committed",
            },
        },
    )
    event.listen(engine.sync_engine, "checkout", _replace_if_closed)
    return engine


@contextlib.asynccontextmanager
async def connect(
    engine: AsyncEngine, begin: bool = False, snapshot: bool = False, statements: int | None = None
) -> AsyncIterator[AsyncConnection]:
    """A pooled connection for kit.sql's statements, in a transaction when asked:
    `begin`, one committed at the end (rolled back on an error), READ COMMITTED whatever
    the database's default (the row locks writes wait on assume it: under REPEATABLE
    READ concurrent writes of one record would fail); `snapshot`, one read-only
    transaction whose statements all see the same snapshot, the first one's
    (REPEATABLE READ). Without either, each statement commits by itself. `statements`
    limits how many it may send (`kit.sql.limit_statements`). Once its writes have
    committed, the process's watchers of the tables they wrote are told
    (`kit.sql.watch_writes`).

    The transaction is `kit.transactions`', on the asyncpg connection under `conn`;
    SQLAlchemy never sees it, so its `execute` must not be used here (it would begin one
    of its own).
    A connection handed back still in a transaction (its ROLLBACK never got through) is
    dropped, not pooled.

    The one place where requests meet an outage: the connection that failed is dropped
    before anything else is sent on it, and the error becomes DatabaseUnavailable."""
    try:
        async with engine.connect() as conn:
            limit_statements(conn, statements)
            forget_writes(conn)  # made on this connection outside `connect`, told to no one
            try:
                in_transaction = begin or snapshot
                if in_transaction:
                    await transactions.begin(conn, snapshot)
                try:
                    yield conn
                    if in_transaction:
                        await transactions.commit(conn)
                except Exception as error:
                    # Not on a lost connection: ROLLBACK would wait out COMMAND_TIMEOUT
                    # on a hung server; the connection is dropped below instead.
                    if not in_transaction:
                        committed(conn)  # each statement sent committed by itself
                    elif not unavailable(error):
                        await transactions.rollback(conn)
                    raise
                committed(conn)
            except Exception as error:
                if unavailable(error) and not isinstance(error, DatabaseUnavailable):
                    await _drop(conn, error)
                raise
            finally:
                limit_statements(conn, None)
                forget_writes(conn)
                # Cancelled, or its ROLLBACK failed: still in the transaction, so not
                # fit for the pool (checked from the last reply, no round trip).
                if not conn.invalidated and driver(conn).is_in_transaction():
                    await _drop(conn, RuntimeError("connection left in a transaction"))
    except Exception as error:
        if isinstance(error, DatabaseUnavailable) or not unavailable(error):
            raise
        _log_outage(error)
        raise DatabaseUnavailable() from error


async def _drop(conn: AsyncConnection, error: Exception) -> None:
    """Close the connection's socket at once (a hung server would keep SQLAlchemy's polite
    goodbye waiting 2 s) and have the pool replace it."""
    if not conn.invalidated:
        driver = (await conn.get_raw_connection()).driver_connection
        if driver is not None:
            driver.terminate()
        await conn.invalidate(error)


_next_log = 0.0


def _log_outage(error: Exception) -> None:
    """One warning per 10 s: an outage fails every request, and each would log a line."""
    global _next_log
    now = time.monotonic()
    if now >= _next_log:
        _next_log = now + 10
        name = type(error).__name__
        log.warning("database unavailable (said once per 10 s): %s: %s", name, error)


READS = frozenset({"GET", "HEAD"})
# The attribute that marks a read route answered by one statement (`one_statement`).
ONE_STATEMENT = "one_statement"
OWN_TRANSACTIONS = "own_transactions"
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def one_statement(
    when: Callable[[Request], bool] = lambda request: True,
) -> Callable[[Endpoint], Endpoint]:
    """Mark a read route whose answer is one statement after the caller's token (when
    `when` says so of the request): one statement sees one snapshot by itself, so the
    route runs without a transaction and saves its BEGIN and COMMIT. Sending a second
    statement raises (`kit.sql.limit_statements`)."""

    def mark(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, ONE_STATEMENT, when)
        return endpoint

    return mark


def own_transactions(endpoint: Endpoint) -> Endpoint:
    """Mark a read route that begins its transaction itself (`kit.transactions.snapshot`),
    after statements that must commit before its snapshot is taken: the route gets a
    connection on which each statement, the caller's token first, commits by itself."""
    setattr(endpoint, OWN_TRANSACTIONS, True)
    return endpoint


def _marked(request: Request, mark: str) -> Any:
    route = request.scope.get("route")
    return getattr(getattr(route, "endpoint", None), mark, None)


def _one_statement(request: Request) -> bool:
    when = _marked(request, ONE_STATEMENT)
    return when is not None and bool(when(request))


async def transaction(request: Request) -> AsyncIterator[AsyncConnection]:
    """One transaction per request, ended before the response is sent: a write's is
    committed; a read (GET, HEAD) sees one snapshot, so a list's total, its page and
    the records embedded in it agree even while others write. asyncpg cannot send BEGIN
    with the first statement, so the snapshot costs a read two round trips; a read
    answered by one statement (`one_statement`: a show, a list) needs none, and runs
    the caller's token and its statement each on its own."""
    read = request.method in READS
    if read and _one_statement(request):
        async with connect(request.app.state.engine, statements=2) as conn:
            yield conn
        return
    if read and _marked(request, OWN_TRANSACTIONS):
        async with connect(request.app.state.engine) as conn:
            yield conn
        return
    async with connect(request.app.state.engine, begin=not read, snapshot=read) as conn:
        yield conn


# scope="function" makes FastAPI close the dependency (commit) before it sends the
# response, so a 2xx is only ever sent for a committed write.
Conn = Annotated[AsyncConnection, Depends(transaction, scope="function")]

"""Authenticated tokens kept in memory, so that a token seen before costs no round trip.

Each process keeps what the token lookup (auth.repository.find_token) returned for a
token digest and the account it named, and answers from it only while it is LISTENing
on CHANNEL: triggers (the auth_notify migration) notify it on every change to what the lookup
reads (a token revoked, deleted or given another expiry; a login added, changed or
removed; an account's type, role or uuid changed or the account deleted; a firm's
timezone or currency), and any notification drops the whole cache: such changes are
rare, and dropping everything leaves nothing to get wrong.

Fail safe: while the listening connection is down, or before it listens, nothing is
answered from memory and nothing is kept; the cache is emptied when it is lost and the
connection is made again after a growing wait. A lookup that began before a drop (or
before listening began) is not kept (`generation`), so a row read before a revocation
can never be stored after its notification. Only successes are kept: an unknown token
costs what it did. Expiry is still checked on every request against the kept values
(auth.deps). Entries are also bounded in number (least recently used go first) and age.

The process that makes such a change does not wait for its notification: its own caches
are dropped as the change commits (`kit.sql.watch_writes`), so its next request cannot
meet a token it has just revoked. Other processes hear of it a few milliseconds later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator

import asyncpg
from asyncpg import Record

from advisercrm.kit import sql

log = logging.getLogger("advisercrm.auth")

CHANNEL = "advisercrm_auth"
Key = tuple[bytes, uuid.UUID | None]  # the token's digest, the account it names
SIZE = 4096
# Seconds a kept row is used at most: a last bound should a notification ever be missed
# (a connection gone without its socket closing is not noticed).
MAX_AGE = 60.0
# Seconds before listening again after a loss: doubling from the first to the last.
RETRY_FIRST, RETRY_LAST = 0.1, 5.0
# The tables the token lookup reads (the triggers watch the same ones).
TABLES = frozenset({"personal_access_tokens", "logins", "accounts", "firms"})
_caches: weakref.WeakSet[AuthCache] = weakref.WeakSet()


def _clear_every_cache() -> None:
    for cache in list(_caches):
        cache.clear()


sql.watch_writes(TABLES, _clear_every_cache)


class AuthCache:
    def __init__(self, size: int = SIZE, max_age: float = MAX_AGE) -> None:
        self.size = size
        self.max_age = max_age
        self._entries: OrderedDict[Key, tuple[float, Record]] = OrderedDict()
        self._listener: asyncpg.Connection | None = None
        # Bumped whenever the entries are dropped or listening (re)starts: a lookup
        # is kept only if none of these happened since it began.
        self.generation = 0
        self.last_notice = ""  # the last notification's payload (tests wait for theirs)
        _caches.add(self)

    @property
    def listening(self) -> bool:
        # The driver knows a lost socket before the termination callback runs.
        return self._listener is not None and not self._listener.is_closed()

    @property
    def listener_pid(self) -> int | None:
        """The listening connection's server process."""
        return self._listener.get_server_pid() if self._listener is not None else None

    def get(self, key: Key) -> Record | None:
        if not self.listening:
            return None
        entry = self._entries.get(key)
        if entry is None:
            return None
        if time.monotonic() - entry[0] > self.max_age:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry[1]

    def put(self, key: Key, row: Record, generation: int) -> None:
        """Keep `row`, looked up when `generation` was current, unless it is stale."""
        if not self.listening or generation != self.generation:
            return
        self._entries[key] = (time.monotonic(), row)
        self._entries.move_to_end(key)
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()
        self.generation += 1

    def __len__(self) -> int:
        return len(self._entries)

    def _notified(self, conn: object, pid: int, channel: str, payload: object) -> None:
        self.clear()
        self.last_notice = str(payload)

    async def run(self, url: str) -> None:
        """Listen until cancelled; a lost connection empties the cache and is made again
        after a growing wait."""
        failures = 0
        while True:
            started = time.monotonic()
            try:
                await self._listen(url)
            except Exception as exc:  # the database is unreachable: asked again later
                log.warning("auth cache: %r; answering from the database meanwhile", exc)
            self._stop()
            # A connection that listened for a while was healthy: its loss starts anew.
            failures = 1 if time.monotonic() - started > 10 else failures + 1
            await asyncio.sleep(min(RETRY_FIRST * 2 ** (failures - 1), RETRY_LAST))

    async def _listen(self, url: str) -> None:
        lost = asyncio.Event()
        conn = await asyncpg.connect(
            url, timeout=5, server_settings={"application_name": "advisercrm-auth"}
        )
        try:
            conn.add_termination_listener(lambda _: lost.set())
            await conn.add_listener(CHANNEL, self._notified)
            # Whatever was read before the LISTEN took effect may predate a change whose
            # notification this connection will never get.
            self.clear()
            self._listener = conn
            await lost.wait()
            log.warning("auth cache: the LISTEN connection was lost")
        finally:
            self._stop()
            conn.terminate()

    def _stop(self) -> None:
        self._listener = None
        self.clear()


@contextlib.asynccontextmanager
async def running(url: str) -> AsyncIterator[AuthCache]:
    """An AuthCache listening on the database at `url` (a libpq URI) while in use."""
    cache = AuthCache()
    task = asyncio.create_task(cache.run(url))
    try:
        yield cache
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

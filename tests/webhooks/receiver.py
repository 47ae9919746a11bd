"""A real HTTP receiver on the loopback for webhook tests, and the worker run in
process: what the receiver got, and how it answers (a status, or no answer at all)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import orjson

from advisercrm.webhooks.options import Options
from advisercrm.webhooks.worker import Worker

HANG = 0  # an answer that never comes: the worker's timeout ends the attempt


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return orjson.loads(self.body)


@dataclass
class Receiver:
    """Answers each request with the next of `answers` (200 when none is left)."""

    port: int = 0
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    active: Counter[str] = field(default_factory=Counter)
    most_at_once: int = 0  # the most requests for one webhook id open at once
    hold: float = 0.0  # seconds each answer waits, so attempts could overlap
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode().split("\r\n")[1:]
            headers = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines if x)}
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            webhook = headers.get("x-webhook-id", "")
            self.active[webhook] += 1
            self.most_at_once = max(self.most_at_once, self.active[webhook])
            try:
                self.received.append(Received(headers, body))
                self.arrived.set()
                status = self.answers.pop(0) if self.answers else 200
                await asyncio.sleep(self.hold)
                if status == HANG:
                    await reader.read()  # until the worker gives up and closes
                    return
                writer.write(
                    f"HTTP/1.1 {status} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                    .encode()
                )  # fmt: skip
                await writer.drain()
            finally:
                self.active[webhook] -= 1
        writer.close()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Receiver]:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        async with server:
            yield self

    async def wait_for(self, count: int, limit: float = 30.0) -> list[Received]:
        """The first `count` requests, once they have arrived."""
        async with asyncio.timeout(limit):
            while len(self.received) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return self.received[:count]


FAST = Options(retry_base=0.05, timeout=0.5, poll=0.2)


@contextlib.asynccontextmanager
async def worker(url: str, options: Options = FAST) -> AsyncIterator[Worker]:
    """The delivery worker running in this event loop until the block ends."""
    running = Worker(url, options)
    task = asyncio.create_task(running.run())
    try:
        yield running
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


# Every firm's committed events given their cursors, as a reader of them first does.
NUMBER_ALL = (
    "SELECT advisercrm_number_events(id, 2147483647) FROM (SELECT id FROM firms ORDER BY id) AS f"
)


async def set_aside_others(url: str) -> None:
    """Deliveries other tests left pending or not yet made (no worker ran for them, and
    their urls are not this test's) must not be attempted by this test's worker."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(NUMBER_ALL)
        await conn.execute(
            "UPDATE webhook_deliveries SET status = 'failed' WHERE status = 'pending'"
        )
        await conn.execute(
            "UPDATE webhook_subscriptions AS s SET fanned_through = c.last"
            " FROM event_counters AS c WHERE c.firm_id = s.firm_id"
        )
    finally:
        await conn.close()


async def sql(url: str, query: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetch(query, *args)
    finally:
        await conn.close()


async def until(url: str, query: str, *args: Any, limit: float = 30.0) -> list[asyncpg.Record]:
    """Poll `query` until it returns rows (a deadline only against a hang)."""
    async with asyncio.timeout(limit):
        while True:
            rows = await sql(url, query, *args)
            if rows:
                return rows
            await asyncio.sleep(0.05)

"""The webhook delivery worker: sends each pending delivery to its subscription's url,
retrying failures with exponential backoff and jitter for a day (`deliveries`).

One loop records the outcomes of the attempts that ended since it last ran (one
statement for all of them), numbers the events committed since and makes their
deliveries, then claims due deliveries (up to `concurrency` in flight) and sends each in
a task of its own. It wakes when a write records an event a subscription takes (LISTEN
on a connection of its own; the notification comes at the write's commit), when half
the attempts in flight have ended, and at least every `poll` seconds, or sooner when a
retry falls due. The worker `serve` starts skips the numbering, making and claiming
while the machine is saturated (`_yielding`). A lost database is logged and reconnected
to after a growing wait; cancelling the worker stops it, leaving any attempt it cut
short to its lease (attempted again after it expires)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import random
import time
from typing import Any

import asyncpg
import httpx
import orjson

from advisercrm.kit.render import zone
from advisercrm.observability.metrics import WEBHOOK_ATTEMPTS, WEBHOOK_LAG, WEBHOOK_PENDING
from advisercrm.webhooks import deliveries, retention, transport
from advisercrm.webhooks.deliveries import Job
from advisercrm.webhooks.http import post
from advisercrm.webhooks.load import Load
from advisercrm.webhooks.options import Options

log = logging.getLogger("advisercrm.webhooks")
MAX_RETRY_DELAY = 3600.0
YIELD_CHECK = 0.25  # seconds between looks at the machine while yielding
RESUME_BELOW = 0.25  # a wait ends when the load is this far below where it begins
# What pg_stat_activity shows for its connections (the servers' request connections: advisercrm).
APPLICATION_NAME = "advisercrm-webhooks"


def retry_delay(base: float, attempts: int) -> float:
    """Seconds before the next attempt after `attempts` failed ones: doubling from `base`
    (capped at an hour), plus up to a quarter more at random, so receivers that failed
    together are not retried together."""
    delay = min(base * 2.0 ** min(attempts - 1, 30), MAX_RETRY_DELAY)
    jitter: float = random.random()  # noqa: S311 - spreading retries, not a secret
    return delay * (1 + jitter / 4)


def request(job: Job, now: float | None = None) -> tuple[bytes, dict[str, str]]:
    """The body and headers of an attempt: the event's envelope, signed."""
    created = job.created_at.astimezone(zone(job.timezone)).replace(microsecond=0)
    body = orjson.dumps(
        {
            "id": job.event_id,
            "event": job.name,
            "created_at": created.isoformat(),
            "data": orjson.loads(job.payload),
        }
    )
    signature = hmac.new(job.secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "X-Signature": signature,
        "X-Webhook-Id": job.event_id,
        "X-Webhook-Timestamp": str(int(time.time() if now is None else now)),
    }
    return body, headers


class Worker:
    def __init__(self, url: str, options: Options | None = None) -> None:
        self.url = url
        self.options = options or Options.from_env()
        self._wake = asyncio.Event()
        self._outcomes: list[deliveries.Outcome] = []  # attempts ended, not yet recorded
        self._timeout = httpx.Timeout(self.options.timeout)
        self._load = Load()
        self._held_since: float | None = None
        self._draining = False

    async def run(self) -> None:
        """Deliver until cancelled; database errors are logged and waited out."""
        failures = 0
        while True:
            try:
                await self._serve()
            except Exception as exc:  # a lost database, mostly: wait, then reconnect
                failures += 1
                wait = min(0.5 * 2 ** min(failures, 6), 30.0)
                log.warning("webhook worker: %r; starting again in %.1f s", exc, wait)
                await asyncio.sleep(wait)
            else:
                failures = 0

    def _notified(self, *args: Any) -> None:
        self._wake.set()

    async def _serve(self) -> None:
        options = self.options
        # READ COMMITTED whatever the database's default, as the numbering needs (db).
        named = {
            "application_name": APPLICATION_NAME,
            "default_transaction_isolation": "read committed",
        }
        listener = await asyncpg.connect(self.url, timeout=5, server_settings=named)
        pool: asyncpg.Pool | None = None
        inflight: set[asyncio.Task[None]] = set()
        housekeeping: asyncio.Task[None] | None = None
        try:
            await listener.add_listener(deliveries.CHANNEL, self._notified)
            listener.add_termination_listener(self._notified)
            pool = await asyncpg.create_pool(
                self.url,
                min_size=1,
                max_size=3,
                timeout=5,
                command_timeout=10,
                server_settings=named,
            )
            housekeeping = asyncio.create_task(self._housekeeping(pool))
            async with transport.client() as client:
                while True:
                    if listener.is_closed():
                        raise ConnectionError("the LISTEN connection was lost")
                    self._wake.clear()
                    await self._record(pool)
                    if self._yielding():
                        await asyncio.sleep(YIELD_CHECK)
                        continue
                    free = options.concurrency - len(inflight)
                    wait = options.poll
                    async with pool.acquire() as conn:
                        _, more = await deliveries.fan_out(conn)
                        jobs = await deliveries.claim(conn, free, options.lease) if free else []
                        if free and len(jobs) < free:
                            due = await deliveries.next_due(conn)
                            if due is not None:
                                wait = min(wait, max(due, 0.01))
                    if more:
                        self._wake.set()
                    elif not jobs and not inflight:
                        self._draining = False  # caught up: it may wait again
                    for job in jobs:
                        inflight.add(asyncio.create_task(self._deliver(client, job)))
                    await self._sleep(inflight, wait)
        finally:
            if housekeeping is not None:
                housekeeping.cancel()
            for task in inflight:
                task.cancel()
            with contextlib.suppress(BaseException):
                await asyncio.gather(*inflight, return_exceptions=True)
            if pool is not None:
                with contextlib.suppress(Exception):  # else their leases run out: sent again
                    await self._record(pool)
                pool.terminate()
            listener.terminate()

    def _yielding(self) -> bool:
        """Whether to leave the processors to other work for now (`serve`'s worker): while
        they are saturated, for at most `yield_at_most` seconds; then it delivers until
        it has caught up, so a lasting load delays deliveries but never stops them."""
        above = self.options.yield_above
        if above is None or self._draining:
            return False
        now = time.monotonic()
        # Once waiting, it waits until the load falls well below where it began, so a
        # load that hovers near the mark does not start and stop it over and over.
        mark = above if self._held_since is None else above - RESUME_BELOW
        if self._load.busy() < mark:
            self._held_since = None
            return False
        if self._held_since is None:
            self._held_since = now
        if now - self._held_since < self.options.yield_at_most:
            return True
        log.info(
            "webhook deliveries go on after waiting %.0f s for busy processors",
            now - self._held_since,
        )
        self._held_since, self._draining = None, True
        return False

    async def _sleep(self, inflight: set[asyncio.Task[None]], wait: float) -> None:
        """Until woken, half the attempts in flight have ended, or `wait` seconds pass.
        Woken, it waits a moment more (`gather`), so that one claim takes what a burst
        of writes recorded rather than one claim per write."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        woken = asyncio.create_task(self._wake.wait())
        try:
            while True:
                left = max(0.0, deadline - loop.time())
                done, _ = await asyncio.wait(
                    {woken, *inflight}, timeout=left, return_when=asyncio.FIRST_COMPLETED
                )
                inflight.difference_update(done)
                if woken in done:
                    await asyncio.sleep(self.options.gather)
                    return
                if not done or len(inflight) <= self.options.concurrency // 2:
                    return
        finally:
            woken.cancel()

    async def _deliver(self, client: httpx.AsyncBaseTransport, job: Job) -> None:
        """Attempt the delivery; its outcome waits for the next `_record`."""
        body, headers = request(job)
        attempt = await post(client, job.url, body, headers, self._timeout)
        delay = retry_delay(self.options.retry_base, job.attempts + 1)
        self._outcomes.append(deliveries.Outcome(job, attempt, delay))
        if attempt.error is not None:
            log.info("webhook %s to %s failed: %s", job.name, job.url, attempt.error)

    async def _record(self, pool: asyncpg.Pool) -> None:
        """Record the attempts that ended since the last call (`deliveries.record`)."""
        outcomes, self._outcomes = self._outcomes, []
        if not outcomes:
            return
        try:
            async with pool.acquire() as conn:
                statuses = await deliveries.record(conn, outcomes)
        except Exception:
            self._outcomes[:0] = outcomes  # tried again with the next ones
            raise
        now = time.time()
        for outcome in outcomes:
            status = statuses.get((outcome.job.firm_id, outcome.job.id))
            if status == "delivered":
                WEBHOOK_LAG.observe(max(0.0, now - outcome.job.created_at.timestamp()))
            if status is not None:
                WEBHOOK_ATTEMPTS.labels("retrying" if status == "pending" else status).inc()

    async def _housekeeping(self, pool: asyncpg.Pool) -> None:
        """Count the pending deliveries for the gauge every few seconds, and prune old
        events every `prune_every` seconds (the first time at start)."""
        pruned_at = -self.options.prune_every
        while True:
            try:
                async with pool.acquire() as conn:
                    WEBHOOK_PENDING.set(await deliveries.pending(conn))
                    if time.monotonic() - pruned_at >= self.options.prune_every:
                        pruned_at = time.monotonic()
                        gone = await retention.prune(conn, self.options.retention_days)
                        if gone:
                            log.info(
                                "pruned %d events older than %d days",
                                gone,
                                self.options.retention_days,
                            )
            except Exception as exc:  # the main loop notices a lost database
                log.warning("webhook housekeeping: %r", exc)
            await asyncio.sleep(self.options.gauge_every)

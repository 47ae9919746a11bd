"""Rate limiting: N requests per caller per minute (docs/API.md, Conventions), held
across worker processes and servers that share the database.

Each process leases a small part of the caller's budget for the current minute from the
database and spends it locally, so a request costs a database round trip only when its
process's lease runs out (one in `lease_size` requests). Leases never overspend the
budget; at worst a caller loses the unspent leases of other processes at the end of a
minute.

When the database is unreachable, a request that needs a new lease gets 503 with
Retry-After like any other (db.connect): the request could not be served without the
database anyway, and letting it through uncounted would leave every caller unlimited for
as long as the outage lasts, just when the database most needs the budget kept. Requests
still covered by their process's lease go on, as they would have."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from advisercrm.kit.errors import ApiError
from advisercrm.ratelimit import repository

WINDOW = 60


class TooManyAttempts(ApiError):
    status = 429
    default_message = "Too Many Attempts."


@dataclass
class _Lease:
    window: int
    left: int = 0
    used: int = 0  # the window's spent budget, across processes, when last leased
    exhausted: bool = False


@dataclass(frozen=True)
class Verdict:
    limit: int
    remaining: int

    def headers(self) -> dict[str, str]:
        return {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.remaining)}


class Limiter:
    def __init__(self, engine: AsyncEngine, limit: int) -> None:
        self.engine = engine
        self.limit = limit
        self.lease_size = max(1, limit // 50)
        self._leases: dict[str, _Lease] = {}
        self._swept = 0

    async def hit(self, bucket: str) -> Verdict:
        """Count one request of the bucket, or raise 429 when its minute is spent."""
        now = time.time()
        window = int(now // WINDOW) * WINDOW
        lease = self._leases.get(bucket)
        if lease is None or lease.window != window:
            lease = self._leases[bucket] = _Lease(window)
            await self._sweep(window)
        if lease.left == 0 and not lease.exhausted:
            start = dt.datetime.fromtimestamp(window, dt.UTC)
            granted, lease.used = await repository.lease(
                self.engine, bucket, start, self.lease_size, self.limit
            )
            lease.left, lease.exhausted = granted, granted == 0
        if lease.left == 0:
            retry = str(max(1, window + WINDOW - int(now)))
            verdict = Verdict(self.limit, 0)
            raise TooManyAttempts(headers={**verdict.headers(), "Retry-After": retry})
        lease.left -= 1
        return Verdict(self.limit, max(0, self.limit - lease.used + lease.left))

    async def _sweep(self, window: int) -> None:
        """Drop finished minutes, here and (once a minute per process) in the database."""
        self._leases = {b: lease for b, lease in self._leases.items() if lease.window == window}
        if self._swept != window:
            self._swept = window
            await repository.forget_before(
                self.engine, dt.datetime.fromtimestamp(window - WINDOW, dt.UTC)
            )

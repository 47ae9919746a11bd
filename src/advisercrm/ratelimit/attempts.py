"""Failed password checks, throttled as Laravel's login throttle does: each failure
counts against every key of the attempt (e.g. the email with the address, and the
address alone) for a minute from the key's first failure; a key that has reached its
limit locks out every attempt naming it, right or wrong, until that minute ends. A
success clears the key of the user who succeeded.

Counts live in PostgreSQL (`login_attempts`), so every process and server on the
database shares them; each call takes its own connection and commits at once, so a
failure stays counted when the request that made it rolls back."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from advisercrm.ratelimit import repository

MAX_ATTEMPTS = 5
DECAY_SECONDS = 60


def key(*parts: str) -> str:
    """A throttle key: a digest, so emails and addresses are not kept in clear."""
    joined = "|".join(part.lower() for part in parts)
    return hashlib.sha256(joined.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Attempts:
    engine: AsyncEngine
    max_attempts: int = MAX_ATTEMPTS
    decay_seconds: int = DECAY_SECONDS

    async def locked_for(self, keys: list[str]) -> int:
        """Seconds until these keys may try again: 0 when none has reached the limit."""
        return await repository.locked_for(self.engine, keys, self.max_attempts)

    async def failed(self, keys: list[str]) -> None:
        await repository.count_failure(self.engine, keys, self.decay_seconds)

    async def clear(self, throttle_key: str) -> None:
        await repository.clear_attempts(self.engine, throttle_key)

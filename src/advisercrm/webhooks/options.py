"""The delivery worker's settings, read from the environment and checked before anything
starts. A module of its own, importing nothing heavy: `serve` checks them before it sets
up the workers' metrics, which must come before the first import of prometheus_client."""

from __future__ import annotations

import os
from dataclasses import dataclass

from advisercrm.config import SettingsError

DEFAULT_RETENTION_DAYS = 30
# The worker `serve` starts waits while other work keeps the processors busier than this.
SERVE_YIELD_ABOVE = 0.85


def retention_days() -> int:
    raw = os.environ.get("ADVISERCRM_EVENT_RETENTION_DAYS")
    if not raw:
        return DEFAULT_RETENTION_DAYS
    if not raw.strip().isdigit() or not 1 <= int(raw) <= 36500:
        raise SettingsError(
            f"ADVISERCRM_EVENT_RETENTION_DAYS must be a whole number of days from 1, not {raw!r}"
        )
    return int(raw)


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < 86400:
        raise SettingsError(f"{name} must be a number of seconds above 0, not {raw!r}")
    return value


@dataclass(frozen=True)
class Options:
    retry_base: float = 30.0  # the first retry's delay; each next one doubles
    timeout: float = 10.0  # an attempt without an answer by then failed
    concurrency: int = 16  # attempts in flight at once
    poll: float = 1.0
    gather: float = 0.01  # seconds to wait, once woken, for more deliveries to claim
    retention_days: int = DEFAULT_RETENTION_DAYS
    prune_every: float = 3600.0  # seconds between prunes of old events
    gauge_every: float = 5.0  # seconds between counts of the pending deliveries
    # While the processors are busier than this with other work, the worker waits
    # (`worker.Worker._yielding`), for at most `yield_at_most` seconds at a time; None,
    # it never waits. `serve`'s worker: SERVE_YIELD_ABOVE.
    yield_above: float | None = None
    yield_at_most: float = 30.0

    @property
    def lease(self) -> float:
        """How long a claim holds a delivery: well past an attempt's timeout."""
        return max(60.0, self.timeout * 2 + 10)

    @classmethod
    def from_env(cls) -> Options:
        return cls(
            retry_base=_seconds("ADVISERCRM_WEBHOOK_RETRY_BASE_SECONDS", 30.0),
            timeout=_seconds("ADVISERCRM_WEBHOOK_TIMEOUT_SECONDS", 10.0),
            retention_days=retention_days(),
        )

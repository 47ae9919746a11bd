"""How busy this machine's processors are with work other than this process, for the
worker `serve` starts beside its request workers: it leaves the processors to the
requests while they are saturated (`worker.Worker`).

Idle scheduling priority alone did not do that: measured on two cores, a worker
delivering at idle priority, its PostgreSQL sessions at idle priority too, still cut a
burst of task creates by about a quarter, while without a worker the same burst lost
nothing, so the worker has to hold off itself.

Linux only (`/proc`); elsewhere the machine always reads as idle and nothing waits. It
reads the whole machine's processors: in a container held to a share of them by a CPU
quota the worker waits later than it should (or never), and time the hypervisor gave
elsewhere (steal) counts as busy."""

from __future__ import annotations

import os
import time

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
MIN_INTERVAL = 0.1  # seconds: a shorter span is too few clock ticks to measure


def _machine() -> tuple[int, int] | None:
    """All processors' busy and total clock ticks since boot."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    user, nice, system, idle, iowait, irq, softirq, steal = fields
    busy = user + nice + system + irq + softirq + steal
    return busy, busy + idle + iowait


def _own() -> int:
    """This process's clock ticks (all its threads) since it started."""
    times = os.times()
    return round((times.user + times.system) * _TICK)


class Load:
    def __init__(self) -> None:
        self._at = time.monotonic()
        self._then = _machine()
        self._own = _own()
        self._busy = 0.0

    def busy(self) -> float:
        """The share (0 to 1) of all processors that work besides this process's took
        since the last reading at least `MIN_INTERVAL` ago (that reading's, if sooner)."""
        now = time.monotonic()
        if now - self._at < MIN_INTERVAL:
            return self._busy
        machine, own = _machine(), _own()
        if machine is not None and self._then is not None:
            busy = machine[0] - self._then[0] - (own - self._own)
            total = machine[1] - self._then[1]
            self._busy = max(0.0, busy / total) if total > 0 else 0.0
        self._at, self._then, self._own = now, machine, own
        return self._busy

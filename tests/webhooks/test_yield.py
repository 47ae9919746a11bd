"""`serve`'s worker leaves the processors to the requests while other work saturates
them (from above 85% busy until below 60%), for at most `yield_at_most` seconds, then
delivers until it has caught up; and the machine's load it goes by leaves out the
worker's own work."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import subprocess
import sys
import threading
import time

import pytest

from advisercrm.webhooks import load as load_module
from advisercrm.webhooks.load import Load
from advisercrm.webhooks.options import SERVE_YIELD_ABOVE
from advisercrm.webhooks.worker import Worker
from tests.helpers import Firm
from tests.webhooks.receiver import FAST, Receiver, set_aside_others, worker

SUBSCRIPTIONS = "/api/v2/webhook-subscriptions"
linux = pytest.mark.skipif(sys.platform != "linux", reason="the load is read from /proc")


@pytest.fixture(autouse=True)
def private_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISERCRM_WEBHOOK_ALLOW_PRIVATE", "1")


class Fixed:
    def __init__(self, busy: float) -> None:
        self.value = busy

    def busy(self) -> float:
        return self.value


def _worker(busy: float, at_most: float) -> Worker:
    options = dataclasses.replace(FAST, yield_above=SERVE_YIELD_ABOVE, yield_at_most=at_most)
    running = Worker("postgresql://unused", options)
    running._load = Fixed(busy)  # type: ignore[assignment]
    return running


def test_it_yields_only_while_the_machine_is_saturated() -> None:
    assert not Worker("postgresql://unused", FAST)._yielding()  # a worker of its own
    assert not _worker(0.5, 60)._yielding()
    busy = _worker(0.9, 60)
    assert busy._yielding() and busy._yielding()
    busy._load.value = 0.7  # type: ignore[attr-defined]
    assert busy._yielding()  # below where the wait began, not far enough below to end it
    busy._load.value = 0.55  # type: ignore[attr-defined]
    assert not busy._yielding()
    assert not busy._yielding()  # and not waiting, 0.7 does not start a wait
    busy._load.value = 0.7  # type: ignore[attr-defined]
    assert not busy._yielding()


def test_after_yielding_its_longest_it_delivers_until_caught_up() -> None:
    busy = _worker(0.9, 0.05)
    assert busy._yielding()
    time.sleep(0.06)
    assert not busy._yielding()
    assert not busy._yielding()  # still saturated, but catching up first
    busy._draining = False  # what finding nothing to make, claim or wait for does
    assert busy._yielding()


@linux
def test_the_load_counts_other_processes_and_not_this_one() -> None:
    one_core = 1 / (os.cpu_count() or 1)
    load = Load()
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.6)
        assert load.busy() >= one_core / 2  # most of a core, on a machine busy or not
    finally:
        spinner.kill()
        spinner.wait()
    time.sleep(0.2)
    load.busy()
    before, own_before = load_module._machine(), load_module._own()
    deadline = time.monotonic() + 0.6

    def spin() -> None:
        while time.monotonic() < deadline:
            pass

    spinning = threading.Thread(target=spin)
    spinning.start()
    spinning.join()
    after, own_after = load_module._machine(), load_module._own()
    assert before is not None and after is not None
    total = after[1] - before[1]
    everything = (after[0] - before[0]) / total
    own = (own_after - own_before) / total
    assert own >= one_core / 4  # the thread did spin
    # Its own share is what is left out, whatever else the machine does meanwhile.
    assert abs(everything - load.busy() - own) < 0.05


async def test_a_saturated_machine_delays_deliveries_for_at_most_the_limit(
    database_url: str, firm: Firm
) -> None:
    await set_aside_others(database_url)
    always = dataclasses.replace(FAST, yield_above=0.0)  # any load counts as saturated
    async with Receiver().running() as receiver:
        await firm.owner.created(
            SUBSCRIPTIONS, {"url": receiver.url, "events": ["account.created"]}
        )
        await firm.client_account()
        async with worker(database_url, dataclasses.replace(always, yield_at_most=60)):
            await asyncio.sleep(1.0)
        assert receiver.received == []  # held back the whole time
        async with worker(database_url, dataclasses.replace(always, yield_at_most=0.3)):
            await receiver.wait_for(1, limit=10)

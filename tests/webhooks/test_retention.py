"""Retention: events older than the configured days go with their deliveries, batch by
batch, except those a pending delivery still needs; the firm remembers the highest cursor
pruned. And the worker's metrics count what it did."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import asyncpg
import pytest
from prometheus_client import REGISTRY

from advisercrm.config import SettingsError
from advisercrm.webhooks import options, retention
from tests.helpers import Firm
from tests.webhooks.receiver import (
    FAST,
    NUMBER_ALL,
    Receiver,
    set_aside_others,
    sql,
    until,
    worker,
)

SUBSCRIPTIONS = "/api/v2/webhook-subscriptions"


@pytest.fixture(autouse=True)
def private_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISERCRM_WEBHOOK_ALLOW_PRIVATE", "1")


async def _cursors(url: str, firm_id: int) -> list[int]:
    await sql(url, NUMBER_ALL)
    rows = await sql(url, "SELECT cursor FROM events WHERE firm_id = $1 ORDER BY 1", firm_id)
    return [row["cursor"] for row in rows]


async def _age(url: str, firm_id: int, cursors: list[int], days: int) -> None:
    await sql(
        url,
        "UPDATE events SET created_at = now() - make_interval(days => $3)"
        " WHERE firm_id = $1 AND cursor = ANY($2)",
        firm_id,
        cursors,
        days,
    )


async def test_old_events_go_in_batches_unless_a_pending_delivery_needs_them(
    database_url: str, firm: Firm
) -> None:
    await set_aside_others(database_url)
    start = len(await _cursors(database_url, firm.firm_id))
    for _ in range(5):
        await firm.client_account()  # no subscription yet: no delivery
    async with Receiver().running() as receiver:
        await firm.owner.created(
            SUBSCRIPTIONS, {"url": receiver.url, "events": ["account.created"]}
        )
        await firm.client_account()  # a delivery, left pending (no worker runs)
    await firm.client_account()  # recent, with its pending delivery
    cursors = (await _cursors(database_url, firm.firm_id))[start:]
    assert len(cursors) == 7
    old, needed, recent = cursors[:5], cursors[5], cursors[6]
    await _age(database_url, firm.firm_id, [*old, needed], 31)
    conn = await asyncpg.connect(database_url)
    try:
        gone = await retention.prune(conn, 30, batch=2)
        assert await retention.prune(conn, 30) == 0  # nothing more to do
    finally:
        await conn.close()
    assert gone >= len(old)  # and any old events other tests left
    left = set(await _cursors(database_url, firm.firm_id))
    assert not set(old) & left
    assert {needed, recent} <= left
    pruned = await sql(
        database_url, "SELECT pruned_through FROM event_counters WHERE firm_id = $1", firm.firm_id
    )
    assert pruned[0]["pruned_through"] == max(old)


async def test_nothing_recent_is_pruned(database_url: str, firm: Firm) -> None:
    await firm.client_account()
    before = await _cursors(database_url, firm.firm_id)
    conn = await asyncpg.connect(database_url)
    try:
        await retention.prune(conn, 30)
    finally:
        await conn.close()
    assert set(before) <= set(await _cursors(database_url, firm.firm_id))


@pytest.mark.parametrize("raw", ["0", "-1", "thirty", "1.5", "36501"])
def test_a_bad_retention_is_refused(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("ADVISERCRM_EVENT_RETENTION_DAYS", raw)
    with pytest.raises(SettingsError) as caught:
        options.retention_days()
    assert str(caught.value) == (
        f"ADVISERCRM_EVENT_RETENTION_DAYS must be a whole number of days from 1, not {raw!r}"
    )


def _sample(name: str, labels: dict[str, str] | None = None) -> float:
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0


async def test_the_worker_counts_attempts_lag_and_pending(database_url: str, firm: Firm) -> None:
    await set_aside_others(database_url)
    delivered = _sample("advisercrm_webhook_attempts_total", {"outcome": "delivered"})
    retrying = _sample("advisercrm_webhook_attempts_total", {"outcome": "retrying"})
    lags = _sample("advisercrm_webhook_delivery_lag_seconds_count")
    async with Receiver(answers=[500]).running() as receiver:
        made = await firm.owner.created(
            SUBSCRIPTIONS, {"url": receiver.url, "events": ["account.created"]}
        )
        await firm.client_account()
        async with worker(database_url, replace(FAST, gauge_every=0.05)):
            await until(
                database_url,
                "SELECT 1 FROM webhook_deliveries d JOIN webhook_subscriptions s"
                " ON s.firm_id = d.firm_id AND s.id = d.subscription_id"
                " WHERE s.uuid = $1 AND d.status = 'delivered'",
                made["uuid"],
            )
            for _ in range(500):  # the gauge is counted every 0.05 s
                if _sample("advisercrm_webhook_deliveries_pending") == 0:
                    break
                await asyncio.sleep(0.02)
    assert _sample("advisercrm_webhook_attempts_total", {"outcome": "delivered"}) == delivered + 1
    assert _sample("advisercrm_webhook_attempts_total", {"outcome": "retrying"}) == retrying + 1
    assert _sample("advisercrm_webhook_delivery_lag_seconds_count") == lags + 1

"""Webhook delivery end to end: a write records its event; the worker (run in process, on
the test database) makes its subscriptions' deliveries and posts each to a real HTTP
receiver on the loopback, signed, retried until it is answered with
a 2xx, in each record's order, and never twice at once."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from advisercrm.webhooks.names import EVENT_NAMES
from tests.helpers import Firm
from tests.webhooks.receiver import (
    HANG,
    Receiver,
    set_aside_others,
    sql,
    until,
    worker,
)
from tests.webhooks.support import make_deliveries, recorded

SUBSCRIPTIONS = "/api/v2/webhook-subscriptions"


@pytest.fixture(autouse=True)
def private_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISERCRM_WEBHOOK_ALLOW_PRIVATE", "1")


async def subscribe(firm: Firm, receiver: Receiver, events: list[str]) -> dict[str, Any]:
    return await firm.owner.created(SUBSCRIPTIONS, {"url": receiver.url, "events": events})


async def _every_event(firm: Firm) -> None:
    """Each event name, once: an account, circle, case, plan, task and goal are made,
    changed and deleted, and the task completed."""
    owner = firm.owner
    client = await firm.client_account()
    other = await firm.client_account()
    account = f"/api/v1/client/{client['uuid']}"
    assert (await owner.put(account, json={"first_name": "Al"})).status_code == 200
    circle = await firm.circle([other["uuid"]])
    goal = await firm.goal([other["uuid"]])
    case = await owner.created("/api/v1/cases", {"name": "P", "participants": [other["uuid"]]})
    plan = await owner.created(
        "/api/v1/plans", {"name": "ISA", "type": "pension", "accounts": [other["uuid"]]}
    )
    statuses = (await owner.get("/api/v1/task-status")).json()["data"]
    task = await owner.created(
        "/api/v1/task",
        {
            "name": "Call",
            "taskable_type": "client",
            "taskable_uuid": other["uuid"],
            "task_status_uuid": statuses[0]["uuid"],
        },
    )
    for path in (
        f"/api/v1/circles/{circle['uuid']}",
        f"/api/v2/goals/{goal['uuid']}",
        f"/api/v1/cases/{case['uuid']}",
        f"/api/v1/plans/{plan['uuid']}",
        f"/api/v1/task/{task['uuid']}",
    ):
        response = await owner.put(path, json={"name": "Renamed"})
        assert response.status_code == 200, (path, response.text)
    assert (
        await owner.request("PATCH", f"/api/v1/task/{task['uuid']}/complete")
    ).status_code == 200
    for path in (
        f"/api/v1/circles/{circle['uuid']}",
        f"/api/v2/goals/{goal['uuid']}",
        f"/api/v1/cases/{case['uuid']}",
        f"/api/v1/plans/{plan['uuid']}",
        f"/api/v1/task/{task['uuid']}",
        account,
    ):
        assert (await owner.delete(path)).status_code == 204, path


async def test_every_event_is_delivered_signed_in_its_envelope(
    app: Any, database_url: str, firm: Firm
) -> None:
    await set_aside_others(database_url)
    async with Receiver().running() as receiver:
        made = await subscribe(firm, receiver, list(EVENT_NAMES))
        before = len(await recorded(app, firm.firm_id))
        await _every_event(firm)
        events = [e for e in (await recorded(app, firm.firm_id))[before:]]
        assert {e["name"] for e in events} == set(EVENT_NAMES)
        async with worker(database_url):
            got = await receiver.wait_for(len(events))
            await until(
                database_url,
                "SELECT 1 FROM webhook_subscriptions WHERE uuid = $1"
                " AND last_outgoing_webhook_call_at IS NOT NULL",
                made["uuid"],
            )
    rows = await sql(
        database_url,
        "SELECT e.uuid, e.cursor, e.created_at, f.timezone FROM events e"
        " JOIN firms f ON f.id = e.firm_id WHERE e.firm_id = $1 AND e.cursor > $2",
        firm.firm_id,
        events[0]["cursor"] - 1,
    )
    ids = {row["cursor"]: str(row["uuid"]) for row in rows}
    by_id = {item.headers["x-webhook-id"]: item for item in got}
    assert set(by_id) == set(ids.values())  # each event once
    for event in events:
        item = by_id[ids[event["cursor"]]]
        envelope = item.json
        assert list(envelope) == ["id", "event", "created_at", "data"]
        assert envelope["id"] == ids[event["cursor"]]
        assert envelope["event"] == event["name"]
        assert envelope["data"] == event["payload"]
        assert item.headers["content-type"] == "application/json"
        expected = hmac.new(made["signing_secret"].encode(), item.body, hashlib.sha256)
        assert item.headers["x-signature"] == expected.hexdigest()
        assert item.headers["x-webhook-timestamp"].isdigit()
    shown = await firm.owner.get(f"{SUBSCRIPTIONS}/{made['uuid']}")
    assert shown.json()["last_outgoing_webhook_call_at"] is not None
    statuses = await sql(
        database_url,
        "SELECT status, attempts, status_code FROM webhook_deliveries d"
        " JOIN webhook_subscriptions s ON s.firm_id = d.firm_id AND s.id = d.subscription_id"
        " WHERE s.uuid = $1",
        made["uuid"],
    )
    assert {tuple(row) for row in statuses} == {("delivered", 1, 200)}
    assert len(statuses) == len(events)


async def test_a_subscription_gets_only_the_events_it_takes(
    app: Any, database_url: str, firm: Firm
) -> None:
    async with Receiver().running() as receiver:
        made = await subscribe(firm, receiver, ["account.updated"])
        client = await firm.client_account()
        await firm.owner.put(f"/api/v1/client/{client['uuid']}", json={"first_name": "Al"})
    await make_deliveries(app)
    rows = await sql(
        database_url,
        "SELECT e.name FROM webhook_deliveries d JOIN events e"
        " ON e.firm_id = d.firm_id AND e.cursor = d.event_cursor"
        " JOIN webhook_subscriptions s ON s.firm_id = d.firm_id AND s.id = d.subscription_id"
        " WHERE s.uuid = $1",
        made["uuid"],
    )
    assert [row["name"] for row in rows] == ["account.updated"]


async def test_a_records_events_arrive_in_order_after_a_failure(
    database_url: str, firm: Firm
) -> None:
    """The first event fails twice; the later events of its record wait for it."""
    await set_aside_others(database_url)
    async with Receiver(answers=[500, 500]).running() as receiver:
        await subscribe(firm, receiver, ["goal.created", "goal.updated", "goal.deleted"])
        client = await firm.client_account()
        goal = await firm.goal([client["uuid"]])
        path = f"/api/v2/goals/{goal['uuid']}"
        for name in ("One", "Two", "Three"):
            assert (await firm.owner.put(path, json={"name": name})).status_code == 200
        assert (await firm.owner.delete(path)).status_code == 204
        async with worker(database_url):
            got = await receiver.wait_for(7)
    sequence = [(item.json["event"], (item.json["data"] or {}).get("name")) for item in got]
    assert sequence == [
        ("goal.created", goal["name"]),
        ("goal.created", goal["name"]),
        ("goal.created", goal["name"]),
        ("goal.updated", "One"),
        ("goal.updated", "Two"),
        ("goal.updated", "Three"),
        ("goal.deleted", None),
    ]
    # A retry is the same webhook: the same id and body, signed again.
    assert got[0].headers["x-webhook-id"] == got[2].headers["x-webhook-id"]
    assert got[0].body == got[2].body
    assert got[0].headers["x-signature"] == got[2].headers["x-signature"]


async def test_a_timeout_is_retried_then_recorded_with_its_error(
    database_url: str, firm: Firm
) -> None:
    await set_aside_others(database_url)
    async with Receiver(answers=[HANG, 503]).running() as receiver:
        made = await subscribe(firm, receiver, ["account.created"])
        await firm.client_account()
        async with worker(database_url):
            got = await receiver.wait_for(3)
            rows = await until(
                database_url,
                "SELECT d.status, d.attempts, d.status_code, d.error, d.delivered_at"
                " FROM webhook_deliveries d JOIN webhook_subscriptions s"
                " ON s.firm_id = d.firm_id AND s.id = d.subscription_id"
                " WHERE s.uuid = $1 AND d.status = 'delivered'",
                made["uuid"],
            )
    assert len({item.headers["x-webhook-id"] for item in got}) == 1
    assert [tuple(row)[:3] for row in rows] == [("delivered", 3, 200)]
    assert rows[0]["error"] is None and rows[0]["delivered_at"] is not None


async def test_a_failure_is_recorded_and_after_a_day_the_delivery_fails(
    database_url: str, firm: Firm
) -> None:
    await set_aside_others(database_url)
    async with Receiver(answers=[500] * 3).running() as receiver:
        made = await subscribe(firm, receiver, ["account.created"])
        await firm.client_account()
        await make_deliveries(firm.app)
        query = (
            "SELECT d.status, d.attempts, d.status_code, d.error, d.next_attempt_at > now()"
            " AS later FROM webhook_deliveries d JOIN webhook_subscriptions s"
            " ON s.firm_id = d.firm_id AND s.id = d.subscription_id WHERE s.uuid = $1"
        )
        # A day old: the attempt that fails now is the last.
        await sql(
            database_url,
            "UPDATE webhook_deliveries d SET created_at = now() - interval '25 hours'"
            " FROM webhook_subscriptions s WHERE s.firm_id = d.firm_id"
            " AND s.id = d.subscription_id AND s.uuid = $1",
            made["uuid"],
        )
        async with worker(database_url):
            rows = await until(database_url, query + " AND d.status = 'failed'", made["uuid"])
        assert len(receiver.received) == 1
    assert [tuple(row)[:4] for row in rows] == [("failed", 1, 500, "HTTP 500")]


async def test_a_refused_connection_is_retried_later(database_url: str, firm: Firm) -> None:
    await set_aside_others(database_url)
    async with Receiver().running() as gone:
        url = gone.url  # nothing listens there once the block ends
    made = await firm.owner.created(SUBSCRIPTIONS, {"url": url, "events": ["account.created"]})
    await firm.client_account()
    async with worker(database_url):
        rows = await until(
            database_url,
            "SELECT d.status, d.attempts, d.status_code, d.error FROM webhook_deliveries d"
            " JOIN webhook_subscriptions s ON s.firm_id = d.firm_id AND s.id = d.subscription_id"
            " WHERE s.uuid = $1 AND d.attempts >= 1",
            made["uuid"],
        )
    status, _, code, error = rows[0]
    assert (status, code) == ("pending", None)
    assert error.startswith("refused: ")
    await set_aside_others(database_url)


async def test_a_subscription_deleted_mid_retry_stops_receiving(
    database_url: str, firm: Firm
) -> None:
    await set_aside_others(database_url)
    async with Receiver(answers=[500] * 1000).running() as receiver:
        made = await subscribe(firm, receiver, ["account.created"])
        await firm.client_account()
        async with worker(database_url):
            await receiver.wait_for(2)
            deleted = await firm.owner.delete(f"{SUBSCRIPTIONS}/{made['uuid']}")
            assert deleted.status_code == 204
            count = len(receiver.received)
            # The worker goes on: a later subscription's delivery arrives after.
            later = await subscribe(firm, receiver, ["account.created"])
            receiver.answers.clear()
            await firm.client_account()
            await until(
                database_url,
                "SELECT 1 FROM webhook_subscriptions WHERE uuid = $1"
                " AND last_outgoing_webhook_call_at IS NOT NULL",
                later["uuid"],
            )
    rows = await sql(
        database_url,
        "SELECT count(*) FROM webhook_deliveries d JOIN webhook_subscriptions s"
        " ON s.firm_id = d.firm_id AND s.id = d.subscription_id WHERE s.uuid = $1",
        made["uuid"],
    )
    assert rows[0][0] == 0
    # At most the attempt already under way when it was deleted reached the receiver.
    assert len(receiver.received) <= count + 2
    stale = [r for r in receiver.received[count:] if json.loads(r.body)["id"] ==
             receiver.received[0].json["id"]]  # fmt: skip
    assert len(stale) <= 1


async def test_two_workers_never_attempt_one_delivery_at_once(
    database_url: str, firm: Firm
) -> None:
    await set_aside_others(database_url)
    async with Receiver(hold=0.05, answers=[500, 500] * 10).running() as receiver:
        await subscribe(firm, receiver, ["account.created"])
        for _ in range(10):
            await firm.client_account()
        async with worker(database_url), worker(database_url):
            await receiver.wait_for(30)
    assert receiver.most_at_once == 1
    ids = {item.headers["x-webhook-id"] for item in receiver.received}
    assert len(ids) == 10


async def test_a_target_no_longer_allowed_is_refused_at_delivery(
    database_url: str, firm: Firm, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where a delivery may go is checked again at each attempt: here the server stopped
    allowing private targets after the subscription was made."""
    await set_aside_others(database_url)
    async with Receiver().running() as receiver:
        made = await subscribe(firm, receiver, ["account.created"])
        monkeypatch.delenv("ADVISERCRM_WEBHOOK_ALLOW_PRIVATE")
        await firm.client_account()
        async with worker(database_url):
            rows = await until(
                database_url,
                "SELECT d.status, d.status_code, d.error FROM webhook_deliveries d"
                " JOIN webhook_subscriptions s ON s.firm_id = d.firm_id"
                " AND s.id = d.subscription_id WHERE s.uuid = $1 AND d.attempts >= 1",
                made["uuid"],
            )
        assert receiver.received == []
    refused = "refused: host resolves to a non-public address 127.0.0.1"
    assert tuple(rows[0]) == ("pending", None, refused)
    await set_aside_others(database_url)

"""A subscription's deliveries at /api/v2/webhook-subscriptions/{uuid}/deliveries, and
sending one again: owners and admins only; unknown, malformed and other firms' uuids
are not found."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from advisercrm.webhooks.worker import Options
from tests.helpers import Firm
from tests.webhooks.receiver import Receiver, set_aside_others, until, worker
from tests.webhooks.support import make_deliveries

SUBSCRIPTIONS = "/api/v2/webhook-subscriptions"
FORBIDDEN = {"message": "This action is unauthorized."}
NOT_FOUND = {"message": "Not found."}
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
# One attempt, then a retry an hour later: the delivery stays pending for the test.
ONCE = Options(retry_base=3600, timeout=0.5, poll=0.2)


@pytest.fixture(autouse=True)
def private_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISERCRM_WEBHOOK_ALLOW_PRIVATE", "1")


async def _failed_once(database_url: str, firm: Firm, receiver: Receiver) -> dict[str, Any]:
    """A subscription whose one delivery was answered 500 once, and waits to be retried."""
    made = await firm.owner.created(
        SUBSCRIPTIONS, {"url": receiver.url, "events": ["account.created"]}
    )
    await firm.client_account()
    async with worker(database_url, ONCE):
        await until(
            database_url,
            "SELECT 1 FROM webhook_deliveries d JOIN webhook_subscriptions s"
            " ON s.firm_id = d.firm_id AND s.id = d.subscription_id"
            " WHERE s.uuid = $1 AND d.attempts = 1",
            made["uuid"],
        )
    return made


async def test_the_list_shows_each_delivery_and_redeliver_sends_it_again(
    database_url: str, firm: Firm
) -> None:
    await set_aside_others(database_url)
    async with Receiver(answers=[500]).running() as receiver:
        made = await _failed_once(database_url, firm, receiver)
        path = f"{SUBSCRIPTIONS}/{made['uuid']}/deliveries"
        listed = await firm.owner.get(path)
        assert listed.status_code == 200, listed.text
        page = listed.json()
        assert page["meta"]["total"] == 1 and page["meta"]["per_page"] == 15
        [item] = page["data"]
        sent = receiver.received[0].json
        assert set(item) == {
            "uuid", "event", "event_id", "status", "status_code", "error", "duration_ms",
            "attempts", "next_attempt_at", "created_at", "delivered_at",
        }  # fmt: skip
        assert (item["event"], item["event_id"]) == ("account.created", sent["id"])
        assert (item["status"], item["status_code"], item["error"]) == ("pending", 500, "HTTP 500")
        assert item["attempts"] == 1 and isinstance(item["duration_ms"], int)
        assert STAMP.match(item["next_attempt_at"]) and STAMP.match(item["created_at"])
        assert item["delivered_at"] is None

        again = await firm.owner.post(f"{path}/{item['uuid']}/redeliver", {})
        assert again.status_code == 202, again.text
        assert again.json() == {**item, "next_attempt_at": again.json()["next_attempt_at"]}
        assert again.json()["next_attempt_at"] <= item["next_attempt_at"]
        async with worker(database_url, ONCE):
            await receiver.wait_for(2)
            await until(
                database_url,
                "SELECT 1 FROM webhook_deliveries WHERE uuid = $1 AND status = 'delivered'",
                uuid.UUID(item["uuid"]),
            )
        assert receiver.received[1].json == sent  # the same webhook, sent again
        [done] = (await firm.owner.get(path)).json()["data"]
        assert (done["status"], done["status_code"], done["error"]) == ("delivered", 200, None)
        assert done["attempts"] == 2 and done["next_attempt_at"] is None
        assert STAMP.match(done["delivered_at"])

        # A delivered one may be sent again too.
        again = await firm.owner.post(f"{path}/{item['uuid']}/redeliver", {})
        assert (again.status_code, again.json()["status"]) == (202, "pending")
    await set_aside_others(database_url)


async def test_unknown_and_other_firms_uuids_are_not_found(
    database_url: str, firm: Firm, other_firm: Firm
) -> None:
    made = await firm.owner.created(
        SUBSCRIPTIONS, {"url": "http://127.0.0.1:9/h", "events": ["account.created"]}
    )
    other = await firm.owner.created(
        SUBSCRIPTIONS, {"url": "http://127.0.0.1:9/h", "events": ["account.created"]}
    )
    await firm.client_account()
    await make_deliveries(firm.app)
    [item] = (await firm.owner.get(f"{SUBSCRIPTIONS}/{made['uuid']}/deliveries")).json()["data"]
    await set_aside_others(database_url)
    unknown = str(uuid.uuid4())
    for method, where in (
        ("GET", f"{SUBSCRIPTIONS}/{unknown}/deliveries"),
        ("GET", f"{SUBSCRIPTIONS}/not-a-uuid/deliveries"),
        ("POST", f"{SUBSCRIPTIONS}/{unknown}/deliveries/{item['uuid']}/redeliver"),
        ("POST", f"{SUBSCRIPTIONS}/{made['uuid']}/deliveries/{unknown}/redeliver"),
        ("POST", f"{SUBSCRIPTIONS}/{made['uuid']}/deliveries/nope/redeliver"),
        # Another subscription's delivery is not this one's.
        ("POST", f"{SUBSCRIPTIONS}/{other['uuid']}/deliveries/{item['uuid']}/redeliver"),
    ):
        response = await firm.owner.request(method, where, json={} if method == "POST" else None)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), where
    for method, where in (
        ("GET", f"{SUBSCRIPTIONS}/{made['uuid']}/deliveries"),
        ("POST", f"{SUBSCRIPTIONS}/{made['uuid']}/deliveries/{item['uuid']}/redeliver"),
    ):
        response = await other_firm.owner.request(method, where, json={})
        assert (response.status_code, response.json()) == (404, NOT_FOUND), where
    # Nothing was sent again.
    rows = await until(
        database_url,
        "SELECT status FROM webhook_deliveries WHERE uuid = $1",
        uuid.UUID(item["uuid"]),
    )
    assert rows[0]["status"] == "failed"


async def test_an_admin_may_members_and_clients_may_not(database_url: str, firm: Firm) -> None:
    made = await firm.owner.created(
        SUBSCRIPTIONS, {"url": "http://127.0.0.1:9/h", "events": ["account.created"]}
    )
    await firm.client_account()
    await make_deliveries(firm.app)
    await set_aside_others(database_url)
    path = f"{SUBSCRIPTIONS}/{made['uuid']}/deliveries"
    admin = await firm.actor(role="admin")
    listed = await admin.get(path)
    assert listed.status_code == 200
    [item] = listed.json()["data"]
    redeliver = f"{path}/{item['uuid']}/redeliver"
    member = await firm.actor()
    client = await firm.actor(type="client", role="individual")
    for actor in (member, client):
        for method, where in (("GET", path), ("POST", redeliver)):
            response = await actor.request(method, where, json={} if method == "POST" else None)
            assert (response.status_code, response.json()) == (403, FORBIDDEN), where
    assert (await admin.post(redeliver, {})).status_code == 202
    await set_aside_others(database_url)

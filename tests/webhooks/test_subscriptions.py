"""Webhook subscriptions: owners and admins make, list, show, change the events of and
delete them; every url is checked for where webhooks may go."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.helpers import Firm

SUBSCRIPTIONS = "/api/v2/webhook-subscriptions"
PUBLIC = "https://93.184.215.14/hooks"
FORBIDDEN = {"message": "This action is unauthorized."}
ALL_EVENTS = ["task.created", "task.completed"]
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")


def one_error(field: str, message: str) -> dict[str, Any]:
    return {"message": message, "errors": {field: [message]}}


async def test_an_owner_makes_lists_shows_changes_and_deletes_one(firm: Firm) -> None:
    owner = firm.owner
    response = await owner.post(SUBSCRIPTIONS, {"url": PUBLIC, "events": ALL_EVENTS})
    assert response.status_code == 201, response.text
    made = response.json()
    assert set(made) == {
        "uuid", "url", "events", "signing_secret", "last_outgoing_webhook_call_at",
        "created_at", "updated_at",
    }  # fmt: skip
    assert made["url"] == PUBLIC
    assert made["events"] == ALL_EVENTS
    assert re.fullmatch(r"[A-Za-z0-9]{60}", made["signing_secret"])
    assert made["last_outgoing_webhook_call_at"] is None
    assert STAMP.match(made["created_at"]) and STAMP.match(made["updated_at"])
    other = await owner.created(SUBSCRIPTIONS, {"url": PUBLIC, "events": ["goal.deleted"]})
    assert other["signing_secret"] != made["signing_secret"]

    path = f"{SUBSCRIPTIONS}/{made['uuid']}"
    assert (await owner.get(path)).json() == made
    listed = (await owner.get(SUBSCRIPTIONS)).json()["data"]
    assert [item["uuid"] for item in listed] == [made["uuid"], other["uuid"]]
    assert listed[0] == made

    changed = await owner.put(path, json={"events": ["case.updated", "case.updated"]})
    assert changed.status_code == 200, changed.text
    assert changed.json()["events"] == ["case.updated"]
    assert changed.json()["signing_secret"] == made["signing_secret"]
    assert changed.json()["url"] == PUBLIC

    deleted = await owner.delete(path)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert (await owner.get(path)).status_code == 404


async def test_an_admin_may_members_and_clients_may_not(firm: Firm) -> None:
    made = await firm.owner.created(SUBSCRIPTIONS, {"url": PUBLIC, "events": ALL_EVENTS})
    path = f"{SUBSCRIPTIONS}/{made['uuid']}"
    admin = await firm.actor(role="admin")
    assert (await admin.get(path)).json() == made
    member = await firm.actor()
    client = await firm.actor(type="client", role="individual")
    for actor in (member, client):
        for method, where, body in (
            ("GET", SUBSCRIPTIONS, None),
            ("POST", SUBSCRIPTIONS, {"url": PUBLIC, "events": ALL_EVENTS}),
            ("GET", path, None),
            ("PUT", path, {"events": ALL_EVENTS}),
            ("DELETE", path, None),
        ):
            response = await actor.request(method, where, json=body)
            assert (response.status_code, response.json()) == (403, FORBIDDEN), (method, where)
    assert (await firm.owner.get(path)).json() == made


async def test_another_firms_subscription_is_not_found(firm: Firm, other_firm: Firm) -> None:
    made = await firm.owner.created(SUBSCRIPTIONS, {"url": PUBLIC, "events": ALL_EVENTS})
    response = await other_firm.owner.get(f"{SUBSCRIPTIONS}/{made['uuid']}")
    assert (response.status_code, response.json()) == (404, {"message": "Not found."})
    assert (await other_firm.owner.get(SUBSCRIPTIONS)).json()["data"] == []


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"events": ALL_EVENTS}, "url", "The url field is required."),
        ({"url": None, "events": ALL_EVENTS}, "url", "The url field is required."),
        ({"url": 5, "events": ALL_EVENTS}, "url", "The url field must be a string."),
        ({"url": "not a url", "events": ALL_EVENTS}, "url", "The url field must be a valid URL."),
        ({"url": "ftp://93.184.215.14/", "events": ALL_EVENTS}, "url",
         "The url field must be a valid URL."),
        ({"url": "http://93.184.215.14/", "events": ALL_EVENTS}, "url",
         "The url field must be an https URL."),
        ({"url": "https://127.0.0.1/", "events": ALL_EVENTS}, "url",
         "The url host must resolve only to public addresses."),
        ({"url": "https://10.1.2.3/", "events": ALL_EVENTS}, "url",
         "The url host must resolve only to public addresses."),
        ({"url": "https://169.254.169.254/", "events": ALL_EVENTS}, "url",
         "The url host must resolve only to public addresses."),
        ({"url": "https://[::1]:8443/", "events": ALL_EVENTS}, "url",
         "The url host must resolve only to public addresses."),
        ({"url": "https://localhost/", "events": ALL_EVENTS}, "url",
         "The url host must resolve only to public addresses."),
        ({"url": PUBLIC}, "events", "The events field is required."),
        ({"url": PUBLIC, "events": []}, "events", "The events field is required."),
        ({"url": PUBLIC, "events": "task.created"}, "events", "The events field must be an array."),
        ({"url": PUBLIC, "events": ["task.created", "task.exploded"]}, "events.1",
         "The selected events.1 is invalid."),
    ],
)  # fmt: skip
async def test_a_bad_subscription_is_refused(
    firm: Firm, body: dict[str, Any], field: str, message: str
) -> None:
    response = await firm.owner.post(SUBSCRIPTIONS, body)
    assert (response.status_code, response.json()) == (422, one_error(field, message))
    assert (await firm.owner.get(SUBSCRIPTIONS)).json()["data"] == []


async def test_private_targets_and_http_when_the_server_allows_them(
    firm: Firm, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADVISERCRM_WEBHOOK_ALLOW_PRIVATE", "1")
    for url in ("http://127.0.0.1:8080/hooks", "https://localhost/hooks", "http://10.1.2.3/"):
        made = await firm.owner.created(SUBSCRIPTIONS, {"url": url, "events": ALL_EVENTS})
        assert made["url"] == url
    response = await firm.owner.post(SUBSCRIPTIONS, {"url": "ftp://x/", "events": ALL_EVENTS})
    assert (response.status_code, response.json()) == (
        422,
        one_error("url", "The url field must be a valid URL."),
    )


async def test_an_update_changes_only_the_events(firm: Firm) -> None:
    made = await firm.owner.created(SUBSCRIPTIONS, {"url": PUBLIC, "events": ALL_EVENTS})
    path = f"{SUBSCRIPTIONS}/{made['uuid']}"
    moved = await firm.owner.put(path, json={"url": "https://93.184.215.15/", "events": []})
    assert (moved.status_code, moved.json()) == (
        422,
        {
            "message": "The events field is required. (and 1 more error)",
            "errors": {
                "events": ["The events field is required."],
                "url": ["The url field cannot be changed: make a new subscription."],
            },
        },
    )
    bad = await firm.owner.put(path, json={"events": ["plan.exploded"]})
    assert (bad.status_code, bad.json()) == (
        422,
        one_error("events.0", "The selected events.0 is invalid."),
    )
    assert (await firm.owner.get(path)).json() == made

"""The change feed: a firm's events after a cursor, in commit order, deletions included,
each caller seeing the changes of the records they may open."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.helpers import Actor, Firm
from tests.webhooks.receiver import sql

CHANGES = "/api/v1/changes"
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


async def _feed(actor: Actor, **params: Any) -> dict[str, Any]:
    response = await actor.get(CHANGES, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _start(actor: Actor) -> str:
    """The cursor after everything so far."""
    return str((await _feed(actor, limit=500))["next"])


async def test_an_owner_reads_every_change_in_order_in_pages(firm: Firm) -> None:
    owner = firm.owner
    client = await firm.client_account()
    start = await _start(owner)
    circle = await firm.circle([client["uuid"]])
    path = f"/api/v1/circles/{circle['uuid']}"
    renamed = (await owner.put(path, json={"name": "Renamed"})).json()
    assert (await owner.delete(path)).status_code == 204

    feed = await _feed(owner, after=start)
    items = feed["data"]
    # The client lists its circles by name: joining one, its rename and its going change
    # the client too.
    assert [(i["event"], i["data"]["uuid"]) for i in items] == [
        ("circle.created", circle["uuid"]),
        ("account.updated", client["uuid"]),
        ("circle.updated", circle["uuid"]),
        ("account.updated", client["uuid"]),
        ("circle.deleted", circle["uuid"]),
        ("account.updated", client["uuid"]),
    ]
    assert [items[0]["data"], items[2]["data"], items[4]["data"]] == [
        circle,
        renamed,
        {"uuid": circle["uuid"]},
    ]
    assert [i["cursor"] for i in items] == [str(int(start) + n) for n in range(1, 7)]
    assert feed["next"] == items[-1]["cursor"]
    assert all(STAMP.match(i["created_at"]) and UUID.match(i["uuid"]) for i in items)
    assert len({i["uuid"] for i in items}) == 6
    assert set(items[0]) == {"cursor", "event", "created_at", "uuid", "data"}

    # Page by page, each page's next is the following one's after.
    first = await _feed(owner, after=start, limit=4)
    assert first["data"] == items[:4] and first["next"] == items[3]["cursor"]
    second = await _feed(owner, after=first["next"], limit=4)
    assert second["data"] == items[4:] and second["next"] == items[5]["cursor"]
    # Nothing after the end: the cursor stays where it is.
    assert await _feed(owner, after=second["next"]) == {"data": [], "next": second["next"]}


async def test_another_firms_changes_never_show(firm: Firm, other_firm: Firm) -> None:
    start = await _start(other_firm.owner)
    await firm.circle([(await firm.client_account())["uuid"]])
    assert await _feed(other_firm.owner, after=start) == {"data": [], "next": start}


async def test_a_member_sees_the_changes_of_records_they_may_open_as_they_see_them(
    firm: Firm,
) -> None:
    member = await firm.actor()
    seen, hidden = await firm.client_account(), await firm.client_account()
    await firm.group([member.account_uuid, seen["uuid"]])
    start = await _start(firm.owner)
    goal = await firm.goal([seen["uuid"], hidden["uuid"]])
    private = await firm.goal([hidden["uuid"]])
    doomed = await firm.goal([hidden["uuid"]])
    assert (await firm.owner.delete(f"/api/v2/goals/{doomed['uuid']}")).status_code == 204

    items = (await _feed(member, after=start))["data"]
    # The member's view of the shared goal (the hidden owner left out), nothing of the
    # goals they cannot open, created or deleted.
    as_member = (await member.get(f"/api/v2/goals/{goal['uuid']}")).json()
    assert as_member != goal
    assert [(i["event"], i["data"]) for i in items] == [("goal.created", as_member)]
    owners = (await _feed(firm.owner, after=start))["data"]
    assert [i["event"] for i in owners] == [
        "goal.created",
        "goal.created",
        "goal.created",
        "goal.deleted",
    ]
    assert owners[1]["data"] == private
    # The member's cursor moves past the changes it was not shown.
    assert (await _feed(member, after=start))["next"] == owners[-1]["cursor"]


async def test_a_client_sees_only_its_own_records_changes(firm: Firm) -> None:
    client = await firm.actor(type="client", role="individual")
    other = await firm.client_account()
    start = await _start(firm.owner)
    await firm.goal([other["uuid"]])
    account = await firm.owner.put(
        f"/api/v1/client/{client.account_uuid}", json={"first_name": "Z"}
    )
    assert account.status_code == 200, account.text
    items = (await _feed(client, after=start))["data"]
    assert [i["event"] for i in items] == ["account.updated"]
    assert items[0]["data"]["uuid"] == client.account_uuid


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"after": "abc"}, "after", "The after field must be an integer."),
        ({"after": "1.5"}, "after", "The after field must be an integer."),
        ({"after": "-1"}, "after", "The after field must be at least 0."),
        ({"limit": "0"}, "limit", "The limit field must be at least 1."),
        ({"limit": "501"}, "limit", "The limit field must not be greater than 500."),
        ({"limit": "x"}, "limit", "The limit field must be an integer."),
        ({"after": "99999999999999999999"}, "after", "The after field must be an integer."),
    ],
)
async def test_a_bad_cursor_or_limit_is_refused(
    firm: Firm, params: dict[str, str], field: str, message: str
) -> None:
    response = await firm.owner.get(CHANGES, params=params)
    assert (response.status_code, response.json()) == (
        422,
        {"message": message, "errors": {field: [message]}},
    )


async def test_a_cursor_older_than_what_is_kept_is_gone(database_url: str, firm: Firm) -> None:
    owner = firm.owner
    start = int(await _start(owner))
    for _ in range(3):
        await firm.client_account()
    pruned = start + 2  # as if the retention had pruned the events up to here
    await sql(
        database_url,
        "INSERT INTO event_counters (firm_id, last, pruned_through) VALUES ($1, $2 - 2, $2)"
        " ON CONFLICT (firm_id) DO UPDATE SET pruned_through = $2",
        firm.firm_id,
        pruned,
    )
    for after in (0, start, pruned - 1):
        response = await owner.get(CHANGES, params={"after": after})
        assert response.status_code == 410
        assert response.json() == {
            "message": f"Changes after cursor {after} are no longer kept: list the records "
            "again, then follow the changes after the cursor given here.",
            "after": str(pruned),
        }
    feed = await _feed(owner, after=pruned)
    assert [int(item["cursor"]) for item in feed["data"]] == [pruned + 1]

"""POST /api/v1/tag: each mode, how names find their tags, each kind of record tagged,
and the tag list (GET /api/v1/tag)."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

from sqlalchemy import func, select

from advisercrm.tables import account_tags, tags
from tests.helpers import Firm
from tests.records_support import TIMESTAMP, UUID_RE, assert_meta
from tests.tags.support import TAG_KEYS, TAGS, names, tag, tagging

COLOUR = re.compile(r"^#[0-9a-f]{6}$")


async def _links(firm: Firm) -> int:
    async with firm.app.state.engine.connect() as conn:
        query = select(func.count()).where(account_tags.c.firm_id == firm.firm_id)
        return int((await conn.execute(query)).scalar_one())


async def _tag_count(firm: Firm) -> int:
    async with firm.app.state.engine.connect() as conn:
        query = select(func.count()).where(tags.c.firm_id == firm.firm_id)
        return int((await conn.execute(query)).scalar_one())


async def test_attach_finds_or_makes_each_tag_and_answers_the_records_tags(firm: Firm) -> None:
    client = (await firm.client_account())["uuid"]
    [existing] = await tag(firm.owner, "create", "account", client, ["Existing"])
    body = ["Reviewed", existing["uuid"], {"name": "Urgent", "colour": "#FF0000"}]
    answered = await tag(firm.owner, "attach", "account", client, body)
    assert names(answered) == ["Existing", "Reviewed", "Urgent"]  # by name
    for item in answered:
        assert set(item) == TAG_KEYS
        assert UUID_RE.match(item["uuid"]) and COLOUR.match(item["colour"])
        assert TIMESTAMP.match(item["created_at"]) and TIMESTAMP.match(item["updated_at"])
    assert [t["slug"] for t in answered] == ["existing", "reviewed", "urgent"]
    assert answered[0] == existing
    assert answered[2]["colour"] == "#ff0000"  # stored and shown in lower case


async def test_attach_twice_changes_nothing_the_second_time(firm: Firm) -> None:
    client = (await firm.client_account())["uuid"]
    first = await tag(firm.owner, "attach", "account", client, ["Alpha", "Beta"])
    links, made = await _links(firm), await _tag_count(firm)
    again = await tag(firm.owner, "attach", "account", client, ["alpha", "BETA", "Beta"])
    assert again == first
    assert (await _links(firm), await _tag_count(firm)) == (links, made)


async def test_attach_keeps_the_records_other_tags_and_sync_replaces_them(firm: Firm) -> None:
    client = (await firm.client_account())["uuid"]
    await tag(firm.owner, "attach", "account", client, ["One", "Two"])
    assert names(await tag(firm.owner, "attach", "account", client, ["Three"])) == [
        "One",
        "Three",
        "Two",
    ]
    synced = await tag(firm.owner, "sync", "account", client, ["Two", "Four"])
    assert names(synced) == ["Four", "Two"]
    listed = await firm.owner.get(f"/api/v1/client?filter[uuid]={client}&include=tags")
    assert listed.json()["data"][0]["tags"] == synced


async def test_detach_takes_off_only_the_tags_named(firm: Firm) -> None:
    client = (await firm.client_account())["uuid"]
    on = await tag(firm.owner, "attach", "account", client, ["Keep", "Drop", "Also drop"])
    [elsewhere] = await tag(firm.owner, "create", "account", client, ["Not on it"])
    made = await _tag_count(firm)
    drop = next(t for t in on if t["name"] == "Drop")
    # A tag the record does not carry, and a name the firm has no tag of: nothing to do.
    left = await tag(
        firm.owner,
        "detach",
        "account",
        client,
        [drop["uuid"], "also DROP", elsewhere["uuid"], "Never made"],
    )
    assert names(left) == ["Keep"]
    assert await _tag_count(firm) == made  # detach makes no tag
    assert names(await tag(firm.owner, "detach", "account", client, ["Drop"])) == ["Keep"]


async def test_create_makes_the_tags_and_puts_them_on_nothing(firm: Firm) -> None:
    client = (await firm.client_account())["uuid"]
    made = await tag(firm.owner, "create", "account", client, ["Prospect", {"name": "Gold"}])
    assert names(made) == ["Prospect", "Gold"]  # in the order named
    listed = (await firm.owner.get(f"/api/v1/client?filter[uuid]={client}&include=tags")).json()
    assert listed["data"][0]["tags"] == []
    # Without a record at all; a name the firm has already is that tag, colour kept.
    response = await firm.owner.post(
        TAGS, json={"mode": "create", "tags": [{"name": "PROSPECT", "colour": "#000000"}]}
    )
    assert (response.status_code, response.json()) == (200, {"data": [made[0]]})


async def test_names_are_one_tag_per_slug(firm: Firm) -> None:
    made = (await firm.owner.post(TAGS, json={"mode": "create", "tags": ["Café  Society!"]})).json()
    [first] = made["data"]
    assert (first["name"], first["slug"]) == ("Café  Society!", "cafe-society")
    for spelling in ("cafe society", "CAFÉ-SOCIETY", " café_society "):
        response = await firm.owner.post(TAGS, json={"mode": "create", "tags": [spelling]})
        assert response.json() == {"data": [first]}, spelling
    response = await firm.owner.post(TAGS, json={"mode": "create", "tags": ["日本", "日本 "]})
    [japan] = response.json()["data"]
    assert japan["slug"] == "日本"
    # Folding lengthens some names (this ligature is 18 letters): the slug stops at 255.
    long_name = "\ufdfa" * 255
    response = await firm.owner.post(TAGS, json={"mode": "create", "tags": [long_name]})
    assert response.status_code == 200, response.text
    [long] = response.json()["data"]
    assert (long["name"], len(long["slug"])) == (long_name, 255)


async def test_the_same_new_name_sent_at_once_makes_one_tag(firm: Firm) -> None:
    clients = [(await firm.client_account())["uuid"] for _ in range(4)]
    name = f"Race {uuid.uuid4().hex[:6]}"
    answers = await asyncio.gather(
        *(firm.owner.post(TAGS, json=tagging("attach", "account", c, [name])) for c in clients)
    )
    assert [r.status_code for r in answers] == [200] * 4, [r.text for r in answers]
    uuids = {r.json()["data"][0]["uuid"] for r in answers}
    assert len(uuids) == 1


async def test_cases_and_plans_carry_tags(firm: Firm) -> None:
    client = (await firm.client_account())["uuid"]
    case = await firm.owner.created("/api/v1/cases", {"name": "Case", "participants": [client]})
    plan = await firm.owner.created(
        "/api/v1/plans", {"name": "Plan", "type": "pension", "accounts": [client]}
    )
    on_case = await tag(firm.owner, "attach", "case", case["uuid"], ["Case tag"])
    on_plan = await tag(firm.owner, "sync", "plan", plan["uuid"], ["Plan tag"])
    assert (names(on_case), names(on_plan)) == (["Case tag"], ["Plan tag"])
    # Each kind keeps its own links: the client carries neither.
    listed = (await firm.owner.get(f"/api/v1/client?filter[uuid]={client}&include=tags")).json()
    assert listed["data"][0]["tags"] == []


async def test_staff_accounts_carry_tags(firm: Firm) -> None:
    staff = await firm.actor(role="member")
    answered = await tag(firm.owner, "attach", "account", staff.account_uuid, ["Team A"])
    assert names(answered) == ["Team A"]


async def test_the_list_filters_sorts_and_pages(firm: Firm, other_firm: Firm) -> None:
    prefix = uuid.uuid4().hex[:6]
    body: dict[str, Any] = {"mode": "create", "tags": [f"{prefix} b", f"{prefix} A", f"{prefix} c"]}
    made = (await firm.owner.post(TAGS, json=body)).json()["data"]
    await other_firm.owner.post(TAGS, json={"mode": "create", "tags": [f"{prefix} other"]})

    async def listed(**params: str) -> list[str]:
        response = await firm.owner.get(TAGS, params={"per_page": "500", **params})
        assert response.status_code == 200, response.text
        return [t["name"] for t in response.json()["data"]]

    mine = [f"{prefix} A", f"{prefix} b", f"{prefix} c"]
    assert [n for n in await listed() if n.startswith(prefix)] == mine  # by name
    assert await listed(**{"filter[name]": prefix.upper()}) == mine  # partial, any case
    assert await listed(**{"filter[name]": prefix, "sort": "-slug"}) == mine[::-1]
    # Made together, so created at once: ties go by creation order (the slugs').
    assert await listed(**{"filter[name]": prefix, "sort": "-created_at"}) == mine[::-1]
    two = f"{made[0]['uuid']},{made[2]['uuid']}"
    assert await listed(**{"filter[uuid]": two}) == [f"{prefix} b", f"{prefix} c"]
    page = await firm.owner.get(TAGS, params={"filter[name]": prefix, "per_page": "2"})
    assert_meta(page.json(), total=3, page=1, per_page=2)
    assert (await listed(**{"filter[name]": "other"})) == []  # another firm's tag


async def test_requests_naming_the_same_new_tags_in_any_order_all_succeed(firm: Firm) -> None:
    """Concurrent requests make and attach the same tags to one record, named in opposite
    orders: every one succeeds. (Tags and links are written in one order so that none can
    deadlock with another; this client does not make them overlap closely enough to show
    a deadlock without that order. That tags are made in slug order is shown by the tag
    list's creation order, above.)"""
    client = (await firm.client_account())["uuid"]
    for round_ in range(3):
        words = [f"Order {round_} {n} {uuid.uuid4().hex[:6]}" for n in range(100)]
        bodies = [
            tagging("attach", "account", client, words[:: 1 if n % 2 else -1]) for n in range(8)
        ]
        answers = await asyncio.gather(*(firm.owner.post(TAGS, json=b) for b in bodies))
        assert [r.status_code for r in answers] == [200] * 8, [r.text for r in answers]

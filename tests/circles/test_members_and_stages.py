"""A circle's members named as objects (`accounts`, each with a login access level, shown
on the member's own circles), its current life stage, and `include=firm`: each rule with
its exact 422, nothing changed when refused."""

from __future__ import annotations

from typing import Any

from tests.accounts.support import (
    CIRCLES,
    CLIENTS,
    DUPLICATE,
    INVALID,
    Cast,
    assert_422,
    errors_of,
    total,
    unknown,
)
from tests.helpers import Actor, Firm


async def stage(firm: Firm, name: str = "Current Lifestyle") -> str:
    """A life stage of the firm, made through the API."""
    return str((await firm.owner.created("/api/v1/life-stage", {"name": name}))["uuid"])


async def clients(firm: Firm, n: int) -> list[str]:
    return [(await firm.client_account())["uuid"] for _ in range(n)]


async def levels(actor: Actor, account: str) -> dict[str, str | None]:
    """The member's circles as the accounts API shows them: access level by circle."""
    shown = (await actor.get(f"{CLIENTS}/{account}")).json()["circles"]
    return {c["uuid"]: c["login_access_level"] for c in shown}


async def refused_update(actor: Actor, circle: dict[str, Any], body: Any, errors: Any) -> None:
    path = f"{CIRCLES}/{circle['uuid']}"
    before = (await actor.get(path)).json()
    assert_422(await actor.put(path, body), errors)
    assert (await actor.get(path)).json() == before


async def test_accounts_objects_replace_the_members(shop: Cast) -> None:
    a, b, c = await clients(shop.firm, 3)
    circle = await shop.firm.circle([a, b])
    path = f"{CIRCLES}/{circle['uuid']}"
    body = {"accounts": [{"uuid": c, "login_access_level": "write"}, {"uuid": b}]}
    response = await shop.owner.put(path, body)
    assert response.status_code == 200, response.text
    assert sorted(m["uuid"] for m in response.json()["accounts"]) == sorted([b, c])
    assert await levels(shop.owner, c) == {circle["uuid"]: "write"}
    assert await levels(shop.owner, b) == {circle["uuid"]: None}
    assert await levels(shop.owner, a) == {}


async def test_both_forms_link_both_lists(shop: Cast) -> None:
    """As the newest update page's example sends them: the members are both lists, an
    account in both once, with the level its object gives."""
    a, b, c = await clients(shop.firm, 3)
    body = {
        "name": "Both",
        "account_uuids": [a, b],
        "accounts": [{"uuid": b, "login_access_level": "read"}, {"uuid": c}],
    }
    made = await shop.owner.created(CIRCLES, body)
    assert sorted(m["uuid"] for m in made["accounts"]) == sorted([a, b, c])
    assert await levels(shop.owner, b) == {made["uuid"]: "read"}


async def test_a_level_not_given_stays(shop: Cast) -> None:
    """An object without `login_access_level`, or `account_uuids`, keeps a member's
    level; null clears it."""
    a, b = await clients(shop.firm, 2)
    body = {"name": "Levels", "accounts": [{"uuid": a, "login_access_level": "read"}]}
    circle = await shop.owner.created(CIRCLES, body)
    path, mine = f"{CIRCLES}/{circle['uuid']}", {circle["uuid"]: "read"}
    assert (await shop.owner.put(path, {"accounts": [{"uuid": a}, {"uuid": b}]})).status_code == 200
    assert await levels(shop.owner, a) == mine
    assert (await shop.owner.put(path, {"account_uuids": [a]})).status_code == 200
    assert await levels(shop.owner, a) == mine
    level = {"uuid": a, "login_access_level": "write"}
    assert (await shop.owner.put(path, {"accounts": [level]})).status_code == 200
    assert await levels(shop.owner, a) == {circle["uuid"]: "write"}
    cleared = {"accounts": [{"uuid": a, "login_access_level": None}]}
    assert (await shop.owner.put(path, cleared)).status_code == 200
    assert await levels(shop.owner, a) == {circle["uuid"]: None}


async def test_round_trip_keeps_levels(shop: Cast) -> None:
    """The accounts a circle shows, written back, keep their members' levels."""
    a, b = await clients(shop.firm, 2)
    body = {"name": "Trip", "accounts": [{"uuid": a, "login_access_level": "write"}, {"uuid": b}]}
    circle = await shop.owner.created(CIRCLES, body)
    path = f"{CIRCLES}/{circle['uuid']}"
    response = await shop.owner.put(path, (await shop.owner.get(path)).json())
    assert response.status_code == 200, response.text
    assert await levels(shop.owner, a) == {circle["uuid"]: "write"}


async def test_bad_accounts_objects(shop: Cast, rival: Firm) -> None:
    a, b = await clients(shop.firm, 2)
    circle = await shop.firm.circle([a, b])
    theirs = (await rival.client_account())["uuid"]
    body = {"accounts": [{"uuid": a, "login_access_level": "admin"}]}
    errors = errors_of(("accounts.0.login_access_level", INVALID))
    await refused_update(shop.owner, circle, body, errors)
    body = {"accounts": [{"uuid": a}, {"uuid": a}, {"uuid": theirs}, {"uuid": unknown()}]}
    errors = errors_of(
        ("accounts.1.uuid", DUPLICATE), ("accounts.2.uuid", INVALID), ("accounts.3.uuid", INVALID)
    )
    await refused_update(shop.owner, circle, body, errors)
    body = {"accounts": [{"login_access_level": "read"}, "x"]}
    errors = {
        "accounts.0.uuid": ["The accounts.0.uuid field is required."],
        "accounts.1": ["The accounts.1 field must be an object."],
    }
    await refused_update(shop.owner, circle, body, errors)


async def test_101_accounts_on_update(shop: Cast) -> None:
    circle = await shop.firm.circle(await clients(shop.firm, 1))
    body = {"account_uuids": [unknown() for _ in range(101)]}
    too_many = "The :a field must not have more than 100 items."
    await refused_update(shop.owner, circle, body, errors_of(("account_uuids", too_many)))


async def test_both_lists_together_hold_at_most_100(shop: Cast) -> None:
    many = await clients(shop.firm, 101)
    body = {
        "name": "Crowd",
        "account_uuids": many[:60],
        "accounts": [{"uuid": u} for u in many[60:]],
    }
    before = await total(shop.owner, CIRCLES)
    too_many = "The :a field must not have more than 100 items."
    assert_422(await shop.owner.post(CIRCLES, body), errors_of(("account_uuids", too_many)))
    assert await total(shop.owner, CIRCLES) == before
    body["accounts"] = body["accounts"][:40]
    assert len((await shop.owner.created(CIRCLES, body))["accounts"]) == 100


async def test_current_life_stage(shop: Cast) -> None:
    a = await clients(shop.firm, 1)
    retired = await stage(shop.firm, "Retirement")
    made = await shop.owner.created(
        CIRCLES, {"name": "Staged", "account_uuids": a, "current_life_stage_uuid": retired}
    )
    assert made["current_life_stage_uuid"] == retired
    path = f"{CIRCLES}/{made['uuid']}"
    assert (await shop.owner.get(path)).json()["current_life_stage_uuid"] == retired
    # Another field changed leaves it; null clears it.
    assert (await shop.owner.put(path, {"name": "Renamed"})).json()[
        "current_life_stage_uuid"
    ] == retired
    cleared = await shop.owner.put(path, {"current_life_stage_uuid": None})
    assert cleared.json()["current_life_stage_uuid"] is None


async def test_unknown_life_stage_is_422(shop: Cast, rival: Firm) -> None:
    circle = await shop.firm.circle(await clients(shop.firm, 1))
    errors = errors_of(("current_life_stage_uuid", INVALID))
    for named in (unknown(), await stage(rival)):
        await refused_update(shop.owner, circle, {"current_life_stage_uuid": named}, errors)
    body = {"name": "No", "account_uuids": [circle["accounts"][0]["uuid"]]}
    before = await total(shop.owner, CIRCLES)
    assert_422(
        await shop.owner.post(CIRCLES, body | {"current_life_stage_uuid": unknown()}), errors
    )
    assert await total(shop.owner, CIRCLES) == before
    not_uuid = {
        "current_life_stage_uuid": ["The current life stage uuid field must be a valid UUID."]
    }
    await refused_update(shop.owner, circle, {"current_life_stage_uuid": "x"}, not_uuid)


async def test_round_trip_with_a_life_stage(shop: Cast) -> None:
    body = {"name": "Trip", "account_uuids": await clients(shop.firm, 2)}
    circle = await shop.owner.created(
        CIRCLES, body | {"current_life_stage_uuid": await stage(shop.firm)}
    )
    path = f"{CIRCLES}/{circle['uuid']}"
    before = (await shop.owner.get(path)).json()
    assert (await shop.owner.put(path, before)).status_code == 200
    assert {**(await shop.owner.get(path)).json(), "updated_at": None} == {
        **before,
        "updated_at": None,
    }


def firm_of(firm: Firm, shown: dict[str, Any]) -> None:
    assert list(shown) == ["uuid", "name", "currency", "timezone", "created_at", "updated_at"]
    assert (shown["uuid"], shown["currency"], shown["timezone"]) == (
        firm.firm_uuid,
        "GBP",
        "Europe/London",
    )
    assert shown["name"].startswith("Firm ")


async def test_include_firm_for_every_reader(shop: Cast) -> None:
    """Owner, a member (through a group of theirs) and a client member each get their
    firm with the circle, listed and shown; without the include there is none."""
    group = await shop.firm.group([shop.member.account_uuid])
    members = [shop.client.account_uuid, *await clients(shop.firm, 1)]
    circle = await shop.firm.circle(members, group_uuids=[group["uuid"]])
    path = f"{CIRCLES}/{circle['uuid']}"
    for actor in (shop.owner, shop.member, shop.client):
        listed = await actor.get(
            CIRCLES, params={"include": "firm", "filter[uuid]": circle["uuid"]}
        )
        assert listed.status_code == 200, listed.text
        [item] = listed.json()["data"]
        firm_of(shop.firm, item["firm"])
        shown = await actor.get(path, params={"include": "firm,accounts"})
        assert shown.status_code == 200, shown.text
        assert shown.json() == {**item, "firm": item["firm"]}
        assert "firm" not in (await actor.get(path)).json()
        assert "firm" not in (await actor.get(CIRCLES)).json()["data"][0]


async def test_members_a_writer_cannot_see_stay(shop: Cast) -> None:
    """A member's view of a circle, written back (or its accounts replaced), keeps the
    members the member cannot open, with their levels: they are not the member's to
    remove."""
    firm = shop.firm
    reached, other, hidden = await clients(firm, 3)
    await firm.group([shop.member.account_uuid, reached, other])
    body = {
        "name": "Mixed",
        "accounts": [{"uuid": reached}, {"uuid": hidden, "login_access_level": "write"}],
    }
    circle = await shop.owner.created(CIRCLES, body)
    path = f"{CIRCLES}/{circle['uuid']}"
    seen = (await shop.member.get(path)).json()
    assert [m["uuid"] for m in seen["accounts"]] == [reached]
    response = await shop.member.put(path, seen)
    assert response.status_code == 200, response.text
    after = (await shop.owner.get(path)).json()
    assert {**after, "updated_at": None} == {**circle, "updated_at": None}
    assert await levels(shop.owner, hidden) == {circle["uuid"]: "write"}
    replaced = await shop.member.put(path, {"account_uuids": [other]})
    assert [m["uuid"] for m in replaced.json()["accounts"]] == [other]
    owner_view = (await shop.owner.get(path)).json()["accounts"]
    assert sorted(m["uuid"] for m in owner_view) == sorted([other, hidden])

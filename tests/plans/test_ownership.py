"""Plan ownership: each owner's share in percent. `accounts` items are UUIDs or objects
`{uuid, percentage}`; shares not given split equally what the given ones leave (in
hundredths, the first unshared owners in the body's order taking the hundredths left
over) and the shares add up to exactly 100."""

from __future__ import annotations

from typing import Any

import pytest

from tests.records_support import (
    INVALID,
    NOT_UUID,
    PLANS,
    REQUIRED,
    Cast,
    assert_body,
    assert_rejected,
    invalid,
    say,
    total,
    unknown,
)

NUMBER = "The :a field must be a number."
BETWEEN = "The :a field must be between 0 and 100."
PLACES = "The :a field must have 0-2 decimal places."
ADD_UP = "The accounts percentages must add up to 100."


async def _clients(shop: Cast, n: int) -> list[str]:
    return [(await shop.firm.client_account())["uuid"] for _ in range(n)]


def shares(plan: dict[str, Any]) -> dict[str, Any]:
    """Each owner's share by UUID; both names a plan shows it under agree."""
    for owner in plan["accounts"]:
        assert owner["ownership_percentage"] == owner["percentage"]
    return {o["uuid"]: o["percentage"] for o in plan["accounts"]}


async def _made(shop: Cast, accounts: list[Any]) -> dict[str, Any]:
    return await shop.owner.created(PLANS, {"name": "P", "type": "pension", "accounts": accounts})


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ([None], [100]),
        ([None, None], [50, 50]),
        ([None, None, None], [33.34, 33.33, 33.33]),
        ([60, 40], [60, 40]),
        ([40, None, None], [40, 30, 30]),
        ([None, 10, None], [45, 10, 45]),
        ([100, None], [100, 0]),
        ([0, None], [0, 100]),
        ([12.5, 12.5, None], [12.5, 12.5, 75]),
        ([None] * 7, [14.29, 14.29, 14.29, 14.29, 14.28, 14.28, 14.28]),
    ],
    ids=str,
)
async def test_shares_given_and_split(
    shop: Cast, given: list[float | None], expected: list[float]
) -> None:
    owners = await _clients(shop, len(given))
    # A share not given: the plain UUID, or an object without (or with a null) percentage.
    unshared: list[Any] = [
        lambda u: u,
        lambda u: {"uuid": u},
        lambda u: {"uuid": u, "percentage": None},
    ]
    body = [
        {"uuid": owner, "percentage": share} if share is not None else unshared[i % 3](owner)
        for i, (owner, share) in enumerate(zip(owners, given, strict=True))
    ]
    made = await _made(shop, body)
    assert shares(made) == dict(zip(owners, expected, strict=True))
    assert_body(await shop.owner.get(f"{PLANS}/{made['uuid']}"), 200, made)


@pytest.mark.parametrize(
    ("sent", "read"),
    [
        ("50", 50),
        (" 50 ", 50),
        ("5e1", 50),
        ("50.", 50),
        ("49.50", 49.5),
        (50.0, 50),
        ("0e-999999999", 0),
        ("-0", 0),
    ],
    ids=str,
)
async def test_percentage_read_as_laravel_reads_a_number(
    shop: Cast, sent: Any, read: float
) -> None:
    a, b = await _clients(shop, 2)
    made = await _made(shop, [{"uuid": a, "percentage": sent}, b])
    assert shares(made) == {a: read, b: 100 - read}


REFUSED: list[tuple[list[Any], str, str]] = [
    ([{"uuid": "A", "percentage": 101}], "accounts.0.percentage", BETWEEN),
    ([{"uuid": "A", "percentage": -1}], "accounts.0.percentage", BETWEEN),
    ([{"uuid": "A", "percentage": "100.01"}], "accounts.0.percentage", BETWEEN),
    ([{"uuid": "A", "percentage": "1e3"}], "accounts.0.percentage", BETWEEN),
    ([{"uuid": "A", "percentage": 33.333}], "accounts.0.percentage", PLACES),
    ([{"uuid": "A", "percentage": "99." + "9" * 40}], "accounts.0.percentage", PLACES),
    ([{"uuid": "A", "percentage": "1e-999999999"}], "accounts.0.percentage", PLACES),
    ([{"uuid": "A", "percentage": "half"}], "accounts.0.percentage", NUMBER),
    ([{"uuid": "A", "percentage": True}], "accounts.0.percentage", NUMBER),
    ([{"uuid": "A", "percentage": [50]}], "accounts.0.percentage", NUMBER),
    ([{"uuid": "A", "percentage": "0x32"}], "accounts.0.percentage", NUMBER),
    ([{"uuid": "A", "percentage": "1e99999999999999999999"}], "accounts.0.percentage", NUMBER),
    ([{"percentage": 100}], "accounts.0.uuid", REQUIRED),
    ([{"uuid": None, "percentage": 100}], "accounts.0.uuid", REQUIRED),
    ([{"uuid": "x", "percentage": 100}], "accounts.0.uuid", NOT_UUID),
    ([{"uuid": "A", "percentage": 60}, {"uuid": "B", "percentage": 30}], "accounts", ADD_UP),
    ([{"uuid": "A", "percentage": 60}, {"uuid": "B", "percentage": 60}], "accounts", ADD_UP),
    ([{"uuid": "A", "percentage": 80}, {"uuid": "B", "percentage": 30}, "C"], "accounts", ADD_UP),
    ([{"uuid": "A", "percentage": 90}], "accounts", ADD_UP),
]


@pytest.mark.parametrize(("accounts", "key", "template"), REFUSED, ids=lambda v: repr(v)[:50])
async def test_a_share_that_does_not_fit(
    shop: Cast, accounts: list[Any], key: str, template: str
) -> None:
    named = dict(zip("ABC", await _clients(shop, 3), strict=True))

    def real(item: Any) -> Any:
        if isinstance(item, str):
            return named.get(item, item)
        return {**item, "uuid": named.get(item["uuid"], item["uuid"])} if "uuid" in item else item

    before = await total(shop.owner, PLANS)
    body = {"name": "P", "type": "pension", "accounts": [real(i) for i in accounts]}
    response = await shop.owner.post(PLANS, body)
    message = template if key == "accounts" else say(template, key)
    await assert_rejected(shop.owner, response, 422, invalid({key: [message]}), PLANS, before)


async def test_an_unknown_owner_in_an_object_names_its_item(shop: Cast) -> None:
    (a,) = await _clients(shop, 1)
    before = await total(shop.owner, PLANS)
    body = {"name": "P", "type": "pension", "accounts": [
        {"uuid": a, "percentage": 50}, {"uuid": unknown(), "percentage": 50}]}  # fmt: skip
    response = await shop.owner.post(PLANS, body)
    expected = invalid({"accounts.1": [say(INVALID, "accounts.1")]})
    await assert_rejected(shop.owner, response, 422, expected, PLANS, before)


async def test_update_replaces_the_shares_or_leaves_them(shop: Cast) -> None:
    a, b = await _clients(shop, 2)
    made = await _made(shop, [{"uuid": a, "percentage": 70}, b])
    path = f"{PLANS}/{made['uuid']}"
    renamed = await shop.owner.put(path, {"name": "Renamed"})
    assert shares(renamed.json()) == {a: 70, b: 30}
    refused = await shop.owner.put(path, {"accounts": [{"uuid": a, "percentage": 20}, b, b]})
    assert_body(refused, 422, invalid({"accounts.2": [say("The :a field has a duplicate value.",
                                                           "accounts.2")]}))  # fmt: skip
    refused = await shop.owner.put(path, {"accounts": [{"uuid": a, "percentage": 20}]})
    assert_body(refused, 422, invalid({"accounts": [ADD_UP]}))
    assert_body(await shop.owner.get(path), 200, renamed.json())
    changed = await shop.owner.put(path, {"accounts": [b, {"uuid": a, "percentage": "25"}]})
    assert changed.status_code == 200, changed.text
    assert shares(changed.json()) == {a: 25, b: 75}
    assert_body(await shop.owner.get(path), 200, changed.json())


async def test_a_plan_read_is_written_back_unchanged(shop: Cast) -> None:
    """The accounts a plan shows (with their shares) are a body the plan takes back."""
    owners = await _clients(shop, 3)
    made = await _made(shop, owners)
    path = f"{PLANS}/{made['uuid']}"
    before = (await shop.owner.get(path)).json()
    response = await shop.owner.put(path, before)
    assert response.status_code == 200, response.text
    after = (await shop.owner.get(path)).json()
    assert {**after, "updated_at": None} == {**before, "updated_at": None}
    assert sorted(shares(after).values()) == [33.33, 33.33, 33.34]


async def test_a_member_sees_the_shares_of_the_owners_they_reach(shop: Cast) -> None:
    """Embedded owners follow the viewer: a member who cannot open an owner does not see
    it, and sees the others' stored shares (not a split among those shown)."""
    member = await shop.firm.actor(role="member")
    reached, hidden = await _clients(shop, 2)
    await shop.firm.group([member.account_uuid, reached])
    made = await _made(shop, [{"uuid": hidden, "percentage": 75}, reached])
    shown = (await member.get(f"{PLANS}/{made['uuid']}")).json()
    assert shares(shown) == {reached: 25}
    assert [o for o in made["accounts"] if o["uuid"] == reached] == shown["accounts"]
    # Writing back the owners they see would drop the hidden one: its share is missing.
    response = await member.put(f"{PLANS}/{made['uuid']}", shown)
    assert_body(response, 422, invalid({"accounts": [ADD_UP]}))
    assert_body(await shop.owner.get(f"{PLANS}/{made['uuid']}"), 200, made)

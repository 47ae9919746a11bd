"""Circle create and update: every rule broken, the exact 422 body, nothing changed."""

from __future__ import annotations

from typing import Any

from tests.accounts.support import (
    ACCOUNTS,
    CIRCLES,
    DUPLICATE,
    HAS_NUL,
    INVALID,
    NOT_ARRAY,
    NOT_STRING,
    NOT_UUID,
    REQUIRED,
    Cast,
    assert_422,
    employee,
    errors_of,
    total,
    unknown,
)
from tests.helpers import Firm

AT_LEAST_1 = "The :a field must have at least 1 items."
AT_MOST_100 = "The :a field must not have more than 100 items."
WITHOUT = "The account uuids field is required when accounts is not present."


async def refused_create(cast: Cast, body: Any, errors: dict[str, list[str]]) -> None:
    before = await total(cast.owner, CIRCLES)
    assert_422(await cast.owner.post(CIRCLES, body), errors)
    assert await total(cast.owner, CIRCLES) == before


async def refused_update(
    cast: Cast, circle: dict[str, Any], body: Any, errors: dict[str, list[str]]
) -> None:
    path = f"{CIRCLES}/{circle['uuid']}"
    assert_422(await cast.owner.put(path, body), errors)
    assert (await cast.owner.get(path)).json() == circle


async def pair(cast: Cast) -> list[str]:
    return [(await cast.firm.client_account())["uuid"] for _ in range(2)]


async def test_empty_body(shop: Cast) -> None:
    errors = errors_of(("name", REQUIRED)) | {"account_uuids": [WITHOUT]}
    await refused_create(shop, {}, errors)
    # Null is as good as absent.
    body = {"name": "N", "account_uuids": None, "accounts": None}
    await refused_create(shop, body, {"account_uuids": [WITHOUT]})


async def test_wrong_json_types(shop: Cast) -> None:
    body = {"name": 5, "account_uuids": "a,b", "group_uuids": {"a": 1}}
    errors = errors_of(
        ("name", NOT_STRING), ("account_uuids", NOT_ARRAY), ("group_uuids", NOT_ARRAY)
    )
    await refused_create(shop, body, errors)
    body = {"name": None, "account_uuids": [1, True], "group_uuids": None}
    errors = errors_of(
        ("name", NOT_STRING),
        ("account_uuids.0", NOT_UUID),
        ("account_uuids.1", NOT_UUID),
        ("group_uuids", NOT_ARRAY),
    )
    await refused_create(shop, body, errors)


async def test_nul_bytes(shop: Cast) -> None:
    body = {"name": "Home\x00", "account_uuids": await pair(shop)}
    await refused_create(shop, body, errors_of(("name", HAS_NUL)))


async def test_one_to_a_hundred_accounts(shop: Cast) -> None:
    """The newest pages' rule: 1 to 100 accounts (the older pages said 2 to 50)."""
    one = {"name": "Solo", "account_uuids": [(await shop.firm.client_account())["uuid"]]}
    assert len((await shop.owner.created(CIRCLES, one))["accounts"]) == 1
    await refused_create(
        shop, {"name": "None", "account_uuids": []}, errors_of(("account_uuids", AT_LEAST_1))
    )
    await refused_create(
        shop, {"name": "None", "accounts": []}, errors_of(("accounts", AT_LEAST_1))
    )
    many = {"name": "Crowd", "account_uuids": [unknown() for _ in range(101)]}
    await refused_create(shop, many, errors_of(("account_uuids", AT_MOST_100)))
    objects = {"name": "Crowd", "accounts": [{"uuid": unknown()} for _ in range(101)]}
    await refused_create(shop, objects, errors_of(("accounts", AT_MOST_100)))


async def test_accounts_must_be_distinct_clients_of_the_firm(shop: Cast, rival: Firm) -> None:
    client = await shop.firm.client_account()
    staff = await employee(shop.owner)
    introducer = await shop.owner.created(
        ACCOUNTS, {"type": "external", "role": "introducer", "first_name": "I", "last_name": "N"}
    )
    theirs = await rival.client_account()
    uuids = [client["uuid"], client["uuid"], staff["uuid"], introducer["uuid"]]
    body = {"name": "Bad", "account_uuids": [*uuids, theirs["uuid"], unknown()]}
    errors = errors_of(
        ("account_uuids.1", DUPLICATE),
        ("account_uuids.2", INVALID),
        ("account_uuids.3", INVALID),
        ("account_uuids.4", INVALID),
        ("account_uuids.5", INVALID),
    )
    await refused_create(shop, body, errors)


async def test_groups_must_be_distinct_groups_of_the_firm(shop: Cast, rival: Firm) -> None:
    group = await shop.firm.group([])
    theirs = await rival.group([])
    body = {
        "name": "Grouped",
        "account_uuids": await pair(shop),
        "group_uuids": [group["uuid"], group["uuid"], theirs["uuid"], unknown(), "nope"],
    }
    await refused_create(shop, body, errors_of(("group_uuids.4", NOT_UUID)))
    body["group_uuids"] = body["group_uuids"][:4]
    errors = errors_of(
        ("group_uuids.1", DUPLICATE), ("group_uuids.2", INVALID), ("group_uuids.3", INVALID)
    )
    await refused_create(shop, body, errors)


async def test_account_and_group_errors_together(shop: Cast) -> None:
    body = {"name": "Both", "account_uuids": [unknown(), unknown()], "group_uuids": [unknown()]}
    errors = errors_of(
        ("account_uuids.0", INVALID), ("account_uuids.1", INVALID), ("group_uuids.0", INVALID)
    )
    await refused_create(shop, body, errors)
    response = await shop.owner.post(CIRCLES, body)
    assert (
        response.json()["message"] == "The selected account uuids.0 is invalid. (and 2 more errors)"
    )


async def test_update_rules(shop: Cast, rival: Firm) -> None:
    circle = await shop.firm.circle(await pair(shop))
    staff = await employee(shop.owner)
    await refused_update(shop, circle, {"name": 1}, errors_of(("name", NOT_STRING)))
    await refused_update(shop, circle, {"name": "\x00"}, errors_of(("name", HAS_NUL)))
    none: dict[str, Any] = {"account_uuids": []}
    await refused_update(shop, circle, none, errors_of(("account_uuids", AT_LEAST_1)))
    theirs = await rival.client_account()
    mine = circle["accounts"][0]["uuid"]
    body = {"account_uuids": [mine, mine, staff["uuid"], theirs["uuid"]], "group_uuids": "x"}
    # A malformed field does not hide the reference errors of the others.
    bad_accounts = (
        ("account_uuids.1", DUPLICATE),
        ("account_uuids.2", INVALID),
        ("account_uuids.3", INVALID),
    )
    errors = errors_of(*bad_accounts, ("group_uuids", NOT_ARRAY))
    await refused_update(shop, circle, body, errors)
    body["group_uuids"] = [unknown()]
    await refused_update(shop, circle, body, errors_of(*bad_accounts, ("group_uuids.0", INVALID)))


# Regression: a length rule composed onto Str reads as characters, not items.
async def test_name_length(shop: Cast) -> None:
    accounts = await pair(shop)
    errors = {"name": ["The name field is required."]}
    await refused_create(shop, {"name": "", "account_uuids": accounts}, errors)
    errors = {"name": ["The name field must not be greater than 255 characters."]}
    await refused_create(shop, {"name": "n" * 256, "account_uuids": accounts}, errors)

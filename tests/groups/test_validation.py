"""Group create and update, and the group list's query: every rule broken, the exact
error body, nothing changed."""

from __future__ import annotations

from typing import Any

from tests.accounts.support import (
    DUPLICATE,
    GROUPS,
    HAS_NUL,
    INVALID,
    NOT_ARRAY,
    NOT_STRING,
    NOT_UUID,
    REQUIRED,
    Cast,
    assert_422,
    assert_body,
    errors_of,
    total,
    unknown,
)
from tests.helpers import Firm


async def refused_create(cast: Cast, body: Any, errors: dict[str, list[str]]) -> None:
    before = await total(cast.owner, GROUPS)
    assert_422(await cast.owner.post(GROUPS, body), errors)
    assert await total(cast.owner, GROUPS) == before


async def refused_update(
    cast: Cast, group: dict[str, Any], body: Any, errors: dict[str, list[str]]
) -> None:
    path = f"{GROUPS}/{group['uuid']}"
    assert_422(await cast.owner.put(path, body), errors)
    assert (await cast.owner.get(path)).json() == group


async def test_empty_body_requires_a_name(shop: Cast) -> None:
    await refused_create(shop, {}, errors_of(("name", REQUIRED)))


async def test_wrong_json_types(shop: Cast) -> None:
    body = {"name": ["Team"], "participants": "everyone"}
    errors = errors_of(("name", NOT_STRING), ("participants", NOT_ARRAY))
    await refused_create(shop, body, errors)
    body = {"name": None, "participants": [None, 5, "x"]}
    errors = errors_of(
        ("name", NOT_STRING),
        ("participants.0", NOT_UUID),
        ("participants.1", NOT_UUID),
        ("participants.2", NOT_UUID),
    )
    await refused_create(shop, body, errors)


async def test_nul_bytes(shop: Cast) -> None:
    await refused_create(shop, {"name": "Te\x00am"}, errors_of(("name", HAS_NUL)))


async def test_participants_must_be_distinct_accounts_of_the_firm(shop: Cast, rival: Firm) -> None:
    client = await shop.firm.client_account()
    theirs = await rival.client_account()
    body = {
        "name": "Bad",
        "participants": [
            client["uuid"],
            client["uuid"],
            theirs["uuid"],
            rival.owner.account_uuid,
            unknown(),
        ],
    }
    errors = errors_of(
        ("participants.1", DUPLICATE),
        ("participants.2", INVALID),
        ("participants.3", INVALID),
        ("participants.4", INVALID),
    )
    await refused_create(shop, body, errors)


async def test_at_most_500_participants(shop: Cast) -> None:
    body = {"name": "Crowd", "participants": [unknown() for _ in range(501)]}
    errors = errors_of(("participants", "The :a field must not have more than 500 items."))
    await refused_create(shop, body, errors)


async def test_update_rules(shop: Cast) -> None:
    client = await shop.firm.client_account()
    group = await shop.firm.group([client["uuid"]])
    await refused_update(shop, group, {"name": 7}, errors_of(("name", NOT_STRING)))
    await refused_update(shop, group, {"name": "\x00"}, errors_of(("name", HAS_NUL)))
    await refused_update(shop, group, {"participants": {}}, errors_of(("participants", NOT_ARRAY)))
    body = {"participants": [client["uuid"], unknown(), client["uuid"]]}
    errors = errors_of(("participants.1", INVALID), ("participants.2", DUPLICATE))
    await refused_update(shop, group, body, errors)


async def test_list_query_errors(shop: Cast) -> None:
    response = await shop.owner.get(GROUPS, params={"filter[slug]": "x"})
    message = "Requested filter(s) `slug` are not allowed. Allowed filter(s) are `uuid, name`."
    assert_body(response, 400, {"message": message})
    response = await shop.owner.get(GROUPS, params={"sort": "-participants_count"})
    message = (
        "Requested sort(s) `participants_count` is not allowed. "
        "Allowed sort(s) are `created_at, updated_at, name`."
    )
    assert_body(response, 400, {"message": message})
    params = {"filter[uuid]": "nope", "per_page": "501"}
    errors = {
        "per_page": ["The per page field must be an integer between 1 and 500."],
        "filter.uuid": ["The filter.uuid filter must be a comma-separated list of UUIDs."],
    }
    assert_422(await shop.owner.get(GROUPS, params=params), errors)


# Regression: a length rule composed onto Str reads as characters, not items.
async def test_name_length(shop: Cast) -> None:
    await refused_create(shop, {"name": ""}, {"name": ["The name field is required."]})
    errors = {"name": ["The name field must not be greater than 255 characters."]}
    await refused_create(shop, {"name": "g" * 256}, errors)

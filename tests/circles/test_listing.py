"""GET /api/v1/circles: pages, filters, sorts and their errors."""

from __future__ import annotations

from tests.accounts.support import (
    CIRCLES,
    Cast,
    assert_422,
    assert_body,
    assert_page,
    listed,
    unknown,
)
from tests.helpers import Firm


async def test_pages(firm: Firm) -> None:
    a, b = await firm.client_account(), await firm.client_account()
    made = [await firm.circle([a["uuid"], b["uuid"]]) for _ in range(3)]
    body = (await firm.owner.get(CIRCLES, params={"per_page": "2", "page": "2"})).json()
    assert_page(body, total=3, path=CIRCLES, page=2, per_page=2)
    assert body["data"] == [made[2]]


async def test_sorts(firm: Firm) -> None:
    a, b = await firm.client_account(), await firm.client_account()
    pair = [a["uuid"], b["uuid"]]
    beta = await firm.circle(pair, name="Beta")
    alpha = await firm.circle(pair, name="Alpha")
    gamma = await firm.circle(pair, name="Beta")
    await firm.owner.put(f"{CIRCLES}/{beta['uuid']}", {"name": "Beta"})
    order = {
        "created_at": [beta, alpha, gamma],
        "-created_at": [gamma, alpha, beta],
        "name": [alpha, beta, gamma],
        "-name": [gamma, beta, alpha],
        "updated_at": [alpha, gamma, beta],
        "-updated_at": [beta, gamma, alpha],
    }
    for sort, expected in order.items():
        assert await listed(firm.owner, CIRCLES, sort=sort) == [e["uuid"] for e in expected], sort


async def test_filters(shop: Cast) -> None:
    tag = unknown()[:8]
    a, b, c = [await shop.firm.client_account() for _ in range(3)]
    first = await shop.firm.circle([a["uuid"], b["uuid"]], name=f"Home {tag}")
    second = await shop.firm.circle([b["uuid"], c["uuid"]], name=f"HOME {tag} two")
    third = await shop.firm.circle([a["uuid"], c["uuid"]], name="Elsewhere")
    by_name = {"filter[name]": f"home {tag}"}
    assert await listed(shop.owner, CIRCLES, **by_name) == [first["uuid"], second["uuid"]]
    by_account = {"filter[account_uuids]": f"{a['uuid']},{unknown()}"}
    assert await listed(shop.owner, CIRCLES, **by_account) == [first["uuid"], third["uuid"]]
    by_uuid = {"filter[uuid]": f"{third['uuid']},{second['uuid']}"}
    assert await listed(shop.owner, CIRCLES, **by_uuid) == [second["uuid"], third["uuid"]]
    both = {**by_name, "filter[account_uuids]": c["uuid"]}
    assert await listed(shop.owner, CIRCLES, **both) == [second["uuid"]]


async def test_unknown_names_are_400(shop: Cast) -> None:
    response = await shop.owner.get(CIRCLES, params={"filter[colour]": unknown()})
    message = (
        "Requested filter(s) `colour` are not allowed. "
        "Allowed filter(s) are `uuid, name, account_uuids, group_uuids`."
    )
    assert_body(response, 400, {"message": message})
    response = await shop.owner.get(CIRCLES, params={"sort": "accounts"})
    message = (
        "Requested sort(s) `accounts` is not allowed. "
        "Allowed sort(s) are `created_at, updated_at, name`."
    )
    assert_body(response, 400, {"message": message})


async def test_bad_values_are_422(shop: Cast) -> None:
    params = {"filter[account_uuids]": "x,y", "filter[uuid]": "", "per_page": "501"}
    errors = {
        "per_page": ["The per page field must be an integer between 1 and 500."],
        "filter.account_uuids": [
            "The filter.account uuids filter must be a comma-separated list of UUIDs."
        ],
        "filter.uuid": ["The filter.uuid filter must be a comma-separated list of UUIDs."],
    }
    assert_422(await shop.owner.get(CIRCLES, params=params), errors)

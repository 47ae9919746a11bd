"""GET /api/v1/account and /api/v1/client: pages, filters, sorts and their errors."""

from __future__ import annotations

import pytest

from tests.accounts.support import (
    ACCOUNTS,
    CLIENTS,
    Cast,
    assert_422,
    assert_body,
    assert_page,
    employee,
    listed,
    unknown,
)
from tests.helpers import Firm

_DATES = "inactive_after, inactive_before, created_after, created_before"
FILTERS = {
    ACCOUNTS: "uuid, type, role, name, email, primary_email, primary_phone_number, status, "
    f"is_prospect, {_DATES}, custom_field:*, groups, exclude_groups, departments, linked_to, "
    "introduced_by, tags",
    CLIENTS: "uuid, type, name, email, primary_email, primary_phone_number, status, is_prospect, "
    f"{_DATES}, custom_field:*, groups, exclude_groups, linked_to, introduced_by, tags",
}
SORTS = (
    "created_at, updated_at, name, first_name, last_name, email, next_review_date, "
    "previous_review_date, anniversary_review_date"
)


async def test_pages_split_the_list(firm: Firm) -> None:
    made = [await firm.client_account() for _ in range(5)]
    seen: list[str] = []
    for page in (1, 2, 3):
        response = await firm.owner.get(CLIENTS, params={"per_page": "2", "page": str(page)})
        assert response.status_code == 200, response.text
        body = response.json()
        assert_page(body, total=5, path=CLIENTS, page=page, per_page=2)
        seen += [item["uuid"] for item in body["data"]]
    assert seen == [m["uuid"] for m in made]
    links = (await firm.owner.get(CLIENTS, params={"per_page": "2", "page": "2"})).json()["links"]
    assert links == {
        "first": "http://test/api/v1/client?per_page=2&page=1",
        "last": "http://test/api/v1/client?per_page=2&page=3",
        "prev": "http://test/api/v1/client?per_page=2&page=1",
        "next": "http://test/api/v1/client?per_page=2&page=3",
    }


async def test_a_page_past_the_end_is_empty(firm: Firm) -> None:
    await firm.client_account()
    body = (await firm.owner.get(CLIENTS, params={"page": "4"})).json()
    assert_page(body, total=1, path=CLIENTS, page=4)
    assert body["data"] == []


async def test_sorts_and_ties(firm: Firm) -> None:
    b = await firm.client_account(first_name="Bea", last_name="Zed", email="z@example.com")
    a = await firm.client_account(first_name="Abe", last_name="Young", email="y@example.com")
    c = await firm.client_account(first_name="Abe", last_name="Young", email="x@example.com")
    order = {
        "": [b, a, c],
        "-created_at": [c, a, b],
        "name": [a, c, b],
        "-name": [b, c, a],
        "first_name": [a, c, b],
        "last_name": [a, c, b],
        "email": [c, a, b],
        "-email": [b, a, c],
    }
    for sort, expected in order.items():
        params = {"sort": sort} if sort else {}
        assert await listed(firm.owner, CLIENTS, **params) == [e["uuid"] for e in expected], sort


async def test_filters(shop: Cast) -> None:
    tag = unknown()[:8]
    a = await shop.firm.client_account(first_name=f"Ann{tag}", email=f"ann{tag}@example.com")
    b = await shop.firm.client_account(first_name=f"ANN{tag}x", email=f"b{tag}@example.com")
    staff = await employee(shop.owner, "admin", first_name=f"ann{tag}")
    shared = await shop.owner.created(
        CLIENTS, {"role": "joint", "name": f"Ann{tag} & Co", "owner_uuids": [a["uuid"]]}
    )
    cases = {
        "filter[name]": (f"ann{tag}", [a, b, staff, shared]),
        "filter[email]": (f"ANN{tag}@", [a]),
        "filter[uuid]": (f"{b['uuid']}, {staff['uuid']},{unknown()}", [b, staff]),
    }
    for key, (value, expected) in cases.items():
        assert await listed(shop.owner, ACCOUNTS, **{key: value}) == [e["uuid"] for e in expected]
    named = {"filter[name]": f"ann{tag}"}
    assert await listed(shop.owner, ACCOUNTS, **named, **{"filter[type]": "employee"}) == [
        staff["uuid"]
    ]
    assert await listed(shop.owner, ACCOUNTS, **named, **{"filter[role]": "joint,admin"}) == [
        staff["uuid"],
        shared["uuid"],
    ]
    assert await listed(shop.owner, CLIENTS, **named) == [a["uuid"], b["uuid"], shared["uuid"]]


async def test_name_filter_treats_wildcards_literally(shop: Cast) -> None:
    await shop.firm.client_account(first_name="Percy")
    assert await listed(shop.owner, ACCOUNTS, **{"filter[name]": "%"}) == []
    assert await listed(shop.owner, ACCOUNTS, **{"filter[name]": "_"}) == []


@pytest.mark.parametrize("path", [ACCOUNTS, CLIENTS])
async def test_unknown_filter_sort_or_include_is_400(shop: Cast, path: str) -> None:
    response = await shop.owner.get(path, params={"filter[colour]": "red"})
    allowed = FILTERS[path]
    message = f"Requested filter(s) `colour` are not allowed. Allowed filter(s) are `{allowed}`."
    assert_body(response, 400, {"message": message})
    response = await shop.owner.get(path, params={"sort": "-colour"})
    message = f"Requested sort(s) `colour` is not allowed. Allowed sort(s) are `{SORTS}`."
    assert_body(response, 400, {"message": message})
    response = await shop.owner.get(path, params={"include": "colour"})
    assert response.status_code == 400
    assert response.json()["message"].startswith("Requested include(s) `colour` are not allowed.")


async def test_bad_filter_values_are_422(shop: Cast) -> None:
    params = {
        "filter[uuid]": "abc",
        "filter[type]": "robot",
        "filter[role]": "owner,king",
        "filter[name]": "a\x00b",
    }
    errors = {
        "filter.uuid": ["The filter.uuid filter must be a comma-separated list of UUIDs."],
        "filter.type": ["The filter.type filter must be one of: client, employee, external."],
        "filter.role": [
            "The filter.role filter must be one of: individual, joint, trust, business, "
            "owner, admin, member, introducer."
        ],
        "filter.name": ["The filter.name filter must be valid text without NUL characters."],
    }
    assert_422(await shop.owner.get(ACCOUNTS, params=params), errors)


@pytest.mark.parametrize(
    ("param", "value", "limit"),
    [
        ("per_page", "501", 500),
        ("per_page", "0", 500),
        ("per_page", "ten", 500),
        ("page", "0", 10**9),
        ("page", "-1", 10**9),
        ("page", "1.5", 10**9),
    ],
)
async def test_bad_page_parameters_are_422(shop: Cast, param: str, value: str, limit: int) -> None:
    message = f"The {param.replace('_', ' ')} field must be an integer between 1 and {limit}."
    response = await shop.owner.get(CLIENTS, params={param: value})
    assert_422(response, {param: [message]})


async def test_per_page_500_is_allowed(shop: Cast) -> None:
    response = await shop.owner.get(CLIENTS, params={"per_page": "500"})
    assert response.status_code == 200
    assert response.json()["meta"]["per_page"] == 500

"""Replay of Plannr's account and client pages: every documented list parameter, the
create examples, the response fields and their types, and a read→PUT round trip."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import Firm
from tests.replay.support import (
    LIST,
    NULL,
    STR,
    assert_list,
    check_types,
    nullable,
    page,
    round_trip,
)  # fmt: skip

LIST_ACCOUNTS = page("operation-get-api-v1-account")
LIST_CLIENTS = page("operation-get-api-v1-client")
CREATE_ACCOUNT = page("operation-postapiv1account")
CREATE_CLIENT = page("operation-post-api-v1-client")
UPDATE_ACCOUNT = page("operation-put-api-v1-account-parameter")

COMPACT = {
    "uuid": STR, "type": STR, "role": STR, "first_name": (STR, NULL),
    "last_name": (STR, NULL), "name": STR, "email": (STR, NULL), "photo_url": STR,
}  # fmt: skip
ACCOUNT = {
    "uuid": STR, "created_at": STR, "updated_at": STR, "type": STR, "role": STR,
    "first_name": (STR, NULL), "last_name": (STR, NULL), "name": STR, "email": (STR, NULL),
    "photo_url": STR, "inactive_at": (STR, NULL), "owners": COMPACT,
    "assigned_adviser": nullable(COMPACT), "assigned_administrator": nullable(COMPACT),
    "assigned_paraplanner": nullable(COMPACT), "introduced_by": nullable(COMPACT),
}  # fmt: skip

# (page, path, query): each documented parameter once, with a value of its documented form.
PARAMETERS = [
    *[
        pytest.param(LIST_ACCOUNTS, "/api/v1/account", q, id=f"account-{next(iter(q))}", marks=m)
        for q, m in [
            ({"sort": "created_at"}, ()), ({"sort": "-updated_at"}, ()),
            ({"sort": "first_name"}, ()), ({"sort": "last_name"}, ()), ({"sort": "email"}, ()),
            ({"sort": "next_review_date"}, ()), ({"sort": "previous_review_date"}, ()),
            ({"sort": "anniversary_review_date"}, ()),
            *[({"include": i}, ()) for i in (
                "primary_phone_number", "primary_email", "primary_address", "assigned_adviser",
                "assigned_administrator", "assigned_paraplanner", "groups", "owners",
                "custom_fields", "external_references", "charge_split_schema")],
            ({"include": "tags"}, ()),
            ({"filter[name]": "Jo"}, ()), ({"filter[email]": "example"}, ()),
            ({"filter[primary_email]": "example"}, ()),
            ({"filter[primary_phone_number]": "0770"}, ()),
            ({"filter[status]": "Active"}, ()),
            ({"filter[is_prospect]": "true"}, ()),
            ({"filter[inactive_after]": "2022-04-05"}, ()),
            ({"filter[inactive_before]": "2022-04-05"}, ()),
            ({"filter[role]": "individual,joint,trust,business,member,owner,admin,introducer"}, ()),
            ({"filter[type]": "client,employee,external"}, ()),
            ({"filter[created_after]": "2022-04-05"}, ()),
            ({"filter[created_before]": "2022-05-31"}, ()),
            ({"filter[custom_field:pet_name]": "Doug"}, ()),
            ({"filter[tags]": "vip"}, ()),
            ({"filter[groups]": "finance"}, ()), ({"filter[departments]": "sales"}, ()),
            ({"filter[exclude_groups]": "6c15dedc-d91f-4cdb-9ce7-c133497e96d8"}, ()),
            ({"filter[introduced_by]": "6c15dedc-d91f-4cdb-9ce7-c133497e96d8"}, ()),
            ({"per_page": "500"}, ()),
        ]
    ],
    *[
        pytest.param(LIST_CLIENTS, "/api/v1/client", q, id=f"client-{next(iter(q))}", marks=m)
        for q, m in [
            *[({"include": i}, ()) for i in (
                "primary_phone_number", "primary_email", "assigned_adviser",
                "assigned_administrator", "groups", "owners", "external_references")],
            ({"include": "tags"}, ()),
            ({"filter[uuid]": "6c15dedc-d91f-4cdb-9ce7-c133497e96d8"}, ()),
            ({"filter[name]": "Jo"}, ()), ({"filter[email]": "example"}, ()),
            ({"filter[is_prospect]": "false"}, ()),
            ({"filter[status]": "Active"}, ()),
            ({"filter[type]": "individual,joint"}, ()),
            ({"filter[created_after]": "2022-04-05"}, ()),
            ({"filter[created_before]": "2022-05-31"}, ()),
            ({"filter[custom_field:pet_name]": "Doug"}, ()),
            ({"filter[tags]": "vip"}, ()),
            ({"filter[groups]": "finance"}, ()),
            ({"filter[exclude_groups]": "6c15dedc-d91f-4cdb-9ce7-c133497e96d8"}, ()),
            ({"filter[introduced_by]": "6c15dedc-d91f-4cdb-9ce7-c133497e96d8"}, ()),
            ({"filter[linked_to]": "6c15dedc-d91f-4cdb-9ce7-c133497e96d8"}, ()),
            *[({"sort": s}, ()) for s in (
                "created_at", "updated_at", "first_name", "last_name", "email",
                "next_review_date", "previous_review_date", "anniversary_review_date")],
            ({"per_page": "500"}, ()),
        ]
    ],
]  # fmt: skip


@pytest.mark.parametrize(("source", "path", "query"), PARAMETERS)
async def test_documented_parameter_is_served(
    firm: Firm, source: str, path: str, query: dict[str, str]
) -> None:
    await firm.client_account()
    body = assert_list(await firm.owner.get(path, params=query))
    for item in body["data"]:
        check_types(item, ACCOUNT)


async def _listed(firm: Firm, path: str, **query: str) -> list[str]:
    body = assert_list(await firm.owner.get(path, params={"per_page": "500", **query}))
    return [item["uuid"] for item in body["data"]]


async def test_client_type_filter_reads_roles(firm: Firm) -> None:
    """LIST_CLIENTS: filter[type] takes client types (individual, joint, trust, business)."""
    one = await firm.client_account()
    two = await firm.client_account()
    joint = await firm.client_account(role="joint", name="The Joneses", owner_uuids=[one["uuid"]])
    assert await _listed(firm, "/api/v1/client", **{"filter[type]": "joint"}) == [joint["uuid"]]
    both = await _listed(firm, "/api/v1/client", **{"filter[type]": "individual,joint"})
    assert both == [one["uuid"], two["uuid"], joint["uuid"]]
    refused = await firm.owner.get("/api/v1/client", params={"filter[type]": "employee"})
    assert refused.status_code == 422
    assert refused.json()["errors"] == {
        "filter.type": [
            "The filter.type filter must be one of: individual, joint, trust, business."
        ]
    }


async def test_group_filters_and_include(firm: Firm) -> None:
    """LIST_ACCOUNTS / LIST_CLIENTS: groups by name part or UUID, exclude_groups by UUID,
    include=groups lists each account's groups."""
    inside = await firm.client_account()
    outside = await firm.client_account()
    group = await firm.group([inside["uuid"]], name="Finance Team")
    for path in ("/api/v1/account", "/api/v1/client"):
        assert await _listed(firm, path, **{"filter[groups]": "finance"}) == [inside["uuid"]]
        by_uuid = await _listed(firm, path, **{"filter[groups]": f"nothing,{group['uuid']}"})
        assert by_uuid == [inside["uuid"]]
        rest = await _listed(firm, path, **{"filter[exclude_groups]": group["uuid"]})
        assert inside["uuid"] not in rest and outside["uuid"] in rest
    body = assert_list(await firm.owner.get("/api/v1/client", params={"include": "groups"}))
    shown = {item["uuid"]: item["groups"] for item in body["data"]}
    assert shown[inside["uuid"]] == [{"uuid": group["uuid"], "name": "Finance Team",
                                       "slug": group["slug"]}]  # fmt: skip
    assert shown[outside["uuid"]] == []


async def test_dates_links_and_absent_data(firm: Firm) -> None:
    """Dates compare whole days; linked_to returns the account and those its ownership
    links tie to it; filters on data this server does not keep match nothing."""
    owner = await firm.client_account(inactive_at="2024-06-01")
    joint = await firm.client_account(role="joint", name="Pair", owner_uuids=[owner["uuid"]])
    other = await firm.client_account()
    path = "/api/v1/client"
    assert await _listed(firm, path, **{"filter[inactive_after]": "2024-05-31"}) == [owner["uuid"]]
    assert await _listed(firm, path, **{"filter[inactive_before]": "2024-06-01"}) == []
    assert await _listed(firm, path, **{"filter[created_before]": "2000-01-01"}) == []
    assert len(await _listed(firm, path, **{"filter[created_after]": "2000-01-01"})) == 3
    assert await _listed(firm, path, **{"filter[linked_to]": joint["uuid"]}) == [
        owner["uuid"], joint["uuid"]]  # fmt: skip
    for empty in ("filter[primary_phone_number]", "filter[custom_field:pet_name]"):
        assert await _listed(firm, "/api/v1/account", **{empty: "x"}) == []
    assert await _listed(firm, path, **{"filter[is_prospect]": "true"}) == []
    assert await _listed(firm, path, **{"filter[is_prospect]": "0"}) == [
        owner["uuid"], joint["uuid"], other["uuid"]]  # fmt: skip
    assert await _listed(firm, path, sort="-next_review_date") == [
        other["uuid"], joint["uuid"], owner["uuid"]]  # fmt: skip


async def test_status_and_introducer(firm: Firm) -> None:
    """CREATE_CLIENT / UPDATE_ACCOUNT: introduced_by_uuid (the introducer of the client);
    LIST_ACCOUNTS / LIST_CLIENTS: status by partial names or UUIDs, introduced_by the
    introducer account."""
    intro = {"type": "external", "role": "introducer", "first_name": "I", "last_name": "N"}
    ian = await firm.owner.created("/api/v1/account", intro)
    active = await firm.owner.created("/api/v1/client-status", {"name": "Active"})
    one = await firm.client_account(introduced_by_uuid=ian["uuid"])
    two = await firm.client_account()
    path = f"/api/v1/account/{two['uuid']}"
    assert (await firm.owner.put(path, {"client_status_uuid": active["uuid"]})).status_code == 200
    for path in ("/api/v1/account", "/api/v1/client"):
        assert await _listed(firm, path, **{"filter[introduced_by]": ian["uuid"]}) == [one["uuid"]]
        assert await _listed(firm, path, **{"filter[status]": "activ"}) == [two["uuid"]]
        by_uuid = await _listed(firm, path, **{"filter[status]": active["uuid"]})
        assert by_uuid == [two["uuid"]]
    assert one["introduced_by"]["uuid"] == ian["uuid"]


async def test_absent_includes_are_empty(firm: Firm) -> None:
    client = await firm.client_account(email="someone@example.com")
    include = ",".join([
        "primary_email", "primary_phone_number", "primary_address", "custom_fields",
        "external_references", "charge_split_schema",
    ])  # fmt: skip
    body = assert_list(await firm.owner.get("/api/v1/account", params={"include": include}))
    item = next(i for i in body["data"] if i["uuid"] == client["uuid"])
    assert item["primary_email"] == {"type": "email", "value": "someone@example.com"}
    assert (item["primary_phone_number"], item["primary_address"]) == (None, None)
    assert (item["custom_fields"], item["external_references"]) == ([], [])
    assert item["charge_split_schema"] is None


# Request examples, restated from the pages (their placeholder UUIDs replaced by records).
EXAMPLES = [
    pytest.param(CREATE_ACCOUNT, "/api/v1/account", {
        "type": "client", "role": "individual", "title": "Mr", "first_name": "Gareth",
        "last_name": "Thompson", "email": "gareth@codepotato.co.uk", "phone": "443330509960",
        "value": 500000, "gender": "male", "height": 186, "weight": 220,
    }, id="account-client"),
    pytest.param(CREATE_ACCOUNT, "/api/v1/account", {
        "type": "employee", "role": "member", "first_name": "Ann", "last_name": "Adviser",
        "email": "ann@codepotato.co.uk",
    }, id="account-employee"),
    pytest.param(CREATE_ACCOUNT, "/api/v1/account", {
        "type": "external", "role": "introducer", "first_name": "Ian", "last_name": "Intro",
    }, id="account-introducer"),
    pytest.param(CREATE_CLIENT, "/api/v1/client", {
        "title": "Mr", "first_name": "Gareth", "last_name": "Thompson",
        "email": "gareth2@codepotato.co.uk", "is_prospect": False, "value": 500000,
    }, id="client"),
]  # fmt: skip


@pytest.mark.parametrize(("source", "path", "body"), EXAMPLES)
async def test_create_example(firm: Firm, source: str, path: str, body: dict[str, Any]) -> None:
    response = await firm.owner.post(path, body)
    assert response.status_code == 201, response.text
    check_types(response.json(), ACCOUNT)


async def test_groups_on_create_and_update(firm: Firm) -> None:
    """CREATE_ACCOUNT: groups (Group UUIDs to sync the client to); UPDATE_ACCOUNT: a list
    replaces them and `groups: null` clears them."""
    first, second = await firm.group([]), await firm.group([])
    body = {"type": "client", "role": "individual", "first_name": "G", "last_name": "T",
            "groups": [first["uuid"]]}  # fmt: skip
    made = await firm.owner.created("/api/v1/account", body)
    path = f"/api/v1/account/{made['uuid']}"

    async def groups_of() -> list[str]:
        listed = assert_list(await firm.owner.get("/api/v1/account", params={
            "include": "groups", "filter[uuid]": made["uuid"]}))  # fmt: skip
        return [g["uuid"] for g in listed["data"][0]["groups"]]

    assert await groups_of() == [first["uuid"]]
    assert (await firm.owner.put(path, {"groups": [second["uuid"]]})).status_code == 200
    assert await groups_of() == [second["uuid"]]
    assert (await firm.owner.put(path, {"first_name": "H"})).status_code == 200
    assert await groups_of() == [second["uuid"]]
    assert (await firm.owner.put(path, {"groups": None})).status_code == 200
    assert await groups_of() == []
    refused = await firm.owner.put(path, {"groups": [second["uuid"], made["uuid"]]})
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"groups.1": ["The selected groups.1 is invalid."]}
    assert await groups_of() == []


async def test_login_flags_read_as_laravel_booleans(firm: Firm) -> None:
    """CREATE_ACCOUNT: booleans as Laravel reads them ("1", 0, "false")."""
    body = {"type": "client", "role": "individual", "first_name": "L", "last_name": "B",
            "email": "flags@example.com",
            "login": {"password": "long enough", "has_write_permission": "1",
                      "has_delete_permission": "false"}}  # fmt: skip
    response = await firm.owner.post("/api/v1/account", body)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("path", ["/api/v1/account", "/api/v1/client"])
async def test_round_trip(firm: Firm, path: str) -> None:
    """UPDATE_ACCOUNT: what GET shows, PUT takes back unchanged (a shared client with an
    owner, an adviser and a circle)."""
    adviser = await firm.actor()
    one = await firm.client_account(assigned_adviser_uuid=adviser.account_uuid,
                                    inactive_at="2025-01-02")  # fmt: skip
    two = await firm.client_account()
    await firm.circle([one["uuid"], two["uuid"]])
    joint = await firm.client_account(role="joint", name="J", owner_uuids=[one["uuid"]])
    for record in (one, joint):
        await round_trip(firm.owner, f"{path}/{record['uuid']}")


async def test_response_types(firm: Firm) -> None:
    made = await firm.client_account()
    shown = (await firm.owner.get(f"/api/v1/account/{made['uuid']}")).json()
    check_types(shown, ACCOUNT)
    assert all(isinstance(c["uuid"], STR) for c in shown["circles"])
    assert isinstance(shown["owners"], LIST)

"""PUT /api/v1/account/{uuid} and /api/v1/client/{uuid}: every rule broken, the exact
422 body, and the record unchanged afterwards."""

from __future__ import annotations

from typing import Any

import pytest

from tests.accounts.support import (
    ACCOUNTS,
    CLIENTS,
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
    joint,
    unknown,
)
from tests.helpers import Firm

OWNERS_REQUIRED = "The :a field is required for joint, trust and business clients."
OWNERS_ONLY_SHARED = "The :a field is only allowed for joint, trust and business clients."


async def refused(
    cast: Cast, record: dict[str, Any], body: Any, errors: dict[str, list[str]]
) -> None:
    """The update is refused with exactly these errors and the record is unchanged."""
    path = f"{ACCOUNTS}/{record['uuid']}"
    assert_422(await cast.owner.put(path, body), errors)
    assert (await cast.owner.get(path)).json() == record


async def test_wrong_json_types(shop: Cast) -> None:
    record = await shop.firm.client_account()
    body = {
        "first_name": 1,
        "email": [],
        "assigned_paraplanner_uuid": "not-a-uuid",
        "owner_uuids": {},
        "role": 3,
    }
    errors = errors_of(
        ("first_name", NOT_STRING),
        ("email", NOT_STRING),
        ("assigned_paraplanner_uuid", NOT_UUID),
        ("owner_uuids", NOT_ARRAY),
        ("role", INVALID),
    )
    await refused(shop, record, body, errors)


async def test_nul_bytes(shop: Cast) -> None:
    record = await shop.firm.client_account()
    await refused(shop, record, {"last_name": "Do\x00e"}, errors_of(("last_name", HAS_NUL)))


@pytest.mark.parametrize("role", ["owner", "member", "introducer", "manager"])
async def test_role_must_belong_to_the_type(shop: Cast, role: str) -> None:
    record = await shop.firm.client_account()
    await refused(shop, record, {"role": role}, errors_of(("role", INVALID)))


async def test_staff_role_must_stay_a_staff_role(shop: Cast) -> None:
    record = await employee(shop.owner)
    await refused(shop, record, {"role": "individual"}, errors_of(("role", INVALID)))


@pytest.mark.parametrize("value", [None, ""])
async def test_a_person_keeps_first_and_last_names(shop: Cast, value: Any) -> None:
    record = await shop.firm.client_account()
    body = {"first_name": value, "last_name": value}
    errors = errors_of(("first_name", REQUIRED), ("last_name", REQUIRED))
    await refused(shop, record, body, errors)
    staff = await employee(shop.owner)
    await refused(shop, staff, {"last_name": value}, errors_of(("last_name", REQUIRED)))


async def test_a_shared_client_keeps_a_name_and_owners(shop: Cast) -> None:
    owner = await shop.firm.client_account()
    record = await joint(shop.firm, [owner["uuid"]])
    errors = errors_of(("name", REQUIRED), ("owner_uuids", OWNERS_REQUIRED))
    await refused(shop, record, {"name": None, "owner_uuids": []}, errors)
    await refused(shop, record, {"name": ""}, errors_of(("name", REQUIRED)))


async def test_owners_the_caller_cannot_see_still_count(shop: Cast) -> None:
    """A shared client keeps owners a member may not open: renaming it is no attempt to
    leave it without owners, and the owners stay."""
    hidden = await shop.firm.client_account()
    adviser = shop.member.account_uuid
    record = await joint(shop.firm, [hidden["uuid"]], assigned_adviser_uuid=adviser)
    path = f"{CLIENTS}/{record['uuid']}"
    response = await shop.member.put(path, json={"name": "Renamed Household"})
    assert response.status_code == 200, response.text
    assert (response.json()["name"], response.json()["owners"]) == ("Renamed Household", [])
    assert (await shop.owner.get(path)).json()["owners"] == record["owners"]


async def test_becoming_a_person_needs_names(shop: Cast) -> None:
    owner = await shop.firm.client_account()
    record = await joint(shop.firm, [owner["uuid"]])
    errors = errors_of(("first_name", REQUIRED), ("last_name", REQUIRED))
    await refused(shop, record, {"role": "individual"}, errors)


async def test_becoming_shared_needs_owners(shop: Cast) -> None:
    record = await shop.firm.client_account()
    body = {"role": "business", "name": "Biz Ltd"}
    await refused(shop, record, body, errors_of(("owner_uuids", OWNERS_REQUIRED)))


async def test_owners_only_for_shared_clients(shop: Cast) -> None:
    record, owner = await shop.firm.client_account(), await shop.firm.client_account()
    body = {"owner_uuids": [owner["uuid"]]}
    await refused(shop, record, body, errors_of(("owner_uuids", OWNERS_ONLY_SHARED)))


async def test_owner_references(shop: Cast, rival: Firm) -> None:
    first = await shop.firm.client_account()
    record = await joint(shop.firm, [first["uuid"]])
    staff = await employee(shop.owner)
    theirs = await rival.client_account()
    body = {
        "owner_uuids": [
            first["uuid"],
            first["uuid"],
            staff["uuid"],
            record["uuid"],
            theirs["uuid"],
            unknown(),
        ]
    }
    errors = errors_of(
        ("owner_uuids.1", DUPLICATE),
        ("owner_uuids.2", INVALID),
        ("owner_uuids.3", INVALID),
        ("owner_uuids.4", INVALID),
        ("owner_uuids.5", INVALID),
    )
    await refused(shop, record, body, errors)
    body = {"owner_uuids": [unknown() for _ in range(11)]}
    errors = errors_of(("owner_uuids", "The :a field must not have more than 10 items."))
    await refused(shop, record, body, errors)


async def test_assigned_staff_references(shop: Cast, rival: Firm) -> None:
    record = await shop.firm.client_account()
    other_client = await shop.firm.client_account()
    body = {
        "assigned_adviser_uuid": other_client["uuid"],
        "assigned_administrator_uuid": rival.owner.account_uuid,
        "assigned_paraplanner_uuid": unknown(),
    }
    errors = errors_of(
        ("assigned_adviser_uuid", INVALID),
        ("assigned_administrator_uuid", INVALID),
        ("assigned_paraplanner_uuid", INVALID),
    )
    await refused(shop, record, body, errors)


async def test_email_and_date_formats(shop: Cast) -> None:
    record = await shop.firm.client_account()
    body = {"email": "nope", "inactive_at": "tomorrow"}
    errors = errors_of(
        ("email", "The :a field must be a valid email address."),
        ("inactive_at", "The :a field must match the format Y-m-d."),
    )
    await refused(shop, record, body, errors)


async def test_client_route_refuses_staff_roles(shop: Cast) -> None:
    record = await shop.firm.client_account()
    response = await shop.owner.put(f"{CLIENTS}/{record['uuid']}", {"role": "admin"})
    assert_422(response, errors_of(("role", INVALID)))


async def test_empty_update_changes_nothing_but_the_time(shop: Cast) -> None:
    record = await shop.firm.client_account()
    response = await shop.owner.put(f"{CLIENTS}/{record['uuid']}", {})
    assert response.status_code == 200, response.text
    data = response.json()
    assert {**data, "updated_at": record["updated_at"]} == record

"""POST /api/v1/account and /api/v1/client: every rule broken, the exact 422 body, and
nothing created afterwards."""

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
    NOT_BOOL,
    NOT_STRING,
    NOT_UUID,
    REQUIRED,
    Cast,
    assert_422,
    employee,
    errors_of,
    joint,
    total,
    unknown,
)
from tests.helpers import Firm

PERSON = {"type": "client", "role": "individual", "first_name": "Val", "last_name": "Id"}
OWNERS_REQUIRED = "The :a field is required for joint, trust and business clients."
OWNERS_ONLY_SHARED = "The :a field is only allowed for joint, trust and business clients."
NOT_DATE = "The :a field must match the format Y-m-d."


async def refused(
    cast: Cast, body: Any, errors: dict[str, list[str]], path: str = ACCOUNTS
) -> None:
    """The create is refused with exactly these errors and the firm is unchanged."""
    before = await total(cast.owner, ACCOUNTS)
    assert_422(await cast.owner.post(path, body), errors)
    assert await total(cast.owner, ACCOUNTS) == before


async def test_empty_body_requires_type_and_role(shop: Cast) -> None:
    errors = errors_of(("type", REQUIRED), ("role", REQUIRED))
    await refused(shop, {}, errors)
    response = await shop.owner.post(ACCOUNTS, {})
    assert response.json()["message"] == "The type field is required. (and 1 more error)"


async def test_wrong_json_types_are_all_reported(shop: Cast) -> None:
    body = {
        "type": 5,
        "role": ["member"],
        "first_name": 5,
        "last_name": True,
        "name": 1.5,
        "email": 7,
        "assigned_adviser_uuid": 5,
        "assigned_administrator_uuid": {"uuid": unknown()},
        "owner_uuids": "x",
        "inactive_at": 20240101,
        "login": "yes",
    }
    errors = errors_of(
        ("first_name", NOT_STRING),
        ("last_name", NOT_STRING),
        ("name", NOT_STRING),
        ("email", NOT_STRING),
        ("assigned_adviser_uuid", NOT_UUID),
        ("assigned_administrator_uuid", NOT_UUID),
        ("owner_uuids", NOT_ARRAY),
        ("inactive_at", NOT_DATE),
        ("type", INVALID),
        ("role", INVALID),
        ("login", "The :a field must be an object."),
    )
    await refused(shop, body, errors)
    response = await shop.owner.post(ACCOUNTS, body)
    assert (
        response.json()["message"] == "The first name field must be a string. (and 10 more errors)"
    )


async def test_nul_bytes_are_refused(shop: Cast) -> None:
    body = {**PERSON, "first_name": "A\x00", "last_name": "\x00", "email": "a\x00@b.com"}
    errors = errors_of(("first_name", HAS_NUL), ("last_name", HAS_NUL), ("email", HAS_NUL))
    await refused(shop, body, errors)
    shared = {"role": "joint", "name": "J\x00", "owner_uuids": [unknown()]}
    await refused(shop, shared, errors_of(("name", HAS_NUL)), CLIENTS)


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        ("client", "owner"),
        ("employee", "individual"),
        ("external", "member"),
        ("employee", "introducer"),
        ("client", "introducer"),
    ],
)
async def test_role_must_belong_to_the_type(shop: Cast, kind: str, role: str) -> None:
    body = {"type": kind, "role": role, "first_name": "A", "last_name": "B"}
    await refused(shop, body, errors_of(("role", INVALID)))


@pytest.mark.parametrize(
    ("kind", "role"), [("client", "individual"), ("employee", "member"), ("external", "introducer")]
)
async def test_people_need_first_and_last_names(shop: Cast, kind: str, role: str) -> None:
    errors = errors_of(("first_name", REQUIRED), ("last_name", REQUIRED))
    await refused(shop, {"type": kind, "role": role, "name": "Whole Name"}, errors)
    blank = {"type": kind, "role": role, "first_name": "", "last_name": None}
    await refused(shop, blank, errors)


@pytest.mark.parametrize("role", ["joint", "trust", "business"])
async def test_shared_clients_need_a_name_and_owners(shop: Cast, role: str) -> None:
    body = {"type": "client", "role": role, "first_name": "Not", "last_name": "Enough"}
    errors = errors_of(("owner_uuids", OWNERS_REQUIRED), ("name", REQUIRED))
    await refused(shop, body, errors)
    await refused(shop, {**body, "owner_uuids": []}, errors)


async def test_owners_must_be_distinct_individual_clients_of_the_firm(
    shop: Cast, rival: Firm
) -> None:
    mine = await shop.firm.client_account()
    staff = await employee(shop.owner)
    shared = await joint(shop.firm, [mine["uuid"]])
    theirs = await rival.client_account()
    owners = [mine["uuid"], mine["uuid"], unknown(), staff["uuid"], shared["uuid"], theirs["uuid"]]
    body = {"role": "joint", "name": "Bad Owners", "owner_uuids": owners}
    errors = errors_of(
        ("owner_uuids.1", DUPLICATE),
        ("owner_uuids.2", INVALID),
        ("owner_uuids.3", INVALID),
        ("owner_uuids.4", INVALID),
        ("owner_uuids.5", INVALID),
    )
    await refused(shop, body, errors, CLIENTS)


async def test_owner_uuids_must_be_uuids(shop: Cast) -> None:
    body = {"role": "joint", "name": "J", "owner_uuids": ["nope", 7, None]}
    errors = errors_of(
        ("owner_uuids.0", NOT_UUID), ("owner_uuids.1", NOT_UUID), ("owner_uuids.2", NOT_UUID)
    )
    await refused(shop, body, errors, CLIENTS)


async def test_at_most_ten_owners(shop: Cast) -> None:
    body = {"role": "joint", "name": "Crowd", "owner_uuids": [unknown() for _ in range(11)]}
    errors = errors_of(("owner_uuids", "The :a field must not have more than 10 items."))
    await refused(shop, body, errors, CLIENTS)


async def test_owners_only_for_shared_clients(shop: Cast) -> None:
    owner = await shop.firm.client_account()
    body = {**PERSON, "owner_uuids": [owner["uuid"]]}
    await refused(shop, body, errors_of(("owner_uuids", OWNERS_ONLY_SHARED)))


async def test_assigned_staff_must_be_employees_of_the_firm(shop: Cast, rival: Firm) -> None:
    client = await shop.firm.client_account()
    introducer = await shop.owner.created(
        ACCOUNTS, {"type": "external", "role": "introducer", "first_name": "I", "last_name": "N"}
    )
    body = {
        **PERSON,
        "assigned_adviser_uuid": client["uuid"],
        "assigned_administrator_uuid": introducer["uuid"],
        "assigned_paraplanner_uuid": rival.owner.account_uuid,
    }
    errors = errors_of(
        ("assigned_adviser_uuid", INVALID),
        ("assigned_administrator_uuid", INVALID),
        ("assigned_paraplanner_uuid", INVALID),
    )
    await refused(shop, body, errors)
    await refused(
        shop,
        {**PERSON, "assigned_adviser_uuid": unknown()},
        errors_of(("assigned_adviser_uuid", INVALID)),
    )


@pytest.mark.parametrize("email", ["plain", "a@b", "a b@c.com", "@example.com", "a@b.com\n"])
async def test_email_must_be_an_address(shop: Cast, email: str) -> None:
    errors = errors_of(("email", "The :a field must be a valid email address."))
    await refused(shop, {**PERSON, "email": email}, errors)


@pytest.mark.parametrize("value", ["2024-02-30", "31/01/2024", "2024-1-5", ""])
async def test_inactive_at_is_a_date(shop: Cast, value: str) -> None:
    await refused(shop, {**PERSON, "inactive_at": value}, errors_of(("inactive_at", NOT_DATE)))


async def test_login_needs_an_email(shop: Cast) -> None:
    body = {**PERSON, "login": {"password": "long enough"}}
    errors = errors_of(("email", "The :a field is required when login is present."))
    await refused(shop, body, errors)


async def test_login_fields_are_typed(shop: Cast) -> None:
    login = {"password": 12345678, "has_write_permission": "yes", "has_delete_permission": 2}
    body = {**PERSON, "email": "typed@example.com", "login": login}
    errors = errors_of(
        ("login.password", NOT_STRING),
        ("login.has_write_permission", NOT_BOOL),
        ("login.has_delete_permission", NOT_BOOL),
    )
    await refused(shop, body, errors)
    errors = errors_of(("login.password", REQUIRED))
    await refused(shop, {**body, "login": {}}, errors)


async def test_login_email_already_used_by_a_user(shop: Cast) -> None:
    taken = shop.firm.emails[0].upper()
    body = {**PERSON, "email": taken, "login": {"password": "long enough"}}
    await refused(shop, body, errors_of(("email", "The :a has already been taken.")))
    # Without a login the email is just contact data and may repeat.
    created = await shop.owner.created(ACCOUNTS, {**PERSON, "email": taken})
    assert created["email"] == taken


async def test_client_route_takes_client_roles_only(shop: Cast) -> None:
    body = {"role": "owner", "first_name": "A", "last_name": "B"}
    await refused(shop, body, errors_of(("role", INVALID)), CLIENTS)


async def test_body_rules_and_reference_rules_reported_together(shop: Cast) -> None:
    body = {"type": "client", "role": "trust", "owner_uuids": [unknown()]}
    errors = errors_of(("name", REQUIRED), ("owner_uuids.0", INVALID))
    await refused(shop, body, errors)
    response = await shop.owner.post(ACCOUNTS, body)
    assert response.json()["message"] == "The name field is required. (and 1 more error)"


async def test_malformed_json_is_400(shop: Cast) -> None:
    response = await shop.owner.post(
        ACCOUNTS, content=b'{"type": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"message": "Malformed JSON body."}


# Regressions: length rules composed onto Str, and UUIDs anchored at the very end.


async def test_string_lengths_are_counted_in_characters(shop: Cast) -> None:
    body = {
        **PERSON,
        "first_name": "x" * 256,
        "email": "e" * 250 + "@x.com",
        "login": {"password": "short"},
    }
    errors = {
        "first_name": ["The first name field must not be greater than 255 characters."],
        "email": ["The email field must not be greater than 255 characters."],
        "login.password": ["The login.password field must be at least 8 characters."],
    }
    await refused(shop, body, errors)


async def test_uuid_with_trailing_newline_is_not_a_uuid(shop: Cast) -> None:
    adviser = await employee(shop.owner)
    body = {**PERSON, "assigned_adviser_uuid": adviser["uuid"] + "\n"}
    await refused(shop, body, errors_of(("assigned_adviser_uuid", NOT_UUID)))

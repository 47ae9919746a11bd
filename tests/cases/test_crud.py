"""Cases: create, show, update and delete, field by field."""

from __future__ import annotations

from typing import Any

import pytest

from tests.records_support import (
    CASES,
    COMPACT_KEYS,
    NOT_FOUND,
    TIMESTAMP,
    UUID_RE,
    Cast,
    assert_body,
    compact_of,
    unknown,
)

KEYS = [
    "uuid",
    "name",
    "value",
    "review_at",
    "participants",
    "participants_count",
    "assigned_to_uuids",
    "group_uuids",
    "status",
    "type",
    "completed_at",
    "plans",
    "created_at",
    "updated_at",
]
# A case written without a status, a type or plans.
NO_LOOKUPS = {"status": None, "type": None, "completed_at": None, "plans": []}


def path(case_uuid: str) -> str:
    return f"{CASES}/{case_uuid}"


def values(data: dict[str, Any]) -> dict[str, Any]:
    """The resource's keys in order are exact; returns it without uuid and times."""
    assert list(data) == KEYS
    assert UUID_RE.match(data["uuid"])
    assert TIMESTAMP.match(data["created_at"]) and TIMESTAMP.match(data["updated_at"])
    for person in data["participants"]:
        assert set(person) == COMPACT_KEYS
    return {k: v for k, v in data.items() if k not in ("uuid", "created_at", "updated_at")}


async def test_create_with_every_field(shop: Cast) -> None:
    zoe = await shop.firm.client_account(first_name="Zoe", last_name="Zed")
    adam = await shop.firm.client_account(first_name="Adam", last_name="Ant")
    group = await shop.firm.group([], name="Advice Team")
    body = {
        "name": "Pension transfer",
        "participants": [zoe["uuid"], adam["uuid"]],
        "assigned_to_uuids": [shop.member.account_uuid],
        "group_uuids": [group["uuid"]],
        "value": 4000,
        "review_at": "2026-06-05",
        "unknown": "ignored",
    }
    data = await shop.owner.created(CASES, body)
    assert values(data) == {
        "name": "Pension transfer",
        "value": {"amount": "4000", "currency": "GBP", "formatted": "£40.00"},
        "review_at": "2026-06-05T00:00:00+01:00",
        "participants": [compact_of(adam), compact_of(zoe)],
        "participants_count": 2,
        "assigned_to_uuids": [shop.member.account_uuid],
        "group_uuids": [group["uuid"]],
        **NO_LOOKUPS,
    }
    assert data["created_at"] == data["updated_at"]
    assert_body(await shop.owner.get(path(data["uuid"])), 200, data)


async def test_create_with_only_the_required_fields(shop: Cast) -> None:
    client = await shop.firm.client_account()
    data = await shop.owner.created(CASES, {"name": "Review", "participants": [client["uuid"]]})
    assert values(data) == {
        "name": "Review",
        "value": None,
        "review_at": None,
        "participants": [compact_of(client)],
        "participants_count": 1,
        "assigned_to_uuids": [],
        "group_uuids": [],
        **NO_LOOKUPS,
    }


@pytest.mark.parametrize(
    ("sent", "rendered"),
    [
        ("2026-01-15", "2026-01-15T00:00:00+00:00"),
        ("2026-06-05 11:39:40", "2026-06-05T11:39:40+01:00"),
        ("2026-06-05T11:39:40", "2026-06-05T11:39:40+01:00"),
        ("2026-06-05T11:39", "2026-06-05T11:39:00+01:00"),
        ("2026-06-05T10:39:40Z", "2026-06-05T11:39:40+01:00"),
        ("2026-06-05T12:39:40+02:00", "2026-06-05T11:39:40+01:00"),
        ("2026-06-05T11:39:40.999", "2026-06-05T11:39:40+01:00"),
        (None, None),
    ],
)
async def test_review_at_is_read_in_the_firm_zone(
    shop: Cast, sent: str | None, rendered: str | None
) -> None:
    client = await shop.firm.client_account()
    body = {"name": "Dated", "participants": [client["uuid"]], "review_at": sent}
    assert (await shop.owner.created(CASES, body))["review_at"] == rendered


@pytest.mark.parametrize(
    ("amount", "formatted"),
    [(0, "£0.00"), (5, "£0.05"), (123456789, "£1,234,567.89"), (10**15, "£10,000,000,000,000.00")],
)
async def test_value_is_money(shop: Cast, amount: int, formatted: str) -> None:
    client = await shop.firm.client_account()
    body = {"name": "Valued", "participants": [client["uuid"]], "value": amount}
    data = await shop.owner.created(CASES, body)
    assert data["value"] == {"amount": str(amount), "currency": "GBP", "formatted": formatted}


async def test_show_update_delete_unknown_are_404(shop: Cast) -> None:
    for ref in (unknown(), "not-a-uuid"):
        assert_body(await shop.owner.get(path(ref)), 404, NOT_FOUND)
        assert_body(await shop.owner.put(path(ref), {"name": "x"}), 404, NOT_FOUND)
        assert_body(await shop.owner.delete(path(ref)), 404, NOT_FOUND)


async def test_update_changes_only_given_fields(shop: Cast) -> None:
    first, second = await shop.firm.client_account(), await shop.firm.client_account()
    group = await shop.firm.group([])
    body = {
        "name": "Before",
        "participants": [first["uuid"]],
        "assigned_to_uuids": [shop.admin.account_uuid],
        "group_uuids": [group["uuid"]],
        "value": 100,
        "review_at": "2027-01-01",
    }
    made = await shop.owner.created(CASES, body)
    response = await shop.owner.put(path(made["uuid"]), {"name": "After"})
    assert response.status_code == 200, response.text
    assert values(response.json()) == {**values(made), "name": "After"}
    cleared = {
        "participants": [second["uuid"], first["uuid"]],
        "assigned_to_uuids": None,
        "group_uuids": [],
        "value": None,
        "review_at": None,
    }
    response = await shop.owner.put(path(made["uuid"]), cleared)
    assert response.status_code == 200, response.text
    names = sorted([first, second], key=lambda c: c["name"])
    assert values(response.json()) == {
        "name": "After",
        "value": None,
        "review_at": None,
        "participants": [compact_of(c) for c in names],
        "participants_count": 2,
        "assigned_to_uuids": [],
        "group_uuids": [],
        **NO_LOOKUPS,
    }
    assert response.json()["created_at"] == made["created_at"]
    assert_body(await shop.owner.get(path(made["uuid"])), 200, response.json())


async def test_delete(shop: Cast) -> None:
    client = await shop.firm.client_account()
    made = await shop.owner.created(CASES, {"name": "Gone", "participants": [client["uuid"]]})
    response = await shop.owner.delete(path(made["uuid"]))
    assert (response.status_code, response.content) == (204, b"")
    assert_body(await shop.owner.get(path(made["uuid"])), 404, NOT_FOUND)
    assert (await shop.owner.get(f"/api/v1/client/{client['uuid']}")).status_code == 200

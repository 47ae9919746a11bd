"""Plans: create, show, update and delete, field by field."""

from __future__ import annotations

from typing import Any

import pytest

from tests.records_support import (
    COMPACT_KEYS,
    NOT_FOUND,
    PLANS,
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
    "type",
    "policy_number",
    "status",
    "accounts",
    "created_at",
    "updated_at",
]
TYPES = [
    "annuity",
    "cash_account",
    "fixed_asset",
    "general_insurance",
    "group_protection",
    "investment",
    "loan_credit",
    "mortgage",
    "pension",
    "protection_policy",
]


def owned(account: dict[str, Any], share: float) -> dict[str, Any]:
    """An owner as a plan shows it: the compact account and its share."""
    return compact_of(account) | {"percentage": share, "ownership_percentage": share}


def path(plan_uuid: str) -> str:
    return f"{PLANS}/{plan_uuid}"


def values(data: dict[str, Any]) -> dict[str, Any]:
    """The resource's keys in order are exact; returns it without uuid and times."""
    assert list(data) == KEYS
    assert UUID_RE.match(data["uuid"])
    assert TIMESTAMP.match(data["created_at"]) and TIMESTAMP.match(data["updated_at"])
    for person in data["accounts"]:
        assert set(person) == COMPACT_KEYS | {"percentage", "ownership_percentage"}
    return {k: v for k, v in data.items() if k not in ("uuid", "created_at", "updated_at")}


async def test_create_with_every_field(shop: Cast) -> None:
    zoe = await shop.firm.client_account(first_name="Zoe", last_name="Zed")
    adam = await shop.firm.client_account(first_name="Adam", last_name="Ant")
    body = {
        "name": "Family pension",
        "type": "pension",
        "accounts": [zoe["uuid"], adam["uuid"]],
        "policy_number": "POL-123",
        "status": "proposed",
        "unknown": "ignored",
    }
    data = await shop.owner.created(PLANS, body)
    assert values(data) == {
        "name": "Family pension",
        "type": "pension",
        "policy_number": "POL-123",
        "status": "proposed",
        "accounts": [owned(adam, 50), owned(zoe, 50)],
    }
    assert data["created_at"] == data["updated_at"]
    assert_body(await shop.owner.get(path(data["uuid"])), 200, data)


@pytest.mark.parametrize("kind", TYPES)
async def test_every_type_with_defaults(shop: Cast, kind: str) -> None:
    client = await shop.firm.client_account()
    body = {"name": f"A {kind}", "type": kind, "accounts": [client["uuid"]]}
    data = await shop.owner.created(PLANS, body)
    assert values(data) == {
        "name": f"A {kind}",
        "type": kind,
        "policy_number": None,
        "status": "active",
        "accounts": [owned(client, 100)],
    }


async def test_show_update_delete_unknown_are_404(shop: Cast) -> None:
    for ref in (unknown(), "x"):
        assert_body(await shop.owner.get(path(ref)), 404, NOT_FOUND)
        assert_body(await shop.owner.put(path(ref), {"name": "x"}), 404, NOT_FOUND)
        assert_body(await shop.owner.delete(path(ref)), 404, NOT_FOUND)


async def test_update_changes_only_given_fields(shop: Cast) -> None:
    first, second = await shop.firm.client_account(), await shop.firm.client_account()
    body = {
        "name": "Mortgage",
        "type": "mortgage",
        "accounts": [first["uuid"]],
        "policy_number": "M-1",
    }
    made = await shop.owner.created(PLANS, body)
    response = await shop.owner.put(path(made["uuid"]), {"status": "inactive"})
    assert response.status_code == 200, response.text
    assert values(response.json()) == {**values(made), "status": "inactive"}
    change = {
        "name": "Remortgage",
        "type": "loan_credit",
        "accounts": [second["uuid"]],
        "policy_number": None,
    }
    response = await shop.owner.put(path(made["uuid"]), change)
    assert response.status_code == 200, response.text
    assert values(response.json()) == {
        "name": "Remortgage",
        "type": "loan_credit",
        "policy_number": None,
        "status": "inactive",
        "accounts": [owned(second, 100)],
    }
    assert response.json()["created_at"] == made["created_at"]
    assert_body(await shop.owner.get(path(made["uuid"])), 200, response.json())


async def test_delete(shop: Cast) -> None:
    client = await shop.firm.client_account()
    body = {"name": "Gone", "type": "investment", "accounts": [client["uuid"]]}
    made = await shop.owner.created(PLANS, body)
    response = await shop.owner.delete(path(made["uuid"]))
    assert (response.status_code, response.content) == (204, b"")
    assert_body(await shop.owner.get(path(made["uuid"])), 404, NOT_FOUND)
    assert (await shop.owner.get(f"/api/v1/client/{client['uuid']}")).status_code == 200

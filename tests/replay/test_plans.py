"""Replay of Plannr's plan pages."""

from __future__ import annotations

from tests.helpers import Firm
from tests.replay.support import (
    NULL,
    STR,
    assert_list,
    check_types,
    page,
    round_trip,
)  # fmt: skip

CREATE = page("operation-postapiv1plans.md")
DELETE = page("operation-deleteapiv1plansuuid")
PLANS = "/api/v1/plans"
PLAN = {"uuid": STR, "name": STR, "type": STR, "policy_number": (STR, NULL), "status": STR,
        "accounts": {"uuid": STR, "name": STR}, "created_at": STR, "updated_at": STR}  # fmt: skip


async def test_create_example(firm: Firm) -> None:
    """CREATE: name, accounts, type, policy_number, status (other documented plan fields
    are ignored here)."""
    client = await firm.client_account()
    body = {"name": "Johns ISA", "accounts": [client["uuid"]], "type": "investment",
            "policy_number": "AVF-4355432", "status": "active", "sub_type": "isa",
            "show_on_client_portal": True}  # fmt: skip
    response = await firm.owner.post(PLANS, body)
    assert response.status_code == 201, response.text
    check_types(response.json(), PLAN)
    check_types(assert_list(await firm.owner.get(PLANS))["data"][0], PLAN)


async def test_accounts_with_percentages(firm: Firm) -> None:
    """CREATE: accounts "along with their percentage ownership"."""
    client = await firm.client_account()
    body = {"name": "P", "type": "pension",
            "accounts": [{"uuid": client["uuid"], "percentage": 100}]}  # fmt: skip
    made = await firm.owner.created(PLANS, body)
    assert made["accounts"][0]["percentage"] == 100


async def test_undefined_percentages_split_what_is_left(firm: Firm) -> None:
    """CREATE / UPDATE: "Any percentages that have not be defined will be split equally
    against the remaining percentage"; a plan with shares reads back and writes back."""
    a, b, c = [(await firm.client_account())["uuid"] for _ in range(3)]
    body = {"name": "P", "type": "pension",
            "accounts": [{"uuid": a, "percentage": 40}, b, {"uuid": c}]}  # fmt: skip
    made = await firm.owner.created(PLANS, body)
    shares = {o["uuid"]: o["percentage"] for o in made["accounts"]}
    assert shares == {a: 40, b: 30, c: 30}
    await round_trip(firm.owner, f"{PLANS}/{made['uuid']}")


async def test_delete_answers_204_with_no_body(firm: Firm) -> None:
    """DELETE: 204, empty."""
    client = await firm.client_account()
    made = await firm.owner.created(PLANS, {"name": "P", "type": "pension",
                                            "accounts": [client["uuid"]]})  # fmt: skip
    response = await firm.owner.delete(f"{PLANS}/{made['uuid']}")
    assert (response.status_code, response.content) == (204, b"")


async def test_round_trip(firm: Firm) -> None:
    client = await firm.client_account()
    made = await firm.owner.created(PLANS, {"name": "P", "type": "mortgage",
                                            "accounts": [client["uuid"]],
                                            "policy_number": "X1"})  # fmt: skip
    await round_trip(firm.owner, f"{PLANS}/{made['uuid']}")

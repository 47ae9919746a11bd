"""The goal resource, field by field."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from tests.goals.support import (
    ACCOUNT_KEYS,
    CIRCLE_KEYS,
    GOAL_KEYS,
    TIMESTAMP,
    goal_path,
    joint_client,
)
from tests.helpers import Firm

LONDON = ZoneInfo("Europe/London")


async def test_every_field_of_a_full_goal(firm: Firm) -> None:
    owner = await firm.client_account()
    circle = await firm.circle([owner["uuid"], (await firm.client_account())["uuid"]])
    body = {
        "account_uuids": [owner["uuid"]],
        "name": "Économie de carburant 🚗",
        "description": "Reduce the amount of gas spent yearly.",
        "target_amount": 5000,
        "progress": 68,
        "timeframe": "Within the year.",
        "complete_goal_by": "2027-04-28",
        "priority": 4,
        "show_on_circles": True,
        "visible_to_circles_uuids": [circle["uuid"]],
    }
    goal = await firm.owner.created("/api/v2/goals", body)
    assert set(goal) == GOAL_KEYS
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", goal["uuid"]
    )
    assert goal["name"] == body["name"]
    assert goal["description"] == body["description"]
    assert goal["target_amount"] == {"amount": "5000", "currency": "GBP", "formatted": "£50.00"}
    assert goal["progress"] == "68"
    assert goal["timeframe"] == "Within the year."
    assert goal["complete_goal_by"] == "2027-04-28T00:00:00+01:00"
    assert goal["priority"] == "4"
    assert goal["show_on_circles"] is True
    assert goal["shared_owner_type"] == "individual"
    assert goal["shared_owner"] == goal["accounts"][0]
    assert [a["uuid"] for a in goal["accounts"]] == [owner["uuid"]]
    assert [c["uuid"] for c in goal["visible_to_circles"]] == [circle["uuid"]]
    assert set(goal["accounts"][0]) == ACCOUNT_KEYS
    assert set(goal["visible_to_circles"][0]) == CIRCLE_KEYS
    shown = await firm.owner.get(goal_path(goal["uuid"]))
    assert shown.status_code == 200
    assert shown.json() == goal


async def test_nested_resources_match_their_own_routes(firm: Firm) -> None:
    owner = await firm.client_account()
    circle = await firm.circle([owner["uuid"], (await firm.client_account())["uuid"]])
    goal = await firm.goal([owner["uuid"]], visible_to_circles_uuids=[circle["uuid"]])
    account = await firm.owner.get(f"/api/v1/client/{owner['uuid']}")
    assert goal["accounts"][0] == account.json()
    shown_circle = await firm.owner.get(f"/api/v1/circles/{circle['uuid']}")
    assert goal["visible_to_circles"][0] == shown_circle.json()


async def test_minimal_goal_has_nulls_and_defaults(firm: Firm) -> None:
    owner = await firm.client_account()
    goal = await firm.owner.created(
        "/api/v2/goals", {"account_uuids": [owner["uuid"]], "name": "N"}
    )
    assert set(goal) == GOAL_KEYS
    for field in ("description", "target_amount", "progress", "timeframe", "complete_goal_by"):
        assert goal[field] is None, field
    assert goal["priority"] is None
    assert goal["show_on_circles"] is False
    assert goal["visible_to_circles"] == []


async def test_zero_values_are_not_null(firm: Firm) -> None:
    owner = await firm.client_account()
    goal = await firm.goal([owner["uuid"]], target_amount=0, progress=0, description="")
    assert goal["target_amount"] == {"amount": "0", "currency": "GBP", "formatted": "£0.00"}
    assert goal["progress"] == "0"
    assert goal["description"] == ""


@pytest.mark.parametrize(
    ("amount", "formatted"),
    [
        (1, "£0.01"),
        (99, "£0.99"),
        (100000, "£1,000.00"),
        (123456789, "£1,234,567.89"),
        (10**15, "£10,000,000,000,000.00"),
    ],
)
async def test_money(firm: Firm, amount: int, formatted: str) -> None:
    owner = await firm.client_account()
    goal = await firm.goal([owner["uuid"]], target_amount=amount)
    assert goal["target_amount"] == {
        "amount": str(amount),
        "currency": "GBP",
        "formatted": formatted,
    }


@pytest.mark.parametrize(
    ("day", "rendered"),
    [
        ("2027-04-28", "2027-04-28T00:00:00+01:00"),
        ("2027-01-15", "2027-01-15T00:00:00+00:00"),
        ("2027-03-28", "2027-03-28T00:00:00+00:00"),  # clocks go forward at 01:00 that day
        ("2027-10-31", "2027-10-31T00:00:00+01:00"),  # clocks go back at 02:00 that day
        ("2028-02-29", "2028-02-29T00:00:00+00:00"),
        ("1970-01-01", "1970-01-01T00:00:00+01:00"),  # British Standard Time, 1968-71
        ("9999-12-31", "9999-12-31T00:00:00+00:00"),
    ],
)
async def test_complete_goal_by_is_the_start_of_that_day_in_london(
    firm: Firm, day: str, rendered: str
) -> None:
    owner = await firm.client_account()
    goal = await firm.goal([owner["uuid"]], complete_goal_by=day)
    assert goal["complete_goal_by"] == rendered


async def test_timestamps(firm: Firm) -> None:
    owner = await firm.client_account()
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    goal = await firm.goal([owner["uuid"]])
    after = dt.datetime.now(dt.UTC)
    for field in ("created_at", "updated_at"):
        assert re.fullmatch(TIMESTAMP, goal[field]), goal[field]
    assert goal["created_at"] == goal["updated_at"]
    created = dt.datetime.fromisoformat(goal["created_at"])
    assert before <= created <= after
    assert created.utcoffset() == created.astimezone(LONDON).utcoffset()


async def test_priority_and_progress_are_strings(firm: Firm) -> None:
    owner = await firm.client_account()
    for priority in range(1, 6):
        goal = await firm.goal([owner["uuid"]], priority=priority, progress=priority * 20)
        assert (goal["priority"], goal["progress"]) == (str(priority), str(priority * 20))


@pytest.mark.parametrize("role", ["joint", "trust", "business"])
async def test_single_shared_client_owner(firm: Firm, role: str) -> None:
    shared = await joint_client(firm, role)
    goal = await firm.goal([shared["uuid"]])
    assert goal["shared_owner_type"] == role
    assert goal["shared_owner"] == goal["accounts"][0]
    assert goal["shared_owner"]["uuid"] == shared["uuid"]
    assert goal["shared_owner"]["role"] == role
    assert len(goal["shared_owner"]["owners"]) == 2
    assert set(goal["shared_owner"]) == ACCOUNT_KEYS


async def test_several_owners_are_shared(firm: Firm) -> None:
    first, second = await firm.client_account(), await firm.client_account()
    shared = await joint_client(firm)
    for owners in ([first, second], [first, shared], [shared, second, first]):
        uuids = [o["uuid"] for o in owners]
        goal = await firm.goal(uuids)
        assert goal["shared_owner_type"] == "shared"
        assert goal["shared_owner"] is None
        assert [a["uuid"] for a in goal["accounts"]] == uuids
        assert all(set(a) == ACCOUNT_KEYS for a in goal["accounts"])


async def test_circles_are_listed_in_creation_order(firm: Firm) -> None:
    """goal_circles has no position column: the explicit circles render in the order the
    circles were created, whatever the order of the request."""
    owner = (await firm.client_account())["uuid"]
    circles = []
    for _ in range(3):
        circles.append((await firm.circle([owner, (await firm.client_account())["uuid"]]))["uuid"])
    goal = await firm.goal([owner], visible_to_circles_uuids=[circles[2], circles[0], circles[1]])
    assert [c["uuid"] for c in goal["visible_to_circles"]] == circles
    assert all(set(c) == CIRCLE_KEYS for c in goal["visible_to_circles"])

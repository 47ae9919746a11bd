"""PUT and DELETE /api/v2/goals/{uuid}."""

from __future__ import annotations

from typing import Any

import pytest

from tests.goals.support import (
    GOALS,
    NOT_FOUND,
    goal_count,
    goal_path,
    invalid,
    joint_client,
    one_error,
    random_uuid,
)
from tests.helpers import Firm

FULL = {
    "description": "Reduce the amount of gas spent yearly.",
    "target_amount": 5000,
    "progress": 68,
    "timeframe": "Within the year.",
    "complete_goal_by": "2027-04-28",
    "priority": 4,
}


async def _full_goal(firm: Firm) -> tuple[dict[str, Any], list[str], list[str]]:
    """A goal with every field set; its owner, a second client, and two circles
    (the first explicit on the goal) that each contain the owner."""
    owner, other = (await firm.client_account())["uuid"], (await firm.client_account())["uuid"]
    circles = [(await firm.circle([owner, other]))["uuid"] for _ in range(2)]
    goal = await firm.goal([owner], **FULL, visible_to_circles_uuids=circles[:1])
    return goal, [owner, other], circles


def _without(goal: dict[str, Any], *fields: str) -> dict[str, Any]:
    return {k: v for k, v in goal.items() if k not in {"updated_at", *fields}}


async def _put(firm: Firm, goal_uuid: str, body: Any) -> dict[str, Any]:
    response = await firm.owner.put(goal_path(goal_uuid), body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def test_only_the_given_fields_change(firm: Firm) -> None:
    goal, _, _ = await _full_goal(firm)
    updated = await _put(firm, goal["uuid"], {"progress": 70, "name": "Renamed"})
    assert (updated["progress"], updated["name"]) == ("70", "Renamed")
    assert _without(updated, "progress", "name") == _without(goal, "progress", "name")
    assert updated["created_at"] == goal["created_at"]
    assert updated["updated_at"] >= goal["updated_at"]
    assert (await firm.owner.get(goal_path(goal["uuid"]))).json() == updated


async def test_empty_update_changes_nothing(firm: Firm) -> None:
    goal, _, _ = await _full_goal(firm)
    updated = await _put(firm, goal["uuid"], {"unknown": 1})
    assert _without(updated) == _without(goal)


@pytest.mark.parametrize("field", sorted(FULL))
async def test_nullable_fields_can_be_cleared(firm: Firm, field: str) -> None:
    goal, _, _ = await _full_goal(firm)
    updated = await _put(firm, goal["uuid"], {field: None})
    assert updated[field] is None
    assert _without(updated, field) == _without(goal, field)


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ({"shown_on_circles": True}, True),
        ({"show_on_circles": True}, True),
        ({"show_on_circles": False, "shown_on_circles": True}, False),
    ],
)
async def test_show_on_circles_and_its_other_spelling(
    firm: Firm, body: dict[str, Any], shown: bool
) -> None:
    owner = (await firm.client_account())["uuid"]
    goal = await firm.goal([owner])
    assert (await _put(firm, goal["uuid"], body))["show_on_circles"] is shown
    if shown:
        cleared = await _put(firm, goal["uuid"], {"shown_on_circles": False})
        assert cleared["show_on_circles"] is False


async def test_replacing_the_owners(firm: Firm) -> None:
    goal, (owner, other), _ = await _full_goal(firm)
    third = (await firm.client_account())["uuid"]
    updated = await _put(firm, goal["uuid"], {"account_uuids": [other, owner, third]})
    assert [a["uuid"] for a in updated["accounts"]] == [other, owner, third]
    assert (updated["shared_owner_type"], updated["shared_owner"]) == ("shared", None)
    shared = await joint_client(firm)
    circle = await firm.circle([shared["uuid"], owner])
    body = {"account_uuids": [shared["uuid"]], "visible_to_circles_uuids": [circle["uuid"]]}
    updated = await _put(firm, goal["uuid"], body)
    assert updated["shared_owner_type"] == "joint"
    assert updated["shared_owner"]["uuid"] == shared["uuid"]
    assert [c["uuid"] for c in updated["visible_to_circles"]] == [circle["uuid"]]
    listed = await firm.owner.get(GOALS, params={"filter[account_uuids]": owner})
    assert listed.json()["data"] == []


async def test_replacing_and_resetting_the_circles(firm: Firm) -> None:
    goal, _, circles = await _full_goal(firm)
    updated = await _put(firm, goal["uuid"], {"visible_to_circles_uuids": circles[::-1]})
    assert [c["uuid"] for c in updated["visible_to_circles"]] == circles
    updated = await _put(firm, goal["uuid"], {"visible_to_circles_uuids": [circles[1]]})
    assert [c["uuid"] for c in updated["visible_to_circles"]] == [circles[1]]
    resets: list[list[str] | None] = [[], None]
    for reset in resets:
        updated = await _put(firm, goal["uuid"], {"visible_to_circles_uuids": reset})
        assert updated["visible_to_circles"] == []
    # Defaulted again: shown in every circle that contains the owner.
    listed = await firm.owner.get(GOALS, params={"filter[circle_uuids]": circles[0]})
    assert [g["uuid"] for g in listed.json()["data"]] == [goal["uuid"]]


async def _rejected(firm: Firm, goal: dict[str, Any], body: Any, expected: Any) -> None:
    response = await firm.owner.put(goal_path(goal["uuid"]), body)
    assert response.status_code == 422, response.text
    assert response.json() == expected
    after = await firm.owner.get(goal_path(goal["uuid"]))
    assert after.json() == goal


REQUIRED = "The {} field is required."


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"name": None}, {"name": [REQUIRED.format("name")]}),
        ({"name": ""}, {"name": [REQUIRED.format("name")]}),
        ({"account_uuids": None}, {"account_uuids": [REQUIRED.format("account uuids")]}),
        ({"account_uuids": []}, {"account_uuids": [REQUIRED.format("account uuids")]}),
        (
            {"progress": 50, "priority": 9},
            {"priority": ["The priority field must not be greater than 5."]},
        ),
        (
            {"name": "n" * 256, "show_on_circles": "no", "shown_on_circles": 2},
            {
                "name": ["The name field must not be greater than 255 characters."],
                "show_on_circles": ["The show on circles field must be true or false."],
                "shown_on_circles": ["The shown on circles field must be true or false."],
            },
        ),
    ],
)
async def test_invalid_fields_change_nothing(
    firm: Firm, body: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    goal, _, _ = await _full_goal(firm)
    await _rejected(firm, goal, body, invalid(errors))


async def test_invalid_references_change_nothing(firm: Firm) -> None:
    goal, (owner, other), circles = await _full_goal(firm)
    lonely = await firm.circle([other, (await firm.client_account())["uuid"]])
    body = {
        "name": "Not saved",
        "progress": 1,
        "account_uuids": [owner, firm.owner.account_uuid, owner],
        "visible_to_circles_uuids": [circles[1], lonely["uuid"], random_uuid()],
    }
    errors = {
        "account_uuids.1": ["The selected account uuids.1 is invalid."],
        "account_uuids.2": ["The account uuids.2 field has a duplicate value."],
        "visible_to_circles_uuids.2": ["The selected visible to circles uuids.2 is invalid."],
        "visible_to_circles_uuids.1": [
            "The visible to circles uuids.1 circle must contain at least one of the goal's owners."
        ],
    }
    await _rejected(firm, goal, body, invalid(errors))


async def test_new_owners_must_keep_the_explicit_circles_valid(firm: Firm) -> None:
    goal, _, _ = await _full_goal(firm)
    outsider = (await firm.client_account())["uuid"]
    expected = one_error(
        "account_uuids", "Every circle the goal is shown in must contain one of its owners."
    )
    await _rejected(firm, goal, {"account_uuids": [outsider]}, expected)


async def test_unknown_or_malformed_goal_is_404(firm: Firm) -> None:
    for ref in (random_uuid(), "not-a-uuid", "1"):
        response = await firm.owner.put(goal_path(ref), {"name": "x"})
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
        response = await firm.owner.delete(goal_path(ref))
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
        response = await firm.owner.get(goal_path(ref))
        assert (response.status_code, response.json()) == (404, NOT_FOUND)


async def test_delete_then_404(firm: Firm) -> None:
    goal, (owner, _), circles = await _full_goal(firm)
    kept = await firm.goal([owner])
    response = await firm.owner.delete(goal_path(goal["uuid"]))
    assert response.status_code == 204
    assert response.content == b""
    for method in ("GET", "PUT", "DELETE"):
        again = await firm.owner.request(method, goal_path(goal["uuid"]), json={"name": "x"})
        assert (again.status_code, again.json()) == (404, NOT_FOUND), method
    listed = await firm.owner.get(GOALS)
    assert [g["uuid"] for g in listed.json()["data"]] == [kept["uuid"]]
    assert await goal_count(firm.owner) == 1
    # Its owner and circles are not touched.
    assert (await firm.owner.get(f"/api/v1/client/{owner}")).status_code == 200
    assert (await firm.owner.get(f"/api/v1/circles/{circles[0]}")).status_code == 200


async def test_path_uuid_with_a_trailing_newline_is_404(firm: Firm) -> None:
    """kit/fields.py matches UUIDs with `$`, which also matches before a final newline;
    uuid.UUID then raises and the request becomes a 500."""
    owner = (await firm.client_account())["uuid"]
    goal = await firm.goal([owner])
    for path in (goal_path(goal["uuid"] + "%0A"), f"/api/v1/client/{owner}%0A/goal"):
        response = await firm.owner.get(path)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), path


async def test_other_methods_are_405(firm: Firm) -> None:
    owner = (await firm.client_account())["uuid"]
    goal = await firm.goal([owner])
    for method, path in (("PATCH", goal_path(goal["uuid"])), ("DELETE", GOALS), ("PUT", GOALS)):
        response = await firm.owner.request(method, path, json={})
        assert (response.status_code, response.json()) == (405, {"message": "Method not allowed."})


async def test_deleting_an_owner(firm: Firm) -> None:
    """A goal loses a deleted owner; a goal that had no other owner goes with it."""
    first, second = (await firm.client_account())["uuid"], (await firm.client_account())["uuid"]
    alone = await firm.goal([first])
    shared = await firm.goal([first, second])
    assert (await firm.owner.delete(f"/api/v1/client/{first}")).status_code == 204
    assert (await firm.owner.get(goal_path(alone["uuid"]))).status_code == 404
    left = (await firm.owner.get(goal_path(shared["uuid"]))).json()
    assert [a["uuid"] for a in left["accounts"]] == [second]
    assert (left["shared_owner_type"], left["shared_owner"]["uuid"]) == ("individual", second)
    assert await goal_count(firm.owner) == 1

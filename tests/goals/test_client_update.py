"""The per-client v1 write: PUT /api/v1/client/{client_uuid}/goal/{uuid} changes the
goal's own columns, only for a goal the path's client owns."""

from __future__ import annotations

from typing import Any

from tests.goals.support import NOT_FOUND, client_goals_path, goal_path, one_error, random_uuid
from tests.helpers import Firm

FORBIDDEN = {"message": "This action is unauthorized."}


async def _goal(firm: Firm) -> tuple[str, dict[str, Any]]:
    alice = (await firm.client_account())["uuid"]
    return alice, await firm.goal([alice], name="Retire early", progress=10, priority=2)


async def test_changes_the_columns_given_and_keeps_the_rest(firm: Firm) -> None:
    alice, goal = await _goal(firm)
    path = client_goals_path(alice, goal["uuid"])
    response = await firm.owner.put(path, {"progress": "68", "timeframe": "Within the year."})
    assert response.status_code == 200, response.text
    changed = response.json()
    assert (changed["progress"], changed["timeframe"], changed["name"]) == (
        "68",
        "Within the year.",
        "Retire early",
    )
    assert changed["accounts"] == goal["accounts"]
    assert (await firm.owner.get(goal_path(goal["uuid"]))).json() == changed


async def test_a_read_written_back_changes_nothing_but_the_time(firm: Firm) -> None:
    alice, goal = await _goal(firm)
    path = client_goals_path(alice, goal["uuid"])
    shown = (await firm.owner.get(path)).json()
    body = {k: shown[k] for k in ("name", "description", "progress", "timeframe", "priority")}
    response = await firm.owner.put(path, body | {"target_amount": None})
    assert response.status_code == 200, response.text
    ignore = {"updated_at", "target_amount"}
    assert {k: v for k, v in response.json().items() if k not in ignore} == {
        k: v for k, v in shown.items() if k not in ignore
    }


async def test_a_goal_the_client_does_not_own_is_not_found(firm: Firm) -> None:
    _, goal = await _goal(firm)
    bob = (await firm.client_account())["uuid"]
    for path in (
        client_goals_path(bob, goal["uuid"]),
        client_goals_path(random_uuid(), goal["uuid"]),
        client_goals_path(bob, random_uuid()),
    ):
        response = await firm.owner.put(path, {"name": "Taken"})
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert (await firm.owner.get(goal_path(goal["uuid"]))).json()["name"] == "Retire early"


async def test_not_found_comes_before_forbidden_and_forbidden_before_the_body(
    firm: Firm,
) -> None:
    alice, goal = await _goal(firm)
    bob = (await firm.client_account())["uuid"]
    reader = await firm.actor(role="admin", write=False)
    refused = await reader.put(client_goals_path(bob, goal["uuid"]), {"progress": 900})
    assert (refused.status_code, refused.json()) == (404, NOT_FOUND)
    refused = await reader.put(client_goals_path(alice, goal["uuid"]), {"progress": 900})
    assert (refused.status_code, refused.json()) == (403, FORBIDDEN)


async def test_every_rule_is_reported_and_nothing_changes(firm: Firm) -> None:
    alice, goal = await _goal(firm)
    path = client_goals_path(alice, goal["uuid"])
    response = await firm.owner.put(path, {"progress": 101, "priority": "high", "name": None})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "name": ["The name field is required."],
        "progress": ["The progress field must not be greater than 100."],
        "priority": ["The priority field must be an integer."],
    }
    assert (await firm.owner.get(goal_path(goal["uuid"]))).json() == goal


async def test_a_shared_owner_is_refused_with_its_field_named(firm: Firm) -> None:
    alice, goal = await _goal(firm)
    path = client_goals_path(alice, goal["uuid"])
    response = await firm.owner.put(path, {"name": "Kept?", "shared_owner_uuid": alice})
    assert (response.status_code, response.json()) == (
        422,
        one_error(
            "shared_owner_uuid",
            "The shared owner uuid field is not supported: a goal's owners are set with "
            "account_uuids (PUT /api/v2/goals/{uuid}).",
        ),
    )
    assert (await firm.owner.get(goal_path(goal["uuid"]))).json() == goal

"""Cross-firm isolation on every goals route: firm A's records behave, for firm B, exactly
like records that do not exist (404 on paths, 422 in bodies, absent from lists)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.goals.support import (
    GOALS,
    NOT_FOUND,
    client_goals_path,
    goal_count,
    goal_path,
    one_error,
    uuids_listed,
)
from tests.helpers import Actor, Firm


@dataclass
class Pair:
    a: Firm
    b: Actor
    a_client: str
    a_circle: str
    a_goal: dict[str, Any]
    b_client: str
    b_circle: str
    b_goal: dict[str, Any]


async def _records(firm: Firm) -> tuple[str, str, dict[str, Any]]:
    client, other = (await firm.client_account())["uuid"], (await firm.client_account())["uuid"]
    circle = (await firm.circle([client, other]))["uuid"]
    goal = await firm.goal([client], name="Holiday", priority=3, visible_to_circles_uuids=[circle])
    return client, circle, goal


@pytest.fixture
async def pair(firm: Firm, other_firm: Firm) -> Pair:
    a_client, a_circle, a_goal = await _records(firm)
    b_client, b_circle, b_goal = await _records(other_firm)
    return Pair(firm, other_firm.owner, a_client, a_circle, a_goal, b_client, b_circle, b_goal)


async def _a_unchanged(pair: Pair) -> None:
    response = await pair.a.owner.get(goal_path(pair.a_goal["uuid"]))
    assert response.json() == pair.a_goal
    assert await goal_count(pair.a.owner) == 1


async def test_paths_naming_another_firms_records_are_404(pair: Pair) -> None:
    goal = pair.a_goal["uuid"]
    requests = [
        ("GET", goal_path(goal)),
        ("PUT", goal_path(goal)),
        ("DELETE", goal_path(goal)),
        ("GET", client_goals_path(pair.a_client)),
        ("GET", client_goals_path(pair.a_client, goal)),
        ("GET", client_goals_path(pair.b_client, goal)),
        ("GET", client_goals_path(pair.a_client, pair.b_goal["uuid"])),
    ]
    for method, path in requests:
        response = await pair.b.request(method, path, json={"name": "Taken over"})
        assert (response.status_code, response.json()) == (404, NOT_FOUND), (method, path)
    await _a_unchanged(pair)


async def test_lists_never_show_another_firms_goals(pair: Pair) -> None:
    assert await uuids_listed(pair.b) == [pair.b_goal["uuid"]]
    filters = {
        "uuid": pair.a_goal["uuid"],
        "account_uuids": pair.a_client,
        "circle_uuids": pair.a_circle,
        "name": "Holiday",
        "priority": "3",
    }
    for name, value in filters.items():
        listed = await uuids_listed(pair.b, **{f"filter[{name}]": value})
        expected = [pair.b_goal["uuid"]] if name in ("name", "priority") else []
        assert listed == expected, name
    mixed = f"{pair.a_client},{pair.b_client}"
    assert await uuids_listed(pair.b, **{"filter[account_uuids]": mixed}) == [pair.b_goal["uuid"]]
    assert await uuids_listed(pair.b, client_goals_path(pair.b_client)) == [pair.b_goal["uuid"]]


INVALID_OWNER = one_error("account_uuids.0", "The selected account uuids.0 is invalid.")
INVALID_CIRCLE = one_error(
    "visible_to_circles_uuids.0", "The selected visible to circles uuids.0 is invalid."
)


async def test_bodies_naming_another_firms_records_are_422(pair: Pair) -> None:
    create_owner: dict[str, Any] = {"account_uuids": [pair.a_client], "name": "X"}
    create_circle: dict[str, Any] = {
        "account_uuids": [pair.b_client],
        "name": "X",
        "visible_to_circles_uuids": [pair.a_circle],
    }
    for body, expected in ((create_owner, INVALID_OWNER), (create_circle, INVALID_CIRCLE)):
        response = await pair.b.post(GOALS, body)
        assert response.status_code == 422, response.text
        assert response.json() == expected
    path = goal_path(pair.b_goal["uuid"])
    updates: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"account_uuids": [pair.a_client]}, INVALID_OWNER),
        ({"visible_to_circles_uuids": [pair.a_circle]}, INVALID_CIRCLE),
    ]
    for body, expected in updates:
        response = await pair.b.put(path, body)
        assert response.status_code == 422, response.text
        assert response.json() == expected
    assert (await pair.b.get(path)).json() == pair.b_goal
    assert await goal_count(pair.b) == 1
    await _a_unchanged(pair)


async def test_acting_as_another_firms_account_is_403(pair: Pair) -> None:
    headers = {"X-PLANNR-ACCOUNT-UUID": pair.a.owner.account_uuid}
    for method, path in (("GET", GOALS), ("GET", goal_path(pair.a_goal["uuid"]))):
        response = await pair.b.request(method, path, headers=headers)
        assert response.status_code == 403, (method, path)
    response = await pair.b.post(
        GOALS, {"account_uuids": [pair.a_client], "name": "X"}, headers=headers
    )
    assert response.status_code == 403
    await _a_unchanged(pair)


async def test_every_route_needs_a_token(pair: Pair) -> None:
    goal = pair.a_goal["uuid"]
    requests = [
        ("POST", GOALS),
        ("GET", GOALS),
        ("GET", goal_path(goal)),
        ("PUT", goal_path(goal)),
        ("DELETE", goal_path(goal)),
        ("GET", client_goals_path(pair.a_client)),
        ("GET", client_goals_path(pair.a_client, goal)),
    ]
    for method, path in requests:
        for token in (None, "Bearer nonsense"):
            headers = {"Authorization": token} if token else {}
            response = await pair.a.client.request(method, path, headers=headers, json={})
            assert response.status_code == 401, (method, path, token)
            assert response.json() == {"message": "Unauthenticated."}
    await _a_unchanged(pair)

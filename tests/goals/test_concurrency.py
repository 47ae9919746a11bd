"""Concurrent writes to one goal: each request is one transaction, and racing updates
neither fail nor leave a mix of two requests' owners or circles."""

from __future__ import annotations

import asyncio

from tests.goals.support import goal_path
from tests.helpers import Firm


async def test_racing_owner_replacements(firm: Firm) -> None:
    clients = [(await firm.client_account())["uuid"] for _ in range(4)]
    goal = await firm.goal(clients[:1])
    sets = [[clients[i % 4], clients[(i + 1) % 4]] for i in range(8)]
    responses = await asyncio.gather(
        *(firm.owner.put(goal_path(goal["uuid"]), {"account_uuids": s}) for s in sets)
    )
    assert [r.status_code for r in responses] == [200] * len(sets), [r.text for r in responses]
    final = (await firm.owner.get(goal_path(goal["uuid"]))).json()
    assert [a["uuid"] for a in final["accounts"]] in sets


async def test_racing_circle_replacements(firm: Firm) -> None:
    owner, other = (await firm.client_account())["uuid"], (await firm.client_account())["uuid"]
    circles = [(await firm.circle([owner, other]))["uuid"] for _ in range(3)]
    goal = await firm.goal([owner])
    sets = [[circles[i % 3]] for i in range(6)] + [circles[:2], circles[1:]]
    responses = await asyncio.gather(
        *(firm.owner.put(goal_path(goal["uuid"]), {"visible_to_circles_uuids": s}) for s in sets)
    )
    assert [r.status_code for r in responses] == [200] * len(sets), [r.text for r in responses]
    final = (await firm.owner.get(goal_path(goal["uuid"]))).json()
    assert [c["uuid"] for c in final["visible_to_circles"]] in sets


async def test_racing_owner_and_circle_changes_keep_the_circle_rule(firm: Firm) -> None:
    """Owners [a] shown by default; one request moves the goal to owner b, another limits
    it to a circle that holds a but not b. Both are valid alone, not together: one of them
    must see the other's result (the goal row is locked before the checks)."""
    a, b, c = [(await firm.client_account())["uuid"] for _ in range(3)]
    circle = (await firm.circle([a, c]))["uuid"]
    for _ in range(5):
        goal = await firm.goal([a])
        path = goal_path(goal["uuid"])
        moved, limited = await asyncio.gather(
            firm.owner.put(path, {"account_uuids": [b]}),
            firm.owner.put(path, {"visible_to_circles_uuids": [circle]}),
        )
        assert sorted([moved.status_code, limited.status_code]) == [200, 422], (
            moved.text,
            limited.text,
        )
        final = (await firm.owner.get(path)).json()
        owners = {o["uuid"] for o in final["accounts"]}
        for shown in final["visible_to_circles"]:
            assert owners & {m["uuid"] for m in shown["accounts"]}, final

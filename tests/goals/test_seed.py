"""The seed request of POST /api/v2/goals, in process."""

from __future__ import annotations

from tests.helpers import Firm


async def test_seed_request_renders_every_field(firm: Firm) -> None:
    clients = [await firm.client_account() for _ in range(3)]
    circles = [
        await firm.circle([c["uuid"], (await firm.client_account())["uuid"]]) for c in clients
    ]
    body = {
        "account_uuids": [c["uuid"] for c in clients],
        "name": "Reduced Mileage",
        "description": "Reduce the amount of gas spent yearly.",
        "target_amount": 5000,
        "progress": 68,
        "timeframe": "Within the year.",
        "complete_goal_by": "2027-04-28",
        "priority": 4,
        "show_on_circles": False,
        "visible_to_circles_uuids": [c["uuid"] for c in circles],
    }
    response = await firm.owner.post("/api/v2/goals", body)
    assert response.status_code == 201, response.text
    goal = response.json()
    assert goal["name"] == "Reduced Mileage"
    assert goal["target_amount"] == {"amount": "5000", "currency": "GBP", "formatted": "£50.00"}
    assert goal["progress"] == "68"
    assert goal["priority"] == "4"
    assert goal["complete_goal_by"] == "2027-04-28T00:00:00+01:00"
    assert goal["shared_owner_type"] == "shared"
    assert goal["shared_owner"] is None
    assert [a["uuid"] for a in goal["accounts"]] == body["account_uuids"]
    assert [c["uuid"] for c in goal["visible_to_circles"]] == body["visible_to_circles_uuids"]

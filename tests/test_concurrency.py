"""Racing requests: constraints that fire between check and write answer 409, never 500."""

from __future__ import annotations

import asyncio

from tests.helpers import Firm


async def test_concurrent_groups_with_one_name_never_fail_with_500(firm: Firm) -> None:
    responses = await asyncio.gather(
        *(firm.owner.post("/api/v1/group", {"name": "Race Team"}) for _ in range(8))
    )
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {201, 409}, statuses
    assert statuses.count(201) >= 1
    slugs = [r.json()["slug"] for r in responses if r.status_code == 201]
    assert len(slugs) == len(set(slugs))
    for response in responses:
        if response.status_code == 409:
            assert response.json() == {
                "message": "The request conflicts with a concurrent change; retry it."
            }

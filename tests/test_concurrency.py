"""Racing requests never fail with a 5xx: rules that depend on other rows hold under
concurrency, and a constraint that still fires between check and write answers 409."""

from __future__ import annotations

import asyncio

from tests.helpers import Firm


async def test_concurrent_groups_with_one_name_get_distinct_slugs(firm: Firm) -> None:
    responses = await asyncio.gather(
        *(firm.owner.post("/api/v1/group", {"name": "Race Team"}) for _ in range(8))
    )
    assert [r.status_code for r in responses] == [201] * 8
    slugs = sorted(r.json()["slug"] for r in responses)
    assert slugs == sorted(["race-team", *(f"race-team-{n}" for n in range(2, 9))])


async def test_concurrent_logins_for_one_email_answer_409_not_500(firm: Firm) -> None:
    body = {
        "type": "employee",
        "role": "member",
        "first_name": "Sam",
        "last_name": "Race",
        "email": "race-login@example.com",
        "login": {"password": "a long enough password"},
    }
    responses = await asyncio.gather(*(firm.owner.post("/api/v1/account", body) for _ in range(6)))
    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == 1, statuses
    for response in responses:
        if response.status_code == 409:
            assert response.json() == {
                "message": "The request conflicts with a concurrent change; retry it."
            }
        elif response.status_code != 201:
            assert response.status_code == 422
            assert response.json()["errors"] == {"email": ["The email has already been taken."]}

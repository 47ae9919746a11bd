"""Every list answers the far ends of its parameters with 200 and an empty page, never a
5xx: the largest page the parser accepts, and date filters on the first and last days."""

from __future__ import annotations

import pytest

from tests.helpers import Firm
from tests.tasks.support import TASKS, build_world

LISTS = (
    "/api/v1/account",
    "/api/v1/client",
    "/api/v1/cases",
    "/api/v1/circles",
    "/api/v1/custom-field",
    "/api/v1/group",
    "/api/v1/plans",
    "/api/v1/task",
    "/api/v1/task-status",
    "/api/v2/goals",
)


@pytest.mark.parametrize("path", LISTS)
async def test_the_largest_page_is_an_empty_page(firm: Firm, path: str) -> None:
    # page x per_page = 5 x 10^11 does not fit a 32-bit offset.
    response = await firm.owner.get(path, params={"page": 1_000_000_000, "per_page": 500})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] == []
    assert body["meta"]["current_page"] == 1_000_000_000


@pytest.mark.parametrize(
    "name,day,found",
    [
        ("due_after", "9999-12-31", False),
        ("due_before", "9999-12-31", True),
        ("due_after", "0001-01-01", True),
        ("due_before", "0001-01-01", False),
    ],
)
async def test_due_date_filters_on_the_first_and_last_days(
    firm: Firm, name: str, day: str, found: bool
) -> None:
    world = await build_world(firm)
    due = await world.task_made(name="Due", due_at="2030-01-01 09:00:00")
    listed = await world.owner.get(TASKS, params={f"filter[{name}]": day, "per_page": 500})
    assert listed.status_code == 200, listed.text
    assert (due["uuid"] in {t["uuid"] for t in listed.json()["data"]}) is found

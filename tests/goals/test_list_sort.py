"""GET /api/v2/goals sorts, both directions. As everywhere in this
server, a descending sort is the exact reverse of the ascending one (ties included,
broken on creation order), except that goals without a value come last either way.

Data, in creation order s1..s5 (s3 and then s1 are updated after all exist):
  s1 "Beta"  progress 50   by 2027-05-01  priority 2
  s2 "Alpha" no progress   no date        no priority
  s3 "Beta"  progress 10   by 2027-05-01  priority 2
  s4 "Gamma" progress 50   by 2027-01-01  priority 5
  s5 "Alpha" progress 90   no date        priority 1
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from tests.goals.support import GOALS, goal_path, uuids_listed
from tests.helpers import Firm, new_firm


@dataclass
class Data:
    firm: Firm
    goals: dict[str, str]


@pytest.fixture(scope="module")
async def data(app: FastAPI, client: httpx.AsyncClient) -> Data:
    firm = await new_firm(app, client)
    owner = (await firm.client_account())["uuid"]
    specs = [
        ("Beta", 50, "2027-05-01", 2),
        ("Alpha", None, None, None),
        ("Beta", 10, "2027-05-01", 2),
        ("Gamma", 50, "2027-01-01", 5),
        ("Alpha", 90, None, 1),
    ]
    goals = {}
    for i, (name, progress, by, priority) in enumerate(specs, start=1):
        goal = await firm.goal(
            [owner], name=name, progress=progress, complete_goal_by=by, priority=priority
        )
        goals[f"s{i}"] = goal["uuid"]
    for name in ("s3", "s1"):
        response = await firm.owner.put(goal_path(goals[name]), {"timeframe": "soon"})
        assert response.status_code == 200, response.text
    return Data(firm, goals)


async def _sorted(data: Data, sort: str | None, **params: str) -> list[str]:
    if sort is not None:
        params["sort"] = sort
    names = {uuid: name for name, uuid in data.goals.items()}
    return [names[u] for u in await uuids_listed(data.firm.owner, GOALS, **params)]


@pytest.mark.parametrize(
    ("field", "ascending", "descending"),
    [
        ("created_at", "s1 s2 s3 s4 s5", "s5 s4 s3 s2 s1"),
        ("updated_at", "s2 s4 s5 s3 s1", "s1 s3 s5 s4 s2"),
        ("name", "s2 s5 s1 s3 s4", "s4 s3 s1 s5 s2"),
        ("progress", "s3 s1 s4 s5 s2", "s5 s4 s1 s3 s2"),
        ("complete_goal_by", "s4 s1 s3 s2 s5", "s3 s1 s4 s5 s2"),
        ("priority", "s5 s1 s3 s4 s2", "s4 s3 s1 s5 s2"),
    ],
)
async def test_sort_both_directions(
    data: Data, field: str, ascending: str, descending: str
) -> None:
    assert await _sorted(data, field) == ascending.split()
    assert await _sorted(data, f"-{field}") == descending.split()


async def test_default_sort_is_created_at_ascending(data: Data) -> None:
    assert await _sorted(data, None) == ["s1", "s2", "s3", "s4", "s5"]
    assert await _sorted(data, "") == ["s1", "s2", "s3", "s4", "s5"]


@pytest.mark.parametrize("sort", ["name", "-name", "priority", "-progress", "complete_goal_by"])
async def test_pages_of_a_sort_with_ties_are_stable(data: Data, sort: str) -> None:
    whole = await _sorted(data, sort)
    paged: list[str] = []
    for page in ("1", "2", "3"):
        paged += await _sorted(data, sort, per_page="2", page=page)
    assert paged == whole
    assert await _sorted(data, sort) == whole


async def test_sort_applies_after_filters(data: Data) -> None:
    params = {"filter[name]": "a", "per_page": "500"}
    assert await _sorted(data, "-priority", **params) == ["s4", "s3", "s1", "s5", "s2"]
    params = {"filter[priority]": "2,5"}
    assert await _sorted(data, "-progress", **params) == ["s4", "s1", "s3"]

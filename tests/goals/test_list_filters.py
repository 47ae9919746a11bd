"""GET /api/v2/goals filters, on one read-only data set:

clients A B C D; circles X = {A, B}, Y = {C, D}, Z = {B, C}; goals
  g1 owners A,   "Retirement Fund",   priority 1,    by 2027-01-10, circles by default (X)
  g2 owners B C, "House deposit",     priority 3,    by 2027-06-15, explicit Z only
  g3 owners D,   "retirement top-up", priority 5,    no date,       by default (Y)
  g4 owners C,   "50% off_car",       no priority,   by 2027-06-16, by default (Y, Z)
  g5 owners A D, "Holiday",           priority 3,    by 2026-12-31, explicit X only
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from tests.goals.support import GOALS, random_uuid, uuids_listed
from tests.helpers import Firm, new_firm


@dataclass
class Data:
    firm: Firm
    clients: dict[str, str]
    circles: dict[str, str]
    goals: dict[str, str]
    foreign_goal: str

    def refs(self, names: str) -> str:
        """'A,X,g1' -> the comma-separated UUIDs of those records."""
        every = {**self.clients, **self.circles, **self.goals}
        return ",".join(every[n] for n in names.split(","))


@pytest.fixture(scope="module")
async def data(app: FastAPI, client: httpx.AsyncClient) -> Data:
    firm = await new_firm(app, client)
    clients = {n: (await firm.client_account())["uuid"] for n in "ABCD"}
    members = {"X": "AB", "Y": "CD", "Z": "BC"}
    circles = {
        n: (await firm.circle([clients[m] for m in who]))["uuid"] for n, who in members.items()
    }
    specs = [
        ("A", "Retirement Fund", 1, "2027-01-10", ""),
        ("BC", "House deposit", 3, "2027-06-15", "Z"),
        ("D", "retirement top-up", 5, None, ""),
        ("C", "50% off_car", None, "2027-06-16", ""),
        ("AD", "Holiday", 3, "2026-12-31", "X"),
    ]
    goals = {}
    for i, (owners, name, priority, by, shown_in) in enumerate(specs, start=1):
        goal = await firm.goal(
            [clients[o] for o in owners],
            name=name,
            priority=priority,
            complete_goal_by=by,
            visible_to_circles_uuids=[circles[c] for c in shown_in],
        )
        goals[f"g{i}"] = goal["uuid"]
    foreign = await new_firm(app, client)
    foreign_goal = await foreign.goal([(await foreign.client_account())["uuid"]], name="Holiday")
    return Data(firm, clients, circles, goals, foreign_goal["uuid"])


async def _filtered(data: Data, **filters: str) -> list[str]:
    params = {f"filter[{name}]": value for name, value in filters.items()}
    listed = await uuids_listed(data.firm.owner, GOALS, **params)
    names = {uuid: name for name, uuid in data.goals.items()}
    return [names.get(u, u) for u in listed]


async def test_no_filter_lists_every_goal(data: Data) -> None:
    assert await _filtered(data) == ["g1", "g2", "g3", "g4", "g5"]


@pytest.mark.parametrize(
    ("refs", "expected"),
    [("g1", ["g1"]), ("g3,g1", ["g1", "g3"]), ("A", []), ("X", [])],
)
async def test_uuid(data: Data, refs: str, expected: list[str]) -> None:
    assert await _filtered(data, uuid=data.refs(refs)) == expected


async def test_uuid_unknown_or_of_another_firm(data: Data) -> None:
    assert await _filtered(data, uuid=f"{random_uuid()},{data.foreign_goal}") == []
    mixed = f"{data.foreign_goal},{data.goals['g2']}"
    assert await _filtered(data, uuid=mixed) == ["g2"]


@pytest.mark.parametrize(
    ("refs", "expected"),
    [
        ("A", ["g1", "g5"]),
        ("C", ["g2", "g4"]),
        ("B,D", ["g2", "g3", "g5"]),
        ("A,B,C,D", ["g1", "g2", "g3", "g4", "g5"]),
        ("X", []),
    ],
)
async def test_account_uuids(data: Data, refs: str, expected: list[str]) -> None:
    assert await _filtered(data, account_uuids=data.refs(refs)) == expected


async def test_account_uuids_with_spaces_and_upper_case(data: Data) -> None:
    value = f" {data.clients['A'].upper()} , {data.clients['C']} "
    assert await _filtered(data, account_uuids=value) == ["g1", "g2", "g4", "g5"]


@pytest.mark.parametrize(
    ("refs", "expected"),
    [
        # g2 has B (in X) but is explicitly shown in Z only; g5 is explicitly in X.
        ("X", ["g1", "g5"]),
        # g2 has C and g5 has D (both in Y) but their explicit lists leave Y out.
        ("Y", ["g3", "g4"]),
        ("Z", ["g2", "g4"]),
        ("X,Y", ["g1", "g3", "g4", "g5"]),
        ("X,Y,Z", ["g1", "g2", "g3", "g4", "g5"]),
        ("A", []),
    ],
)
async def test_circle_uuids(data: Data, refs: str, expected: list[str]) -> None:
    assert await _filtered(data, circle_uuids=data.refs(refs)) == expected


async def test_circle_uuids_unknown(data: Data) -> None:
    assert await _filtered(data, circle_uuids=random_uuid()) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("retirement", ["g1", "g3"]),
        ("RETIRE", ["g1", "g3"]),
        ("Fund", ["g1"]),
        ("o", ["g2", "g3", "g4", "g5"]),
        ("%", ["g4"]),
        ("_", ["g4"]),
        ("50% off", ["g4"]),
        ("\\", []),
        ("ho", ["g2", "g5"]),
        ("nothing like it", []),
    ],
)
async def test_name_is_a_case_insensitive_substring(
    data: Data, name: str, expected: list[str]
) -> None:
    assert await _filtered(data, name=name) == expected


@pytest.mark.parametrize(
    ("priority", "expected"),
    [
        ("3", ["g2", "g5"]),
        ("1,5", ["g1", "g3"]),
        ("2", []),
        ("1,2,3,4,5", ["g1", "g2", "g3", "g5"]),
    ],
)
async def test_priority(data: Data, priority: str, expected: list[str]) -> None:
    assert await _filtered(data, priority=priority) == expected


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"complete_goal_by_before": "2027-06-15"}, ["g1", "g5"]),
        ({"complete_goal_by_before": "2027-06-16"}, ["g1", "g2", "g5"]),
        ({"complete_goal_by_after": "2027-06-15"}, ["g4"]),
        ({"complete_goal_by_after": "2026-12-30"}, ["g1", "g2", "g4", "g5"]),
        (
            {"complete_goal_by_after": "2026-12-31", "complete_goal_by_before": "2027-06-16"},
            ["g1", "g2"],
        ),
        ({"complete_goal_by_before": "2026-12-31"}, []),
    ],
)
async def test_complete_goal_by_bounds_are_exclusive(
    data: Data, filters: dict[str, str], expected: list[str]
) -> None:
    assert await _filtered(data, **filters) == expected


async def test_filters_combine_with_and(data: Data) -> None:
    assert await _filtered(data, account_uuids=data.clients["C"], priority="3") == ["g2"]
    both = {"circle_uuids": data.circles["X"], "name": "holi"}
    assert await _filtered(data, **both) == ["g5"]


async def test_filtered_total_and_pages(data: Data) -> None:
    params = {"filter[account_uuids]": data.refs("B,D"), "per_page": "2", "page": "2"}
    body = (await data.firm.owner.get(GOALS, params=params)).json()
    assert [g["uuid"] for g in body["data"]] == [data.goals["g5"]]
    assert body["meta"]["total"] == 3
    assert body["meta"]["last_page"] == 2

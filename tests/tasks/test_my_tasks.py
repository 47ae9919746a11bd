"""GET /api/v1/task filtered on tasks assigned to the caller: the everyday "my open tasks
due soon" list. When the assignee filter names only the caller, the list is found once
and counted and paged from there (from their own task_assignees rows alone when those
answer the list: test_assignee_copies.py), and a member's visibility test is left out
(a task assigned to them is visible to them); these tests pin that it answers exactly
what the general path answers, page by page, with the right total past the end.

Member m and employee e; every task is on client q, which m does not reach, and is
created by the owner, so m sees a task only by being assigned to it:
  a1 m    due 01-10  Not Started    a5 e    due 01-01  Not Started
  a2 m    no due     In Progress    a6 m    due 03-01  Old (archived)
  a3 m    due 01-05  Completed      a7 m    due 01-02  Not Started, subtask of a1
  a4 m e  due 01-20  Not Started    a8 m    due 01-10  Not Started
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.helpers import Actor, Firm
from tests.tasks.support import TASKS, World, random_uuid


@dataclass
class Mine:
    world: World
    member: Actor
    employee: Actor
    tasks: dict[str, str]

    def names(self, uuids: list[str]) -> list[str]:
        by_uuid = {u: n for n, u in self.tasks.items()}
        return [by_uuid.get(u, "other") for u in uuids]


@pytest.fixture(scope="module")
async def mine(world: World) -> Mine:
    firm: Firm = world.firm
    member, employee = await firm.actor(role="member"), await firm.actor(role="member")
    q = (await firm.client_account())["uuid"]
    not_started, in_progress, completed = (s["uuid"] for s in world.statuses)
    parked = (await world.owner.created("/api/v1/task-status", {"name": "Parked"}))["uuid"]
    m, e = member.account_uuid, employee.account_uuid
    specs = [
        ("a1", [m], "2024-01-10 09:00:00", None, None),
        ("a2", [m], None, in_progress, None),
        ("a3", [m], "2024-01-05 09:00:00", completed, None),
        ("a4", [m, e], "2024-01-20 09:00:00", None, None),
        ("a5", [e], "2024-01-01 09:00:00", None, None),
        ("a6", [m], "2024-03-01 09:00:00", parked, None),
        ("a7", [m], "2024-01-02 09:00:00", None, "a1"),
        ("a8", [m], "2024-01-10 09:00:00", None, None),
    ]
    tasks: dict[str, str] = {}
    for name, people, due, status, parent in specs:
        body = world.body(
            name=name,
            taskable_uuid=q,
            task_status_uuid=status or not_started,
            assigned_to_uuids=people,
            due_at=due,
            parent_task_uuid=tasks[parent] if parent else None,
        )
        tasks[name] = (await world.owner.created(TASKS, body))["uuid"]
    # Archived after its task is in it: an archived status takes no tasks.
    archived = await world.owner.put(f"/api/v1/task-status/{parked}", {"is_archived": True})
    assert archived.status_code == 200, archived.text
    return Mine(world, member, employee, tasks)


async def page(actor: Actor, **params: str) -> tuple[list[str], int]:
    response = await actor.get(TASKS, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    return [t["uuid"] for t in body["data"]], body["meta"]["total"]


def assigned(*uuids: str, **params: str) -> dict[str, str]:
    return {"filter[assigned_to_uuids]": ",".join(uuids), **params}


CASES: list[tuple[dict[str, str], list[str]]] = [
    ({"sort": "due_at"}, ["a3", "a1", "a8", "a4", "a6", "a2"]),
    ({"sort": "due_at", "filter[open_tasks]": "true"}, ["a1", "a8", "a4", "a2"]),
    ({"sort": "-due_at", "filter[open_tasks]": "true"}, ["a4", "a8", "a1", "a2"]),
    ({"sort": "due_at", "filter[open_tasks]": "false"}, ["a3", "a6"]),
    (
        {"sort": "due_at", "filter[open_tasks]": "true", "filter[due_before]": "2024-02-01"},
        ["a1", "a8", "a4"],
    ),
    (
        {
            "sort": "due_at",
            "filter[open_tasks]": "true",
            "filter[subtask_visibility]": "include",
        },
        ["a7", "a1", "a8", "a4", "a2"],
    ),
    ({"sort": "name", "filter[subtask_visibility]": "only"}, ["a7"]),
    ({"sort": "created_at", "filter[completed_status]": "true"}, ["a3"]),
    ({"sort": "due_at", "filter[has_due_date]": "false"}, ["a2"]),
    # Lists the assignee rows answer alone (see tasks.listing): by due date either way,
    # with and without due filters, open or closed, at either level.
    ({"sort": "-due_at"}, ["a6", "a4", "a8", "a1", "a3", "a2"]),
    ({"sort": "-due_at", "filter[open_tasks]": "false"}, ["a6", "a3"]),
    ({"sort": "due_at", "filter[due_after]": "2024-01-09"}, ["a1", "a8", "a4", "a6"]),
    (
        {"sort": "-due_at", "filter[open_tasks]": "true", "filter[due_before]": "2024-01-15"},
        ["a8", "a1"],
    ),
    (
        {"sort": "due_at", "filter[open_tasks]": "false", "filter[due_before]": "2024-02-01"},
        ["a3"],
    ),
    (
        {"sort": "due_at", "filter[has_due_date]": "true", "filter[open_tasks]": "true"},
        ["a1", "a8", "a4"],
    ),
    ({"sort": "due_at", "filter[subtask_visibility]": "only"}, ["a7"]),
    (
        {"sort": "-due_at", "filter[subtask_visibility]": "include", "filter[open_tasks]": "false"},
        ["a6", "a3"],
    ),
    ({"sort": "due_at", "filter[not_started_status]": "true"}, ["a1", "a8", "a4"]),
]


@pytest.mark.parametrize(("params", "expected"), CASES)
async def test_my_tasks_as_a_member(
    mine: Mine, params: dict[str, str], expected: list[str]
) -> None:
    m = mine.member.account_uuid
    for uuids in ([m], [m, m], [m, random_uuid()]):  # the last takes the general path
        found, total = await page(mine.member, **assigned(*uuids, **params))
        assert (mine.names(found), total) == (expected, len(expected)), uuids


async def test_my_tasks_page_by_page_and_past_the_end(mine: Mine) -> None:
    m = mine.member.account_uuid
    expected = ["a1", "a8", "a4", "a2"]
    for uuids in ([m], [m, random_uuid()]):
        pages = []
        for number in ("1", "2", "3"):
            params = assigned(*uuids, sort="due_at", per_page="2", page=number)
            params["filter[open_tasks]"] = "true"
            found, total = await page(mine.member, **params)
            assert total == 4, (uuids, number)
            pages.append(mine.names(found))
        assert pages == [expected[:2], expected[2:], []], uuids


async def test_naming_someone_else_too_keeps_the_members_visibility(mine: Mine) -> None:
    """a5 is assigned to e alone: m must not see it through the filter."""
    m, e = mine.member.account_uuid, mine.employee.account_uuid
    found, total = await page(mine.member, **assigned(m, e, sort="due_at"))
    assert (mine.names(found), total) == (["a3", "a1", "a8", "a4", "a6", "a2"], 6)
    assert await page(mine.member, **assigned(e, sort="due_at")) == ([mine.tasks["a4"]], 1)


async def test_my_tasks_as_the_owner(mine: Mine) -> None:
    owner = mine.world.owner
    assert await page(owner, **assigned(owner.account_uuid)) == ([], 0)
    assert await page(owner, **assigned(owner.account_uuid, page="3")) == ([], 0)
    e = mine.employee.account_uuid
    found, total = await page(owner, **assigned(e, sort="-due_at"))
    assert (mine.names(found), total) == (["a4", "a5"], 2)


async def test_the_last_possible_page_is_empty_not_an_error(mine: Mine) -> None:
    m = mine.member.account_uuid
    for uuids in ([m], [m, random_uuid()]):
        params = assigned(*uuids, page="1000000000", per_page="500")
        assert await page(mine.member, **params) == ([], 6)

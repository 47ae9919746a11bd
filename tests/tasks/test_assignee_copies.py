"""Each task_assignees row copies its task's status, due date and level (migration 0006),
and the viewer's own tasks are listed from those copies when they answer the list; each
task_groups row copies its level (migration 0020), which a member's count reads. The
copies must follow every write: inserted with the row, kept in step by a trigger when
the task changes, re-read when the links are replaced. These tests change tasks after
assigning them and compare "mine" with the general path (which reads tasks), and check
the copies against tasks after random sequences of API operations."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import text

from tests.helpers import Actor, Firm
from tests.tasks.support import TASKS, World, random_uuid, task_path

# Lists of one person's tasks that the assignee rows answer alone, and two that need
# tasks (a name filter, a sort on another column), for contrast.
FILTERS: list[dict[str, str]] = [
    {},
    {"filter[open_tasks]": "true"},
    {"filter[open_tasks]": "false"},
    {"filter[open_tasks]": "true", "filter[due_before]": "2024-02-01"},
    {"filter[open_tasks]": "false", "filter[due_after]": "2024-01-05"},
    {"filter[due_before]": "2024-01-15", "filter[due_after]": "2024-01-03"},
    {"filter[has_due_date]": "true"},
    {"filter[has_due_date]": "false"},
    {"filter[subtask_visibility]": "include"},
    {"filter[subtask_visibility]": "only", "filter[open_tasks]": "true"},
    {"filter[completed_status]": "true"},
    {"filter[not_started_status]": "false", "filter[archived_status]": "false"},
    {"filter[name]": "task"},
]
SORTS = ["due_at", "-due_at", "created_at"]
MISMATCHES = text(
    """
    SELECT (SELECT count(*) FROM task_assignees ta
            JOIN tasks t ON t.firm_id = ta.firm_id AND t.id = ta.task_id
            WHERE ta.firm_id = :firm_id
              AND (ta.status_id <> t.status_id OR ta.due_at IS DISTINCT FROM t.due_at
                   OR ta.top_level <> (t.parent_id IS NULL)))
         + (SELECT count(*) FROM task_groups tg
            JOIN tasks t ON t.firm_id = tg.firm_id AND t.id = tg.task_id
            WHERE tg.firm_id = :firm_id AND tg.top_level <> (t.parent_id IS NULL))
    """
)


async def mismatches(firm: Firm) -> int:
    async with firm.app.state.engine.connect() as conn:
        return int((await conn.execute(MISMATCHES, {"firm_id": firm.firm_id})).scalar_one())


async def listing(actor: Actor, uuids: list[str], **params: str) -> tuple[list[str], int]:
    query = {"filter[assigned_to_uuids]": ",".join(uuids), "per_page": "500", **params}
    response = await actor.get(TASKS, params=query)
    assert response.status_code == 200, response.text
    body = response.json()
    return [t["uuid"] for t in body["data"]], body["meta"]["total"]


async def assert_mine_is_general(actor: Actor) -> None:
    """The viewer's own list (assignee filter naming only them) equals the general path's
    (naming also an unknown account), for every filter and sort, and page by page."""
    me = actor.account_uuid
    for sort in SORTS:
        for filters in FILTERS:
            params = {"sort": sort, **filters}
            general = await listing(actor, [me, random_uuid()], **params)
            assert await listing(actor, [me], **params) == general, params
    for sort in ("due_at", "-due_at"):
        params = {"sort": sort, "filter[open_tasks]": "true", "per_page": "2"}
        general_pages, mine_pages = [], []
        for number in ("1", "2", "3", "4"):
            general_pages.append(await listing(actor, [me, random_uuid()], page=number, **params))
            mine_pages.append(await listing(actor, [me], page=number, **params))
        assert mine_pages == general_pages, sort


async def ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def test_my_tasks_follow_their_tasks_after_assignment(fresh: World) -> None:
    """Status, due date and parent changed after the assignee rows were written, the
    assignees replaced, a status archived: the member's own lists keep matching."""
    firm, owner = fresh.firm, fresh.owner
    member, other = await firm.actor(role="member"), await firm.actor(role="member")
    m, o = member.account_uuid, other.account_uuid
    not_started, in_progress, _ = (s["uuid"] for s in fresh.statuses)
    parked = (await owner.created("/api/v1/task-status", {"name": "Parked"}))["uuid"]
    made = {}
    for name, people, due, status in [
        ("task a", [m], "2024-01-10 09:00:00", not_started),
        ("task b", [m, o], "2024-01-20 09:00:00", in_progress),
        ("task c", [m], None, not_started),
        ("task d", [o], "2024-01-02 09:00:00", not_started),
        ("task e", [m], "2024-01-04 09:00:00", parked),
        ("task f", [m], "2024-01-10 09:00:00", not_started),
    ]:
        body = fresh.body(name=name, assigned_to_uuids=people, due_at=due, task_status_uuid=status)
        made[name] = (await owner.created(TASKS, body))["uuid"]
    await assert_mine_is_general(member)

    async def put(name: str, **body: Any) -> None:
        await ok(await owner.put(task_path(made[name]), body))
        assert await mismatches(firm) == 0
        await assert_mine_is_general(member)

    await put("task a", due_at="2024-03-01 09:00:00")  # later due date
    await put("task c", due_at="2024-01-01 09:00:00")  # a due date where there was none
    await put("task b", due_at=None)  # none where there was one
    await put("task a", task_status_uuid=in_progress)  # another open status
    await ok(await owner.request("PATCH", task_path(made["task f"], "/complete")))
    await assert_mine_is_general(member)
    await ok(await owner.request("PATCH", task_path(made["task f"], f"/uncomplete/{parked}")))
    await assert_mine_is_general(member)
    await put("task c", parent_task_uuid=made["task a"])  # now a subtask
    await put("task b", parent_task_uuid=made["task a"])
    await put("task b", parent_task_uuid=None)  # top-level again
    await put("task d", assigned_to_uuids=[m])  # assigned to the member by an update
    await put("task e", assigned_to_uuids=[o])  # taken from the member
    await put("task d", assigned_to_uuids=[m, o], due_at="2024-01-31 09:00:00")
    # Archiving a status closes its tasks without touching them.
    archived = await owner.put(f"/api/v1/task-status/{parked}", {"is_archived": True})
    assert archived.status_code == 200, archived.text
    await assert_mine_is_general(member)
    deleted = await owner.delete(task_path(made["task a"]))  # and its subtask task c
    assert deleted.status_code == 204, deleted.text
    assert await mismatches(firm) == 0
    await assert_mine_is_general(member)
    await assert_mine_is_general(other)


async def test_my_tasks_as_a_manager_from_the_assignee_rows(fresh: World) -> None:
    owner = fresh.owner
    me = owner.account_uuid
    for due in ("2024-01-10 09:00:00", None, "2024-01-03 09:00:00"):
        await fresh.task_made(assigned_to_uuids=[me], due_at=due)
    await fresh.task_made(due_at="2024-01-01 09:00:00")  # not the owner's
    await assert_mine_is_general(owner)


DUES = [None, "2024-01-01 09:00:00", "2024-01-10 09:00:00", "2024-02-15 12:30:00"]


async def random_operations(fresh: World, seed: int, steps: int) -> list[Actor]:
    """Random creates, updates (status, due date, parent, assignees, groups, several at
    once), completions, reopenings and deletes by the owner; the copies are checked after
    each."""
    rng = random.Random(seed)  # noqa: S311 (a reproducible sequence, not a secret)
    firm, owner = fresh.firm, fresh.owner
    members = [await firm.actor(role="member") for _ in range(2)]
    people = [owner.account_uuid, *(a.account_uuid for a in members)]
    groups = [(await firm.group([a.account_uuid]))["uuid"] for a in members]
    statuses = [s["uuid"] for s in fresh.statuses]  # Not Started, In Progress, Completed
    open_statuses = statuses[:2]
    everything = {"filter[subtask_visibility]": "include", "per_page": "500"}
    tasks = [t["uuid"] for t in (await ok(await owner.get(TASKS, params=everything)))["data"]]

    def some(of: list[str]) -> list[str]:
        return rng.sample(of, rng.randint(0, len(of)))

    for _ in range(steps):
        action = rng.choice(
            ["create", "create", "update", "update", "complete", "reopen", "delete"]
        )
        if action == "create" or not tasks:
            body = fresh.body(
                name=f"task {rng.random():.6f}",
                assigned_to_uuids=some(people),
                group_uuids=some(groups),
                due_at=rng.choice(DUES),
                task_status_uuid=rng.choice(statuses),
                parent_task_uuid=rng.choice([None, *tasks]),
            )
            tasks.append((await owner.created(TASKS, body))["uuid"])
        elif action == "update":
            fields: dict[str, Any] = {
                "task_status_uuid": rng.choice(statuses),
                "due_at": rng.choice(DUES),
                "parent_task_uuid": rng.choice([None, *tasks]),
                "assigned_to_uuids": some(people),
                "group_uuids": some(groups),
                "name": f"task {rng.random():.6f}",
            }
            chosen = rng.sample(sorted(fields), rng.randint(1, 3))
            response = await owner.put(task_path(rng.choice(tasks)), {k: fields[k] for k in chosen})
            # A parent inside the task's own subtree (or itself) is refused.
            assert response.status_code in (200, 422), response.text
        elif action == "complete":
            await ok(await owner.request("PATCH", task_path(rng.choice(tasks), "/complete")))
        elif action == "reopen":
            path = task_path(rng.choice(tasks), f"/uncomplete/{rng.choice(open_statuses)}")
            await ok(await owner.request("PATCH", path))
        else:
            gone = rng.choice(tasks)
            response = await owner.delete(task_path(gone))
            assert response.status_code == 204, response.text
            tasks = [t for t in tasks if (await owner.get(task_path(t))).status_code == 200]
        assert await mismatches(firm) == 0, action
    return [owner, *members]


async def test_assignee_rows_copy_their_tasks_after_random_operations(fresh: World) -> None:
    actors = []
    for seed in range(3):
        actors += await random_operations(fresh, seed, steps=40)
    for actor in actors:
        await assert_mine_is_general(actor)
        # A member's count by level is read from the copies (the page is not).
        for level in ("exclude", "include", "only"):
            params = {"filter[subtask_visibility]": level, "per_page": "500"}
            body = await ok(await actor.get(TASKS, params=params))
            assert body["meta"]["total"] == len(body["data"]), level

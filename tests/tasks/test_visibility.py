"""Who sees which tasks and who may write them (visibility rules; logins'
write and delete permissions). Invisible tasks are 404 on every route, never 403."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from advisercrm.auth.principal import template
from advisercrm.tables import tasks
from advisercrm.tasks.description import visible, visible_ids
from tests.helpers import Actor, Firm
from tests.tasks.support import (
    NOT_FOUND,
    TASKS,
    UNAUTHORIZED,
    World,
    build_world,
    listed,
    one_error,
    patch,
    shown,
    task_count,
    task_path,
)


@dataclass
class Scene:
    """Member m is in group G with client p; client q is out of m's reach; c is a client
    with a login of its own. Tasks (by the owner unless said):
      grp on q carrying G · asg on q assigned to m · mine on p written by m ·
      hidden on q · under: subtask of hidden assigned to m · secret: subtask of grp ·
      c_own on c assigned to c · c_unassigned on c · c_elsewhere on q assigned to c."""

    world: World
    member: Actor
    client: Actor
    people: dict[str, str]
    tasks: dict[str, dict[str, Any]]

    def uuid(self, name: str) -> str:
        return str(self.tasks[name]["uuid"])


@pytest.fixture
async def scene(firm: Firm) -> Scene:
    world = await build_world(firm)
    member = await firm.actor(role="member")
    client = await firm.actor(type="client", role="individual")
    p, q = (await firm.client_account())["uuid"], (await firm.client_account())["uuid"]
    group = (await firm.group([member.account_uuid, p]))["uuid"]
    people = {"m": member.account_uuid, "c": client.account_uuid, "p": p, "q": q, "G": group}
    on = {name: {"taskable_uuid": people[name]} for name in ("p", "q", "c")}
    tasks = {
        "grp": await world.task_made(**on["q"], group_uuids=[group]),
        "asg": await world.task_made(**on["q"], assigned_to_uuids=[member.account_uuid]),
        "mine": await world.task_made(member, **on["p"]),
        "hidden": await world.task_made(**on["q"]),
        "c_own": await world.task_made(**on["c"], assigned_to_uuids=[client.account_uuid]),
        "c_unassigned": await world.task_made(**on["c"]),
        "c_elsewhere": await world.task_made(**on["q"], assigned_to_uuids=[client.account_uuid]),
    }
    tasks["under"] = await world.task_made(
        **on["q"], parent_task_uuid=tasks["hidden"]["uuid"], assigned_to_uuids=[member.account_uuid]
    )
    tasks["secret"] = await world.task_made(**on["q"], parent_task_uuid=tasks["grp"]["uuid"])
    return Scene(world, member, client, people, tasks)


async def names_listed(scene: Scene, actor: Actor, **params: str) -> set[str]:
    names = {str(t["uuid"]): n for n, t in scene.tasks.items()}
    every = {"filter[subtask_visibility]": "include", **params}
    return {names.get(u, "world") for u in await listed(actor, **every)}


async def assert_invisible(scene: Scene, actor: Actor, name: str) -> None:
    """404 on every route, and the task unchanged."""
    task_uuid, status = scene.uuid(name), scene.world.statuses[1]["uuid"]
    before = await shown(scene.world.owner, task_uuid)
    for method, path, body in [
        ("GET", task_path(task_uuid), None),
        ("PUT", task_path(task_uuid), {"name": "Mine now"}),
        ("DELETE", task_path(task_uuid), None),
        ("PATCH", task_path(task_uuid, "/complete"), None),
        ("PATCH", task_path(task_uuid, f"/uncomplete/{status}"), None),
    ]:
        response = await actor.request(method, path, json=body)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), (method, path)
    assert await shown(scene.world.owner, task_uuid) == before


async def test_a_member_sees_tasks_by_group_assignment_or_authorship(scene: Scene) -> None:
    assert await names_listed(scene, scene.member) == {"grp", "asg", "mine", "under"}
    for name in ("grp", "asg", "mine", "under"):
        assert (await shown(scene.member, scene.uuid(name)))["uuid"] == scene.uuid(name)
    for name in ("hidden", "secret", "c_own", "c_elsewhere"):
        await assert_invisible(scene, scene.member, name)


async def test_a_members_includes_leave_out_invisible_tasks(scene: Scene) -> None:
    grp = await scene.member.get(task_path(scene.uuid("grp")), params={"include": "subtasks"})
    assert grp.json()["subtasks"] == []
    under = await scene.member.get(
        task_path(scene.uuid("under")), params={"include": "parent_task"}
    )
    assert under.json()["parent_task"] is None


@pytest.mark.parametrize("name", ["grp", "asg", "mine"])
async def test_a_member_writes_the_tasks_they_see(scene: Scene, name: str) -> None:
    path = task_path(scene.uuid(name))
    assert (await scene.member.put(path, {"name": "Renamed"})).json()["name"] == "Renamed"
    done = await patch(scene.member, task_path(scene.uuid(name), "/complete"))
    assert done.status_code == 200 and done.json()["completed_by"]["uuid"] == scene.people["m"]
    assert (await scene.member.delete(path)).status_code == 204


async def test_a_members_references_must_be_visible_to_them(scene: Scene) -> None:
    before = await task_count(scene.world.owner)
    member, world = scene.member, scene.world
    cases: list[tuple[dict[str, Any], str]] = [
        ({"taskable_uuid": scene.people["q"]}, "taskable_uuid"),
        ({"assigned_to_uuids": [scene.people["q"]]}, "assigned_to_uuids.0"),
        ({"parent_task_uuid": scene.uuid("hidden")}, "parent_task_uuid"),
        ({"taskable_type": "plan", "taskable_uuid": world.plan["uuid"]}, "taskable_uuid"),
    ]
    for overrides, key in cases:
        body = world.body(**{"taskable_uuid": scene.people["p"], **overrides})
        response = await member.post(TASKS, body)
        sentence = f"The selected {key.replace('_', ' ')} is invalid."
        assert response.status_code == 422 and response.json() == one_error(key, sentence)
    assert await task_count(world.owner) == before
    body = world.body(
        taskable_uuid=scene.people["p"],
        assigned_to_uuids=[scene.people["p"], world.owner.account_uuid, scene.people["m"]],
        parent_task_uuid=scene.uuid("grp"),
    )
    assert (await member.post(TASKS, body)).status_code == 201


async def test_a_created_task_is_shown_as_its_own_get_shows_it(scene: Scene) -> None:
    """The create renders what its statement returned for the writer: the same document
    the writer's GET then gives, for the owner and for a member (whose task's client, a
    member of their group, and parent they may open)."""
    world, people = scene.world, scene.people
    for actor, taskable in ((world.owner, people["q"]), (scene.member, people["p"])):
        body = world.body(
            taskable_uuid=taskable,
            assigned_to_uuids=[people["p"], world.owner.account_uuid, people["m"]],
            group_uuids=[people["G"]],
            parent_task_uuid=scene.uuid("grp"),
        )
        made = await actor.created(TASKS, body)
        assert made["taskable"]["uuid"] == taskable and len(made["assigned_to"]) == 3
        assert (await actor.get(task_path(made["uuid"]))).json() == made


async def test_a_client_sees_only_its_own_tasks_assigned_to_it(scene: Scene) -> None:
    assert await names_listed(scene, scene.client) == {"c_own"}
    shown_task = await shown(scene.client, scene.uuid("c_own"))
    # Its author, an employee, is not an account the client may open: left out.
    assert shown_task == {**await shown(scene.world.owner, scene.uuid("c_own")), "author": None}
    for name in ("c_unassigned", "c_elsewhere", "grp", "mine"):
        await assert_invisible(scene, scene.client, name)


async def test_a_client_never_writes_tasks(scene: Scene) -> None:
    client, world = scene.client, scene.world
    own, status = scene.uuid("c_own"), world.statuses[1]["uuid"]
    before, count = await shown(world.owner, own), await task_count(world.owner)
    body = world.body(taskable_uuid=scene.people["c"], assigned_to_uuids=[scene.people["c"]])
    for method, path, sent in [
        ("POST", TASKS, body),
        ("PUT", task_path(own), {"name": "Mine now"}),
        ("PATCH", task_path(own, "/complete"), None),
        ("PATCH", task_path(own, f"/uncomplete/{status}"), None),
        ("DELETE", task_path(own), None),
    ]:
        response = await client.request(method, path, json=sent)
        assert (response.status_code, response.json()) == (403, UNAUTHORIZED), (method, path)
    assert await shown(world.owner, own) == before
    assert await task_count(world.owner) == count


async def test_an_introducer_sees_no_tasks_and_writes_none(scene: Scene) -> None:
    introducer = await scene.world.firm.actor(type="external", role="introducer")
    assert await listed(introducer) == []
    await assert_invisible(scene, introducer, "grp")
    response = await introducer.post(TASKS, scene.world.body())
    assert (response.status_code, response.json()) == (403, UNAUTHORIZED)


@pytest.mark.parametrize("role", ["admin", "member"])
async def test_a_login_without_write_permission_only_reads(scene: Scene, role: str) -> None:
    reader = await scene.world.firm.actor(role=role, write=False, delete=True)
    world = scene.world
    # A member sees the tasks assigned to them.
    target = (await world.task_made(assigned_to_uuids=[reader.account_uuid]))["uuid"]
    before, count = await shown(world.owner, target), await task_count(world.owner)
    assert (await shown(reader, target))["uuid"] == target
    for method, path, sent in [
        ("POST", TASKS, world.body()),
        ("PUT", task_path(target), {"name": "Nope"}),
        ("PATCH", task_path(target, "/complete"), None),
        ("PATCH", task_path(target, f"/uncomplete/{world.statuses[1]['uuid']}"), None),
    ]:
        response = await reader.request(method, path, json=sent)
        assert (response.status_code, response.json()) == (403, UNAUTHORIZED), (method, path)
    assert await shown(world.owner, target) == before
    assert await task_count(world.owner) == count
    # The delete flag is independent of the write flag.
    assert (await reader.delete(task_path(target))).status_code == 204


@pytest.mark.parametrize("role", ["admin", "member"])
async def test_a_login_without_delete_permission_cannot_delete(scene: Scene, role: str) -> None:
    writer = await scene.world.firm.actor(role=role, write=True, delete=False)
    target = (await scene.world.task_made(assigned_to_uuids=[writer.account_uuid]))["uuid"]
    count = await task_count(scene.world.owner)
    response = await writer.delete(task_path(target))
    assert (response.status_code, response.json()) == (403, UNAUTHORIZED)
    assert await task_count(scene.world.owner) == count
    assert (await writer.put(task_path(target), {"name": "Still mine"})).status_code == 200


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("exclude", {"grp", "asg", "mine", "all3"}),
        ("include", {"grp", "asg", "mine", "under", "all3", "sub_all3", "sub_grp", "sub_mine"}),
        ("only", {"under", "sub_all3", "sub_grp", "sub_mine"}),
    ],
)
async def test_a_members_count_is_what_they_see(
    scene: Scene, level: str, expected: set[str]
) -> None:
    """A member's list by level alone is counted from their side (their groups' rows,
    their assignee rows, their tasks): a task reached all three ways counts once, a
    subtask counts by its own links, not its parent's."""
    world, member, p, g = scene.world, scene.member, scene.people["p"], scene.people["G"]
    me = [member.account_uuid]
    on_p = {"taskable_uuid": p, "group_uuids": [g], "assigned_to_uuids": me}
    all3 = await world.task_made(member, name="all3", **on_p)
    under_all3 = {"parent_task_uuid": all3["uuid"]}
    scene.tasks |= {
        "all3": all3,
        "sub_all3": await world.task_made(member, **on_p, **under_all3),
        "sub_grp": await world.task_made(**on_p | {"assigned_to_uuids": []}, **under_all3),
        "sub_mine": await world.task_made(member, taskable_uuid=p, **under_all3),  # written only
    }
    params = {"filter[subtask_visibility]": level, "per_page": "500"}
    response = await member.get(TASKS, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    names = {str(t["uuid"]): n for n, t in scene.tasks.items()}
    assert {names.get(t["uuid"], "world") for t in body["data"]} == expected
    assert body["meta"]["total"] == len(body["data"]) == len(expected)
    # The count's rule from the member's side and the page's rule agree.
    top_level = {"exclude": True, "include": None, "only": False}[level]
    viewer, t = template("member"), tasks
    levels = {True: [t.c.parent_id.is_(None)], False: [t.c.parent_id.is_not(None)], None: []}
    general = select(t.c.id).where(
        t.c.firm_id == world.firm.firm_id, visible(viewer), *levels[top_level]
    )
    seen = await world.firm.ids_seen(member, general)
    assert await world.firm.ids_seen(member, visible_ids(viewer, top_level)) == seen
    assert len(seen) == len(expected)

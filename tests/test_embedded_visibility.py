"""A response never shows a record its viewer could not open with its own GET.

One firm where a member and a client login may open tasks, goals, cases, plans, circles,
groups and accounts but not some of the records embedded in them. For each viewer every
record the firm holds is asked for with the viewer's own GET; the UUIDs, names and
emails of those that answer 404 must then appear nowhere in any response the viewer
gets: every show, every list, and the task list and show with their includes. Names and
emails are random tokens, so one never contains another by chance."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.helpers import Actor, Firm

ROUTES = {
    "account": "/api/v1/account",
    "circle": "/api/v1/circles",
    "group": "/api/v1/group",
    "case": "/api/v1/cases",
    "plan": "/api/v1/plans",
    "task": "/api/v1/task",
    "goal": "/api/v2/goals",
}
LISTS = [
    "/api/v1/account",
    "/api/v1/client",
    "/api/v1/circles",
    "/api/v1/group",
    "/api/v1/cases",
    "/api/v1/plans",
    "/api/v2/goals",
    "/api/v1/task",
    "/api/v1/task?include=parent_task,subtasks",
    "/api/v1/task?include=parent_task,subtasks&filter[subtask_visibility]=only",
]
IDENTIFYING = ("uuid", "name", "email", "first_name", "last_name", "slug")


def token(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(5)}"


def names() -> dict[str, str]:
    return {
        "first_name": token("F"),
        "last_name": token("L"),
        "email": f"{token('e')}@example.com",
    }


@dataclass
class Scene:
    firm: Firm
    member: Actor
    client: Actor
    records: dict[str, tuple[str, str]] = field(default_factory=dict)  # name: (kind, uuid)

    def uuid(self, name: str) -> str:
        return self.records[name][1]

    async def made(self, name: str, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        path = "/api/v1/client" if kind == "client" else ROUTES[kind]
        made = await self.firm.owner.created(path, body)
        self.records[name] = ("account" if kind == "client" else kind, made["uuid"])
        return made

    async def task(self, name: str, taskable: tuple[str, str], **extra: Any) -> None:
        statuses = (await self.firm.owner.get("/api/v1/task-status")).json()["data"]
        kind, taskable_name = taskable
        body = {
            "name": token("T"),
            "taskable_type": kind,
            "taskable_uuid": self.uuid(taskable_name),
            "task_status_uuid": statuses[0]["uuid"],
            **extra,
        }
        await self.made(name, "task", body)

    async def hidden_strings(self, viewer: Actor) -> dict[str, str]:
        """Every identifying string of the records that answer 404 to the viewer, with the
        record it belongs to."""
        hidden: dict[str, str] = {}
        for name, (kind, record_uuid) in self.records.items():
            path = f"{ROUTES[kind]}/{record_uuid}"
            response = await viewer.get(path)
            if response.status_code == 404:
                full = (await self.firm.owner.get(path)).json()
                for key in IDENTIFYING:
                    if full.get(key):
                        hidden[str(full[key])] = f"{name}.{key}"
            else:
                assert response.status_code == 200, response.text
        return hidden


@pytest.fixture
async def scene(firm: Firm) -> Scene:
    """Member m reaches p (group g) and the joint client j (owned by p and q), not q, r or
    s; client login c (assigned adviser e) shares circle w with q. r and s are another
    household (circle z) to which c's goal with r is shown."""
    member = await firm.actor(role="member", **names())
    client = await firm.actor(type="client", role="individual", **names())
    scene = Scene(firm, member, client)
    scene.records |= {"m": ("account", member.account_uuid), "c": ("account", client.account_uuid)}
    scene.records["owner"] = ("account", firm.owner.account_uuid)
    e = await scene.made("e", "account", {"type": "employee", "role": "member", **names()})
    for name in ("p", "q", "r", "s"):
        await scene.made(name, "client", names())
    u = scene.uuid
    await scene.made(
        "j",
        "client",
        {"role": "joint", "name": token("J"), "owner_uuids": [u("p"), u("q")]}
        | {"assigned_adviser_uuid": e["uuid"], "email": f"{token('e')}@example.com"},
    )
    # The client login's adviser and introducer: accounts the client may not open (its
    # client status it may).
    await scene.made("i", "account", {"type": "external", "role": "introducer", **names()})
    lapsed = await firm.owner.created("/api/v1/client-status", {"name": "Lapsed"})
    response = await firm.owner.put(
        f"/api/v1/account/{u('c')}",
        {"assigned_adviser_uuid": u("e"), "introduced_by_uuid": u("i")}
        | {"client_status_uuid": lapsed["uuid"]},
    )
    assert response.status_code == 200, response.text
    group = {"g": [u("m"), u("p"), u("j")], "h": [u("q"), u("e")], "k": [u("c"), u("q"), u("e")]}
    for name, participants in group.items():
        await scene.made(name, "group", {"name": token("G"), "participants": participants})
    circle = {"x": ([u("p"), u("q")], [u("h")]), "w": ([u("c"), u("q")], [u("h")])}
    circle["z"] = ([u("r"), u("s")], [])
    for name, (members, groups) in circle.items():
        body = {"name": token("C"), "account_uuids": members, "group_uuids": groups}
        await scene.made(name, "circle", body)
    cases = {"case1": [u("p"), u("q")], "case2": [u("c"), u("q")], "case3": [u("q")]}
    for name, participants in cases.items():
        body = {"name": token("K"), "participants": participants}
        body |= {"assigned_to_uuids": [u("e")], "group_uuids": [u("h")]}
        await scene.made(name, "case", body)
    plans = {"plan1": [u("p"), u("q")], "plan2": [u("c"), u("r")], "plan3": [u("q")]}
    for name, owners in plans.items():
        await scene.made(name, "plan", {"name": token("P"), "type": "pension", "accounts": owners})
    goals = {"goal1": ([u("p"), u("q")], [u("x")]), "goal2": ([u("c"), u("r")], [u("z")])}
    for name, (owners, shown_in) in goals.items():
        body = {"name": token("N"), "account_uuids": owners, "visible_to_circles_uuids": shown_in}
        await scene.made(name, "goal", body)
    await scene.task("t0", ("client", "q"))
    g = [u("g")]
    assignees = [u("m"), u("e"), u("q")]
    await scene.task("t1", ("client", "q"), group_uuids=g, assigned_to_uuids=assignees)
    await firm.owner.request("PATCH", f"/api/v1/task/{u('t1')}/complete")
    # A parent set afterwards: a hidden task (t0) above a visible one.
    response = await firm.owner.put(f"/api/v1/task/{u('t1')}", {"parent_task_uuid": u("t0")})
    assert response.status_code == 200, response.text
    await scene.task("t1a", ("client", "p"), group_uuids=g, parent_task_uuid=u("t1"))
    await scene.task("t1b", ("client", "q"), parent_task_uuid=u("t1"))
    await scene.task("t2", ("case", "case3"), group_uuids=g)
    await scene.task("t3", ("plan", "plan3"), group_uuids=g)
    await scene.task("t4", ("case", "case1"), group_uuids=g)
    await scene.task("t5", ("plan", "plan1"), group_uuids=g)
    mine = [u("c"), u("e")]
    await scene.task("c1", ("client", "c"), assigned_to_uuids=mine, group_uuids=[u("h")])
    await firm.owner.request("PATCH", f"/api/v1/task/{u('c1')}/complete")
    response = await firm.owner.put(f"/api/v1/task/{u('c1')}", {"parent_task_uuid": u("t0")})
    assert response.status_code == 200, response.text
    await scene.task("c1a", ("client", "c"), assigned_to_uuids=[u("c")], parent_task_uuid=u("c1"))
    await scene.task("c1b", ("client", "c"), parent_task_uuid=u("c1"))
    await scene.task("c2", ("client", "c"), assigned_to_uuids=mine)  # open: in default lists
    return scene


def counts_match(value: Any) -> None:
    """Every `participants_count` counts the participants listed beside it."""
    if isinstance(value, dict):
        if "participants_count" in value:
            assert value["participants_count"] == len(value["participants"]), value
        for item in value.values():
            counts_match(item)
    elif isinstance(value, list):
        for item in value:
            counts_match(item)


async def assert_nothing_hidden_shown(
    scene: Scene, viewer: Actor, client_name: str
) -> dict[str, Any]:
    """Fetch every show the viewer may open and every list (with a client's goals: the
    one named); none may name a hidden record. Returns the shows by record name."""
    hidden = await scene.hidden_strings(viewer)
    paths = {name: f"{ROUTES[kind]}/{uuid}" for name, (kind, uuid) in scene.records.items()}
    shows: dict[str, Any] = {}
    fetched: list[tuple[str, str]] = []
    for name, path in paths.items():
        if path.startswith(ROUTES["task"]):
            path += "?include=parent_task,subtasks"
        response = await viewer.get(path)
        if response.status_code == 200:
            shows[name] = response.json()
            fetched.append((path, response.text))
    for path in [*LISTS, f"/api/v1/client/{scene.uuid(client_name)}/goal"]:
        separator = "&" if "?" in path else "?"
        response = await viewer.get(f"{path}{separator}per_page=100")
        assert response.status_code == 200, (path, response.text)
        assert response.json()["data"], path  # each list shows something to search
        fetched.append((path, response.text))
    for path, text in fetched:
        leaked = sorted(f"{hidden[s]} in {path}" for s in hidden if s in text)
        assert leaked == []
        counts_match(json.loads(text))
    return shows


async def test_a_member_sees_no_embedded_record_it_may_not_open(scene: Scene) -> None:
    shows = await assert_nothing_hidden_shown(scene, scene.member, "p")
    opened = {"t1", "t1a", "t2", "t3", "t4", "t5", "goal1", "case1", "plan1", "x", "g", "h", "j"}
    assert opened <= set(shows)  # the carriers themselves are visible
    t1 = shows["t1"]
    assert (t1["taskable"], t1["parent_task_uuid"], t1["parent_task"]) == (None, None, None)
    assert {a["uuid"] for a in t1["assigned_to"]} == {scene.uuid("m"), scene.uuid("e")}
    assert [s["uuid"] for s in t1["subtasks"]] == [scene.uuid("t1a")]
    assert shows["t2"]["taskable"] is None and shows["t3"]["taskable"] is None
    case = shows["t4"]["taskable"]
    assert [p["uuid"] for p in case["participants"]] == [scene.uuid("p")]
    assert case["participants_count"] == 1
    assert case["assigned_to_uuids"] == [scene.uuid("e")]  # staff: a member sees them
    assert [a["uuid"] for a in shows["t5"]["taskable"]["accounts"]] == [scene.uuid("p")]
    assert [a["uuid"] for a in shows["goal1"]["accounts"]] == [scene.uuid("p")]
    assert shows["goal1"]["shared_owner_type"] == "shared"  # it has two owners
    circle = shows["goal1"]["visible_to_circles"][0]
    assert [a["uuid"] for a in circle["accounts"]] == [scene.uuid("p")]
    assert [o["uuid"] for o in shows["j"]["owners"]] == [scene.uuid("p")]
    assert shows["j"]["assigned_adviser"]["uuid"] == scene.uuid("e")
    assert "i" in shows  # an introducer: a member may open it
    assert [p["uuid"] for p in shows["h"]["participants"]] == [scene.uuid("e")]
    assert shows["h"]["participants_count"] == 1


async def test_a_client_sees_no_embedded_record_it_may_not_open(scene: Scene) -> None:
    shows = await assert_nothing_hidden_shown(scene, scene.client, "c")
    assert {"c", "c1", "c1a", "c2", "goal2", "case2", "plan2", "w", "k"} <= set(shows)
    c1 = shows["c1"]
    assert (c1["author"], c1["completed_by"], c1["parent_task_uuid"]) == (None, None, None)
    assert [a["uuid"] for a in c1["assigned_to"]] == [scene.uuid("c")]
    assert c1["group_uuids"] == []
    assert [s["uuid"] for s in c1["subtasks"]] == [scene.uuid("c1a")]
    me = c1["taskable"]
    assert me["uuid"] == scene.uuid("c") and me["assigned_adviser"] is None
    assert me["introduced_by"] is None and me["client_status"]["name"] == "Lapsed"
    assert shows["c"]["client_status"] == me["client_status"]
    assert [c["uuid"] for c in me["circles"]] == [scene.uuid("w")]
    goal = shows["goal2"]
    assert [a["uuid"] for a in goal["accounts"]] == [scene.uuid("c")]
    assert (goal["visible_to_circles"], goal["shared_owner"]) == ([], None)
    case = shows["case2"]
    assert [p["uuid"] for p in case["participants"]] == [scene.uuid("c")]
    assert (case["assigned_to_uuids"], case["group_uuids"]) == ([], [])
    assert [a["uuid"] for a in shows["plan2"]["accounts"]] == [scene.uuid("c")]
    circle = shows["w"]
    assert ([a["uuid"] for a in circle["accounts"]], circle["groups"]) == ([scene.uuid("c")], [])
    group = shows["k"]
    assert [p["uuid"] for p in group["participants"]] == [scene.uuid("c")]
    assert group["participants_count"] == 1


async def test_a_members_new_task_shows_no_record_it_may_not_open(scene: Scene) -> None:
    """A create's response comes from the statement that inserts the task, not from the
    task's GET: held to the same rules, on a case, a plan and a joint client with a
    participant, an owner and an owner the member may not open."""
    member, u = scene.member, scene.uuid
    hidden = await scene.hidden_strings(member)
    statuses = (await scene.firm.owner.get("/api/v1/task-status")).json()["data"]
    for kind, name in (("case", "case1"), ("plan", "plan1"), ("client", "j")):
        body = {
            "name": token("T"),
            "taskable_type": kind,
            "taskable_uuid": u(name),
            "task_status_uuid": statuses[0]["uuid"],
            "group_uuids": [u("g")],
            "assigned_to_uuids": [u("m"), u("e")],
        }
        response = await member.post(ROUTES["task"], body)
        assert response.status_code == 201, response.text
        assert sorted(hidden[s] for s in hidden if s in response.text) == [], name
        made = response.json()
        assert made["taskable"]["uuid"] == u(name)
        assert (await member.get(f"{ROUTES['task']}/{made['uuid']}")).json() == made

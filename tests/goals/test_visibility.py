"""Who sees which goals, and who may write them (visibility rules; logins'
write and delete permissions)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from advisercrm.auth.principal import template
from advisercrm.goals.description import GOALS as GOAL_RESOURCE
from tests.goals.support import (
    GOALS,
    NOT_FOUND,
    UNAUTHORIZED,
    client_goals_path,
    goal_count,
    goal_path,
    one_error,
    uuids_listed,
)
from tests.helpers import Actor, Firm


@dataclass
class MemberWorld:
    """A member of group G1. Clients: p takes part in G1; q sits in a circle that carries
    G1; r is in no group; s takes part in G2, which the member is not in."""

    member: Actor
    clients: dict[str, str]
    goals: dict[str, str]


@pytest.fixture
async def world(firm: Firm) -> MemberWorld:
    member = await firm.actor(role="member")
    clients = {n: (await firm.client_account())["uuid"] for n in ("p", "q", "q2", "r", "s")}
    first = await firm.group([member.account_uuid, clients["p"]])
    await firm.group([firm.owner.account_uuid, clients["s"]])
    await firm.circle([clients["q"], clients["q2"]], group_uuids=[first["uuid"]])
    goals = {}
    for owners in ("p", "q", "r", "s", "pr", "rs"):
        goal = await firm.goal([clients[o] for o in owners], name=f"Goal {owners}")
        goals[owners] = goal["uuid"]
    return MemberWorld(member, clients, goals)


async def test_member_lists_only_goals_reachable_through_their_groups(
    firm: Firm, world: MemberWorld
) -> None:
    g = world.goals
    assert await uuids_listed(world.member) == [g["p"], g["q"], g["pr"]]
    assert await goal_count(world.member) == 3
    assert await goal_count(firm.owner) == 6
    hidden = {"filter[account_uuids]": f"{world.clients['r']},{world.clients['s']}"}
    assert await uuids_listed(world.member, **hidden) == [g["pr"]]


async def test_a_members_list_counts_a_goal_once_and_pages_in_order(
    firm: Firm, world: MemberWorld
) -> None:
    """A member's unfiltered list is read from their side (the goals of the clients they
    reach): a goal with two owners in reach is one goal, and pages follow the sort."""
    c, g = world.clients, world.goals
    g["pq"] = (await firm.goal([c["p"], c["q"]], name="Goal pq"))["uuid"]
    mine = [g["p"], g["q"], g["pr"], g["pq"]]
    assert await uuids_listed(world.member) == mine
    assert await goal_count(world.member) == 4
    for sort, expected in [("created_at", mine), ("-created_at", mine[::-1])]:
        pages = []
        for number in ("1", "2", "3"):
            params = {"per_page": "3", "page": number, "sort": sort}
            response = await world.member.get(GOALS, params=params)
            assert response.status_code == 200, response.text
            assert response.json()["meta"]["total"] == 4
            pages += [item["uuid"] for item in response.json()["data"]]
        assert pages == expected, sort


async def test_another_members_reach_does_not_widen_a_members_list(
    firm: Firm, world: MemberWorld
) -> None:
    """The unfiltered list reads the reach rows of this member alone: another member who
    reaches r and s adds nothing to it."""
    other = await firm.actor(role="member")
    await firm.group([other.account_uuid, world.clients["r"], world.clients["s"]])
    g = world.goals
    assert await uuids_listed(world.member) == [g["p"], g["q"], g["pr"]]
    assert await goal_count(world.member) == 3


async def test_a_members_goals_from_their_side_are_those_the_rule_shows(
    firm: Firm, world: MemberWorld
) -> None:
    """`reached` (a member's unfiltered list) and `visible` (every other read) agree."""
    await firm.goal([world.clients["p"], world.clients["q"]])
    member, t = template("member"), GOAL_RESOURCE.table
    assert GOAL_RESOURCE.reached is not None
    general = select(t.c.id).where(t.c.firm_id == firm.firm_id, GOAL_RESOURCE.visible(member))
    seen = await firm.ids_seen(world.member, general)
    assert len(seen) == 4
    assert await firm.ids_seen(world.member, GOAL_RESOURCE.reached(member)) == seen


async def test_member_gets_404_for_goals_out_of_reach(world: MemberWorld) -> None:
    for name in ("r", "s", "rs"):
        path = goal_path(world.goals[name])
        for method in ("GET", "PUT", "DELETE"):
            response = await world.member.request(method, path, json={"name": "Mine now"})
            assert (response.status_code, response.json()) == (404, NOT_FOUND), (name, method)
    for name in ("p", "q", "pr"):
        response = await world.member.get(goal_path(world.goals[name]))
        assert response.status_code == 200, name


async def test_member_client_reads(world: MemberWorld) -> None:
    c, g = world.clients, world.goals
    assert await uuids_listed(world.member, client_goals_path(c["p"])) == [g["p"], g["pr"]]
    for name in ("r", "s"):
        response = await world.member.get(client_goals_path(c[name]))
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
        response = await world.member.get(client_goals_path(c[name], g["pr"]))
        assert (response.status_code, response.json()) == (404, NOT_FOUND)


async def test_member_writes_only_for_clients_in_reach(firm: Firm, world: MemberWorld) -> None:
    c = world.clients
    response = await world.member.post(GOALS, {"account_uuids": [c["q"], c["r"]], "name": "X"})
    assert response.status_code == 422
    assert response.json() == one_error(
        "account_uuids.1", "The selected account uuids.1 is invalid."
    )
    assert await goal_count(firm.owner) == 6
    made = await world.member.created(GOALS, {"account_uuids": [c["q"], c["p"]], "name": "Ours"})
    assert [a["uuid"] for a in made["accounts"]] == [c["q"], c["p"]]
    response = await world.member.put(goal_path(made["uuid"]), {"account_uuids": [c["s"]]})
    assert response.status_code == 422
    deleted = await world.member.delete(goal_path(made["uuid"]))
    assert deleted.status_code == 204


async def test_joining_a_group_makes_goals_visible(firm: Firm, world: MemberWorld) -> None:
    await firm.group([world.member.account_uuid, world.clients["r"]])
    g = world.goals
    assert await uuids_listed(world.member) == [g["p"], g["q"], g["r"], g["pr"], g["rs"]]


async def test_admin_sees_the_whole_firm(firm: Firm, world: MemberWorld) -> None:
    admin = await firm.actor(role="admin")
    assert await uuids_listed(admin) == list(world.goals.values())


async def test_client_account_sees_only_its_own_goals(firm: Firm) -> None:
    me = await firm.actor(type="client", role="individual")
    other = (await firm.client_account())["uuid"]
    mine = await firm.goal([me.account_uuid])
    ours = await firm.goal([other, me.account_uuid])
    theirs = await firm.goal([other])
    assert await uuids_listed(me) == [mine["uuid"], ours["uuid"]]
    shown = await me.get(goal_path(ours["uuid"]))
    assert shown.status_code == 200
    # The other owner is not an account this client may open: left out.
    mine_only = [owner for owner in ours["accounts"] if owner["uuid"] == me.account_uuid]
    assert shown.json() == {**ours, "accounts": mine_only}
    response = await me.get(goal_path(theirs["uuid"]))
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert await uuids_listed(me, client_goals_path(me.account_uuid)) == [
        mine["uuid"],
        ours["uuid"],
    ]
    for path in (client_goals_path(other), client_goals_path(other, ours["uuid"])):
        response = await me.get(path)
        assert (response.status_code, response.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize("role", ["owner", "admin", "member"])
async def test_without_write_permission_posts_and_puts_are_403(firm: Firm, role: str) -> None:
    reader = await firm.actor(role=role, write=False)
    client = (await firm.client_account())["uuid"]
    if role == "member":
        await firm.group([reader.account_uuid, client])
    goal = await firm.goal([client], name="Untouched")
    response = await reader.post(GOALS, {"account_uuids": [client], "name": "New"})
    assert (response.status_code, response.json()) == (403, UNAUTHORIZED)
    response = await reader.put(goal_path(goal["uuid"]), {"name": "Changed"})
    assert (response.status_code, response.json()) == (403, UNAUTHORIZED)
    assert await goal_count(firm.owner) == 1
    assert (await reader.get(goal_path(goal["uuid"]))).json() == goal


@pytest.mark.parametrize("role", ["owner", "admin", "member"])
async def test_without_delete_permission_delete_is_403(firm: Firm, role: str) -> None:
    writer = await firm.actor(role=role, delete=False)
    client = (await firm.client_account())["uuid"]
    if role == "member":
        await firm.group([writer.account_uuid, client])
    goal = await firm.goal([client])
    response = await writer.delete(goal_path(goal["uuid"]))
    assert (response.status_code, response.json()) == (403, UNAUTHORIZED)
    assert await goal_count(firm.owner) == 1
    assert (await writer.put(goal_path(goal["uuid"]), {"progress": 5})).status_code == 200


async def test_invisible_goal_is_404_not_403_without_permissions(
    firm: Firm, world: MemberWorld
) -> None:
    reader = await firm.actor(role="member", write=False, delete=False)
    path = goal_path(world.goals["p"])
    for method in ("GET", "PUT", "DELETE"):
        response = await reader.request(method, path, json={"name": "x"})
        assert (response.status_code, response.json()) == (404, NOT_FOUND), method


async def test_a_created_goal_is_shown_as_its_own_get_shows_it(
    firm: Firm, world: MemberWorld
) -> None:
    """The create renders what its statement read for the writer: the same document the
    writer's GET then gives, for a member and for a client login."""
    c = world.clients
    household = await firm.circle([c["q"], c["r"]])
    body = {"account_uuids": [c["q"], c["p"]], "visible_to_circles_uuids": [household["uuid"]]}
    made = await world.member.created(GOALS, {**body, "name": "Member's"})
    assert (await world.member.get(goal_path(made["uuid"]))).json() == made
    me = await firm.actor(type="client", role="individual")
    ours = await firm.circle([me.account_uuid, c["s"]])
    body = {"account_uuids": [me.account_uuid], "visible_to_circles_uuids": [ours["uuid"]]}
    made = await me.created(GOALS, {**body, "name": "Client's"})
    assert (await me.get(goal_path(made["uuid"]))).json() == made

"""member_reach, kept by the database's triggers, always equals the visibility rule's own
expression of who a member reaches, whatever changes the groups, circles and accounts,
through the API or directly in SQL, one row or many at a time."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import and_, or_, select, text, union
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from advisercrm.tables import (
    accounts,
    circle_accounts,
    circle_groups,
    group_participants,
    member_reach,
)
from tests.helpers import Firm

CLIENTS = "/api/v1/client"
ACCOUNTS = "/api/v1/account"
GROUPS = "/api/v1/group"
CIRCLES = "/api/v1/circles"

Pairs = set[tuple[int, int]]


def rule(firm_id: int, member_id: int) -> Any:
    """The rule as the reads evaluated it before the table: the accounts of the member's
    groups, of the circles carrying those groups, and those assigned to the member."""
    gp, ca, cg, a = group_participants, circle_accounts, circle_groups, accounts
    mine = (
        select(gp.c.group_id)
        .where(gp.c.firm_id == firm_id, gp.c.account_id == member_id)
        .scalar_subquery()
    )
    via_groups = select(gp.c.account_id).where(gp.c.firm_id == firm_id, gp.c.group_id.in_(mine))
    via_circles = (
        select(ca.c.account_id)
        .join(cg, and_(cg.c.firm_id == ca.c.firm_id, cg.c.circle_id == ca.c.circle_id))
        .where(ca.c.firm_id == firm_id, cg.c.group_id.in_(mine))
    )
    assigned = select(a.c.id).where(
        a.c.firm_id == firm_id,
        or_(
            a.c.assigned_adviser_id == member_id,
            a.c.assigned_administrator_id == member_id,
            a.c.assigned_paraplanner_id == member_id,
        ),
    )
    return union(via_groups, via_circles, assigned)


async def expected(conn: AsyncConnection, firm_id: int) -> Pairs:
    a = accounts
    members = await conn.execute(
        select(a.c.id).where(a.c.firm_id == firm_id, a.c.type == "employee", a.c.role == "member")
    )
    pairs: Pairs = set()
    for (member_id,) in members.all():
        reached = await conn.execute(rule(firm_id, member_id))
        pairs |= {(member_id, client_id) for (client_id,) in reached.all()}
    return pairs


async def stored(conn: AsyncConnection, firm_id: int) -> Pairs:
    r = member_reach
    rows = await conn.execute(select(r.c.member_id, r.c.client_id).where(r.c.firm_id == firm_id))
    return {(m, c) for m, c in rows.all()}


async def assert_matches(firm: Firm, step: str) -> None:
    async with firm.app.state.engine.connect() as conn:
        want, have = await expected(conn, firm.firm_id), await stored(conn, firm.firm_id)
    assert have == want, (step, sorted(have - want), sorted(want - have))


class World:
    """A firm's members, clients, groups and circles, and changes to them at random."""

    def __init__(self, firm: Firm, rng: random.Random) -> None:
        self.firm, self.rng = firm, rng
        self.members: list[str] = []
        self.clients: list[str] = []
        self.groups: list[str] = []
        self.circles: list[str] = []

    async def build(self) -> None:
        firm = self.firm
        for _ in range(4):
            self.members.append((await firm.actor()).account_uuid)
        for _ in range(10):
            self.clients.append((await firm.client_account())["uuid"])
        for _ in range(3):
            picked = self.some(self.members, 2, 1) + self.some(self.clients, 3, 1)
            self.groups.append((await firm.group(picked))["uuid"])
        for _ in range(3):
            made = await firm.circle(
                self.some(self.clients, 2, 1), group_uuids=self.some(self.groups, 1)
            )
            self.circles.append(made["uuid"])

    def some(self, pool: list[str], most: int, least: int = 0) -> list[str]:
        return self.rng.sample(pool, self.rng.randint(least, min(most, len(pool))))

    async def id_of(self, uuid: str) -> int:
        return await self.firm.account_id(uuid)

    async def sql(self, statement: str, **values: Any) -> int:
        async with self.firm.app.state.engine.begin() as conn:
            # The statements' random() too follows the test's seed.
            await conn.execute(text("SELECT setseed(:seed)"), {"seed": self.rng.random()})
            done = await conn.execute(text(statement), {"firm": self.firm.firm_id, **values})
            return int(done.rowcount)

    async def ok(self, response: Any) -> None:
        assert response.status_code in (200, 201, 204), response.text

    # Through the API.
    async def api_group_participants(self) -> str:
        group, people = self.rng.choice(self.groups), self.some(self.members + self.clients, 5)
        await self.ok(await self.firm.owner.put(f"{GROUPS}/{group}", {"participants": people}))
        return "API: a group's participants replaced"

    async def api_circle(self) -> str:
        circle = self.rng.choice(self.circles)
        body: dict[str, Any] = {"account_uuids": self.some(self.clients, 3, 1)}
        if self.rng.random() < 0.5:
            body["group_uuids"] = self.some(self.groups, 2)
        await self.ok(await self.firm.owner.put(f"{CIRCLES}/{circle}", body))
        return "API: a circle's accounts (and groups) replaced"

    async def api_assigned(self) -> str:
        client = self.rng.choice(self.clients)
        staff = [*self.members, self.firm.owner.account_uuid]
        body = {
            field: self.rng.choice([*staff, None])
            for field in ("assigned_adviser_uuid", "assigned_paraplanner_uuid")
        }
        await self.ok(await self.firm.owner.put(f"{CLIENTS}/{client}", body))
        return "API: a client's assigned staff"

    async def api_role(self) -> str:
        member = self.rng.choice(self.members)
        for role in ("admin", "member"):
            await self.ok(await self.firm.owner.put(f"{ACCOUNTS}/{member}", {"role": role}))
            await assert_matches(self.firm, f"API: a member made {role}")
        return "API: a member made admin and back"

    async def api_new_client(self) -> str:
        body = {"assigned_administrator_uuid": self.rng.choice(self.members)}
        made = await self.firm.client_account(groups=self.some(self.groups, 2), **body)
        self.clients.append(made["uuid"])
        return "API: a client created with staff and groups"

    async def api_delete_client(self) -> str:
        client = self.clients.pop(self.rng.randrange(len(self.clients)))
        await self.ok(await self.firm.owner.delete(f"{CLIENTS}/{client}"))
        return "API: a client deleted"

    # Directly in SQL, several rows at a time.
    async def sql_group_participants(self) -> str:
        group = self.rng.choice(self.groups)
        ids = [await self.id_of(u) for u in self.some(self.members + self.clients, 4)]
        await self.sql(
            "INSERT INTO group_participants (firm_id, group_id, account_id)"
            " SELECT :firm, g.id, a.id FROM groups g, accounts a"
            " WHERE g.firm_id = :firm AND g.uuid = :group AND a.firm_id = :firm"
            " AND a.id = ANY(:ids) ON CONFLICT DO NOTHING",
            group=group,
            ids=ids,
        )
        await self.sql(
            "DELETE FROM group_participants WHERE firm_id = :firm AND account_id = :gone",
            gone=await self.id_of(self.rng.choice(self.members + self.clients)),
        )
        return "SQL: participants added to a group, one account's removed from all"

    async def sql_move_participant(self) -> str:
        old, new = self.rng.sample(self.members + self.clients, 2)
        await self.sql(
            "UPDATE group_participants gp SET account_id = :new WHERE gp.firm_id = :firm"
            " AND gp.account_id = :old AND NOT EXISTS (SELECT FROM group_participants o"
            " WHERE o.firm_id = :firm AND o.group_id = gp.group_id AND o.account_id = :new)",
            old=await self.id_of(old),
            new=await self.id_of(new),
        )
        return "SQL: one account's group places given to another"

    async def sql_circles(self) -> str:
        bare, filled, thinned = (self.rng.choice(self.circles) for _ in range(3))
        await self.sql(
            "DELETE FROM circle_groups cg USING circles c WHERE cg.firm_id = :firm"
            " AND c.id = cg.circle_id AND c.firm_id = :firm AND c.uuid = :circle",
            circle=bare,
        )
        await self.sql(
            "INSERT INTO circle_groups (firm_id, circle_id, group_id)"
            " SELECT :firm, c.id, g.id FROM circles c JOIN groups g ON g.firm_id = c.firm_id"
            " WHERE c.firm_id = :firm AND c.uuid <> :circle AND random() < 0.5"
            " ON CONFLICT DO NOTHING",
            circle=bare,
        )
        await self.sql(
            "INSERT INTO circle_accounts (firm_id, circle_id, account_id)"
            " SELECT :firm, c.id, a.id FROM circles c JOIN accounts a ON a.firm_id = c.firm_id"
            " WHERE c.firm_id = :firm AND c.uuid = :circle AND random() < 0.3"
            " ON CONFLICT DO NOTHING",
            circle=filled,
        )
        await self.sql(
            "DELETE FROM circle_accounts ca USING circles c WHERE ca.firm_id = :firm"
            " AND c.id = ca.circle_id AND c.firm_id = :firm AND c.uuid = :circle"
            " AND random() < 0.5",
            circle=thinned,
        )
        await self.sql(
            "UPDATE circle_accounts ca SET circle_id = t.id FROM circles f, circles t"
            " WHERE ca.firm_id = :firm AND f.firm_id = :firm AND t.firm_id = :firm"
            " AND f.uuid = :filled AND t.uuid = :thinned AND ca.circle_id = f.id"
            " AND NOT EXISTS (SELECT FROM circle_accounts o WHERE o.firm_id = :firm"
            " AND o.circle_id = t.id AND o.account_id = ca.account_id)",
            filled=filled,
            thinned=thinned,
        )
        # One circle's group exchanged for another the circle did not carry.
        await self.sql(
            "UPDATE circle_groups cg SET group_id = pick.target FROM (SELECT o.circle_id,"
            " o.group_id, g.id AS target FROM circle_groups o JOIN groups g"
            " ON g.firm_id = o.firm_id WHERE o.firm_id = :firm AND NOT EXISTS (SELECT"
            " FROM circle_groups x WHERE x.firm_id = :firm AND x.circle_id = o.circle_id"
            " AND x.group_id = g.id) ORDER BY random() LIMIT 1) pick WHERE cg.firm_id = :firm"
            " AND cg.circle_id = pick.circle_id AND cg.group_id = pick.group_id"
        )
        await self.sql(
            "UPDATE circle_accounts SET login_access_level = 'read' WHERE firm_id = :firm"
        )
        return "SQL: circles' groups and accounts, added, removed and moved"

    async def sql_assigned(self) -> str:
        member = await self.id_of(self.rng.choice(self.members))
        await self.sql(
            "UPDATE accounts SET assigned_administrator_id = CASE WHEN random() < 0.5"
            " THEN CAST(:member AS bigint) END WHERE firm_id = :firm AND type = 'client'",
            member=member,
        )
        return "SQL: every client's administrator set or cleared"

    async def sql_member_type(self) -> str:
        member = await self.id_of(self.rng.choice(self.members))
        for kind, role in (("client", "individual"), ("employee", "member")):
            await self.sql(
                "UPDATE accounts SET type = :kind, role = :role WHERE firm_id = :firm"
                " AND id = :member",
                kind=kind,
                role=role,
                member=member,
            )
            await assert_matches(self.firm, f"SQL: a member made {kind}")
        return "SQL: a member made a client and back"

    async def sql_delete(self) -> str:
        pools = [self.members, self.clients, self.groups, self.circles]
        gone = self.rng.choice([pool for pool in pools if len(pool) > 2])
        uuid = gone.pop(self.rng.randrange(len(gone)))
        table = {id(self.groups): "groups", id(self.circles): "circles"}.get(id(gone), "accounts")
        await self.sql(f"DELETE FROM {table} WHERE firm_id = :firm AND uuid = :uuid", uuid=uuid)  # noqa: S608
        return f"SQL: a row of {table} deleted"


async def test_member_reach_follows_every_change(firm: Firm) -> None:
    world = World(firm, random.Random(20261202))  # noqa: S311 (a repeatable sequence)
    await world.build()
    await assert_matches(firm, "built")
    changes: list[Callable[[], Awaitable[str]]] = [
        world.api_group_participants,
        world.api_circle,
        world.api_assigned,
        world.api_role,
        world.api_new_client,
        world.sql_group_participants,
        world.sql_move_participant,
        world.sql_circles,
        world.sql_assigned,
        world.sql_member_type,
    ]
    for change in changes * 3 + [world.api_delete_client, world.sql_delete] * 3:
        step = await change()
        await assert_matches(firm, step)
    for _ in range(40):
        step = await world.rng.choice([*changes, world.api_new_client, world.sql_delete])()
        await assert_matches(firm, step)
    async with firm.app.state.engine.connect() as conn:
        assert await stored(conn, firm.firm_id)  # the sequence left some reach to compare


async def test_other_firms_reach_is_untouched(firm: Firm, other_firm: Firm) -> None:
    """A change in one firm recomputes none of another's rows (both firms' members)."""
    member = await other_firm.actor()
    client = await other_firm.client_account()
    await other_firm.group([member.account_uuid, client["uuid"]])
    async with other_firm.app.state.engine.connect() as conn:
        before = await stored(conn, other_firm.firm_id)
    world = World(firm, random.Random(7))  # noqa: S311
    await world.build()
    await world.sql_assigned()
    async with other_firm.app.state.engine.connect() as conn:
        assert await stored(conn, other_firm.firm_id) == before
    assert before == {
        (await other_firm.account_id(member.account_uuid),) * 2,
        (
            await other_firm.account_id(member.account_uuid),
            await other_firm.account_id(client["uuid"]),
        ),
    }


async def test_concurrent_changes_to_one_firm_see_each_other(firm: Firm) -> None:
    """Two transactions each remove one of the two ways a member reaches a client (the
    group they share, the circle carrying that group). Each alone keeps the row; the
    second waits for the first (the firm's lock) and so sees both removals."""
    member = await firm.actor()
    client = (await firm.client_account())["uuid"]
    group = await firm.group([member.account_uuid, client])
    await firm.circle([client], group_uuids=[group["uuid"]])
    member_id, client_id = await firm.account_id(member.account_uuid), await firm.account_id(client)
    engine, values = firm.app.state.engine, {"firm": firm.firm_id, "client": client_id}
    async with engine.connect() as first, engine.connect() as second:
        await first.begin()
        await first.execute(
            text("DELETE FROM group_participants WHERE firm_id = :firm AND account_id = :client"),
            values,
        )
        await second.begin()
        pid = (await second.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        removal = asyncio.create_task(
            second.execute(
                text("DELETE FROM circle_accounts WHERE firm_id = :firm AND account_id = :client"),
                values,
            )
        )
        # Another backend's state, so polled (until it waits, or finishes without waiting).
        while not removal.done() and not await waiting_on_lock(engine, pid):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        await first.commit()
        await removal
        await second.commit()
    await assert_matches(firm, "two removals at once")
    async with engine.connect() as conn:
        assert (member_id, client_id) not in await stored(conn, firm.firm_id)


async def waiting_on_lock(engine: AsyncEngine, pid: int) -> bool:
    query = text("SELECT wait_event = 'advisory' FROM pg_stat_activity WHERE pid = :pid")
    async with engine.connect() as conn:
        return bool((await conn.execute(query, {"pid": pid})).scalar_one())

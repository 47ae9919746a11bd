"""Generate the benchmark dataset: 20 firms, then every bulk table in set-based SQL.

Firms, their owners, members, logins, tokens and default task statuses come from the
project's own code (`create_firm`, `add_person`, `issue_token`). Everything else is one
INSERT ... SELECT generate_series per table, over a small plan table with each firm's
counts and id ranges. Bulk rows get explicit ids (the identity sequences are moved past
them afterwards) and deterministic UUIDs, `md5('<kind>:<firm index>:<k>')::uuid`, so the
pgbench ceilings can pick random records with `\\set` and compute their UUIDs in SQL.

Usage: python bench/dataset.py URL OUT_DIR [full|small]
Writes OUT_DIR/data.json and one request file per scenario (s1.txt ... s5.txt).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import random
import secrets
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth.credentials import token_hash
from advisercrm.auth.service import issue_token
from advisercrm.config import get_settings
from advisercrm.db import create_engine
from advisercrm.firms.service import add_person, create_firm
from advisercrm.kit.sql import driver

FIRMS = 20
LARGE_SHARE = 0.30  # firm 0 holds this share of every table; the rest follow Zipf
# Clients, tasks and goals over all firms.
SCALES = {
    "full": (50_000, 1_000_000, 200_000),
    "medium": (5_000, 100_000, 20_000),
    "small": (2_000, 40_000, 8_000),
}
# S6's searches: words that each occur in a sixth of the task names (see "tasks" below).
SEARCH_WORDS = ("pension", "Transaction", "details", "MEETING", "annual", "fact")
REQUESTS_PER_FILE = 2_000
DUE_BEFORE_DAYS = 30  # S3's filter[due_before]: this many days after generation


@dataclass
class Firm:
    fi: int
    clients: int
    tasks: int
    goals: int
    members: int  # employees (role member) with a login and a token
    staff: int  # all employees who take tasks: the members and more, 1 per 400 clients
    groups: int
    circles: int
    cases: int
    plans: int
    firm_id: int = 0
    owner_id: int = 0
    staff_base: int = 0
    client_base: int = 0
    group_base: int = 0
    circle_base: int = 0
    goal_base: int = 0
    case_base: int = 0
    plan_base: int = 0
    task_base: int = 0
    field_id: int = 0


def bench_uuid(kind: str, fi: int, k: int) -> str:
    """The UUID the bulk SQL gives record k of a kind in firm fi."""
    return str(uuid.UUID(hashlib.md5(f"{kind}:{fi}:{k}".encode()).hexdigest()))  # noqa: S324


def _shares(total: int) -> list[int]:
    large = round(total * LARGE_SHARE)
    weights = [1 / i for i in range(1, FIRMS)]
    rest = [int((total - large) * w / sum(weights)) for w in weights]
    rest[0] += total - large - sum(rest)
    return [large, *rest]


def plan_firms(scale: str) -> list[Firm]:
    clients, tasks, goals = (_shares(n) for n in SCALES[scale])
    firms = []
    for fi in range(FIRMS):
        n = clients[fi]
        firms.append(
            Firm(
                fi=fi,
                clients=n,
                tasks=tasks[fi],
                goals=goals[fi],
                members=(members := 8 if fi == 0 else 2 + (n >= 2_000) + (n >= 5_000)),
                staff=max(members, n // 400),
                groups=max(4, n // 400),
                circles=n // 4,
                cases=max(2, n // 10),
                plans=max(2, n // 10),
            )
        )
    return firms


async def create_people(
    conn: AsyncConnection, key: bytes, firms: list[Firm]
) -> list[dict[str, Any]]:
    """Firms with owner, members, logins and tokens, through the project's own code."""
    tag, password = secrets.token_hex(3), secrets.token_urlsafe(12)
    out = []
    for firm in firms:
        email = f"owner{firm.fi}-{tag}@bench.advisercrm.test"
        made = await create_firm(
            conn,
            key,
            f"Bench Firm {firm.fi:02d}",
            email,
            password,
            owner_name=("Owner", str(firm.fi)),
        )
        firm.firm_id, firm.owner_id = made["firm_id"], made["account_id"]
        members = []
        for m in range(firm.members):
            person = await add_person(
                conn,
                firm.firm_id,
                {"type": "employee", "role": "member", "first_name": "Member", "last_name": str(m)},
                f"member{m}.{firm.fi}-{tag}@bench.advisercrm.test",
                password,
            )
            bound = {"firm_id": firm.firm_id, "account_id": person.account_id}
            token, _ = await issue_token(conn, person.user_id, "bench", key, bound)
            members.append(
                {
                    "id": person.account_id,
                    "uuid": bench_uuid("member", firm.fi, m),
                    "token": token,
                    "digest": token_hash(token, key).hex(),
                }
            )
        out.append(
            {
                "fi": firm.fi,
                "firm_uuid": made["firm_uuid"],
                "owner_uuid": made["account_uuid"],
                "token": made["token"],
                "digest": token_hash(made["token"], key).hex(),
                "members": members,
            }
        )
    return out


def assign_bases(firms: list[Firm], start: dict[str, int]) -> None:
    """Consecutive explicit id ranges per firm and kind, past the ids each table already
    uses (`start`: table -> first free id)."""
    nxt = dict(start)
    for firm in firms:
        for kind, count in (
            ("staff", firm.staff - firm.members),
            ("client", firm.clients),
            ("group", firm.groups),
            ("circle", firm.circles),
            ("goal", firm.goals),
            ("case", firm.cases),
            ("plan", firm.plans),
            ("task", firm.tasks),
        ):
            table = BASE_TABLES[kind]
            setattr(firm, f"{kind}_base", nxt[table])
            nxt[table] += count
        firm.field_id = nxt["custom_fields"]
        nxt["custom_fields"] += 1


BASE_TABLES = {
    "staff": "accounts",
    "client": "accounts",
    "group": "groups",
    "circle": "circles",
    "goal": "goals",
    "case": "cases",
    "plan": "plans",
    "task": "tasks",
    "field": "custom_fields",
}
U = "md5('{kind}:' || p.fi || ':' || {k})::uuid"  # the deterministic UUID, in SQL
FIRST = "(ARRAY['Olivia','George','Amelia','Harry','Isla','Noah','Ava','Oscar','Mia','Leo'])"
LAST = "(ARRAY['Smith','Jones','Taylor','Brown','Williams','Wilson','Evans','Thomas','Hall'])"

BULK = [
    (
        "members",
        """
     UPDATE accounts a SET uuid = md5('member:' || p.fi || ':' || m.m)::uuid
     FROM bench_staff m JOIN bench_plan p USING (firm_id)
     WHERE a.firm_id = m.firm_id AND a.id = m.account_id;
     INSERT INTO accounts (firm_id, id, uuid, type, role, first_name, last_name, name, email)
     SELECT p.firm_id, p.staff_base + m - p.members, md5('member:' || p.fi || ':' || m)::uuid,
            'employee', 'member', 'Staff', m::text, 'Staff ' || m,
            'staff' || m || '@firm' || p.fi || '.example.com'
     FROM bench_plan p CROSS JOIN generate_series(p.members, p.staff - 1) m;
     INSERT INTO bench_staff (firm_id, m, account_id)
     SELECT p.firm_id, m, p.staff_base + m - p.members
     FROM bench_plan p CROSS JOIN generate_series(p.members, p.staff - 1) m""",
    ),
    (
        "statuses",
        """
     INSERT INTO task_statuses (firm_id, name, colour, is_archived, position)
     SELECT firm_id, s.name, s.colour, s.archived, s.pos FROM bench_plan,
       (VALUES ('Waiting on Client', '#f44336', false, 4), ('Archived', '#ff9800', true, 5))
       s(name, colour, archived, pos);
     UPDATE task_statuses s SET uuid = md5('status:' || p.fi || ':' || s.position)::uuid
     FROM bench_plan p WHERE s.firm_id = p.firm_id;
     CREATE TEMP TABLE bench_status AS
       SELECT firm_id, position AS pos, id, is_type_completed AS done FROM task_statuses""",
    ),
    (
        "custom_fields",
        f"""
     INSERT INTO custom_fields (firm_id, id, uuid, model_type, type, name, reference,
                                selection_options, position)
     SELECT firm_id, field_id, {U.format(kind="field", k="0")}, 'task', 'selection',
            'Favourite Pet', 'favourite_pet', '["Dog", "Cat", "Fish"]', 1 FROM bench_plan p""",
    ),
    (
        "clients",
        f"""
     INSERT INTO accounts (firm_id, id, uuid, type, role, first_name, last_name, name, email,
                           assigned_adviser_id, created_at, updated_at)
     SELECT p.firm_id, p.client_base + k, {U.format(kind="client", k="k")}, 'client',
            'individual', {FIRST}[1 + k % 10], {LAST}[1 + (k / 10) % 9],
            {FIRST}[1 + k % 10] || ' ' || {LAST}[1 + (k / 10) % 9],
            'client' || k || '@firm' || p.fi || '.example.com', m.account_id,
            now() - interval '3 years' * (1 - k::float / p.clients),
            now() - interval '3 years' * (1 - k::float / p.clients)
     FROM bench_plan p CROSS JOIN generate_series(0, p.clients - 1) k
     JOIN bench_staff m ON m.firm_id = p.firm_id AND m.m = k % p.staff""",
    ),
    (
        "groups",
        f"""
     INSERT INTO groups (firm_id, id, uuid, name, slug)
     SELECT p.firm_id, p.group_base + g, {U.format(kind="group", k="g")}, 'Team ' || g,
            'team-' || g
     FROM bench_plan p CROSS JOIN generate_series(0, p.groups - 1) g;
     INSERT INTO group_participants (firm_id, group_id, account_id)
     SELECT p.firm_id, p.group_base + g, m.account_id
     FROM bench_plan p CROSS JOIN generate_series(0, p.groups - 1) g
     JOIN bench_staff m ON m.firm_id = p.firm_id
       AND m.m IN (g % p.staff, (g + 1) % p.staff)
     UNION ALL
     SELECT p.firm_id, p.group_base + k % p.groups, p.client_base + k
     FROM bench_plan p CROSS JOIN generate_series(0, p.clients - 1) k WHERE k % 4 <> 3""",
    ),
    (
        "circles",
        f"""
     INSERT INTO circles (firm_id, id, uuid, name)
     SELECT p.firm_id, p.circle_base + j, {U.format(kind="circle", k="j")},
            {LAST}[1 + (3 * j / 10) % 9] || ' Household ' || j
     FROM bench_plan p CROSS JOIN generate_series(0, p.circles - 1) j;
     INSERT INTO circle_accounts (firm_id, circle_id, account_id)
     SELECT p.firm_id, p.circle_base + j, p.client_base + 3 * j + i
     FROM bench_plan p CROSS JOIN generate_series(0, p.circles - 1) j
     CROSS JOIN generate_series(0, 2) i WHERE i < 2 OR j % 2 = 0;
     INSERT INTO circle_groups (firm_id, circle_id, group_id)
     SELECT p.firm_id, p.circle_base + j, p.group_base + j % p.groups
     FROM bench_plan p CROSS JOIN generate_series(0, p.circles - 1, 2) j""",
    ),
    (
        "goals",
        f"""
     INSERT INTO goals (firm_id, id, uuid, name, description, target_amount, progress,
                        timeframe, complete_goal_by, priority, show_on_circles, created_at,
                        updated_at)
     SELECT p.firm_id, p.goal_base + g, {U.format(kind="goal", k="g")},
            (ARRAY['Reduced Mileage','Retire at 60','University fund','Pay off the mortgage',
                   'Emergency fund'])[1 + g % 5],
            CASE WHEN g % 3 > 0 THEN 'Reduce the amount of gas spent yearly.' END,
            CASE WHEN g % 7 > 0 THEN (100000 + (g * 7919) % 50000000) END,
            CASE WHEN g % 4 > 0 THEN (g * 37) % 101 END,
            CASE WHEN g % 2 = 0 THEN 'Within the year.' END,
            CASE WHEN g % 6 > 0 THEN date '2027-01-01' + ((g * 13) % 3650)::int END,
            CASE WHEN g % 10 > 0 THEN 1 + g % 5 END, g % 10 = 0,
            now() - interval '2 years' * (1 - g::float / p.goals),
            now() - interval '2 years' * (1 - g::float / p.goals)
     FROM bench_plan p CROSS JOIN generate_series(0, p.goals - 1) g;
     INSERT INTO goal_accounts (firm_id, goal_id, account_id, position)
     SELECT p.firm_id, p.goal_base + g, p.client_base + (g + i) % p.clients, i
     FROM bench_plan p CROSS JOIN generate_series(0, p.goals - 1) g
     CROSS JOIN generate_series(0, 1) i WHERE i = 0 OR g % 5 = 0;
     INSERT INTO goal_circles (firm_id, goal_id, circle_id)
     SELECT p.firm_id, p.goal_base + g, p.circle_base + (g % p.clients) / 3
     FROM bench_plan p CROSS JOIN generate_series(0, p.goals - 1, 10) g
     WHERE (g % p.clients) / 3 < p.circles AND ((g % p.clients) % 3 < 2
           OR ((g % p.clients) / 3) % 2 = 0)""",
    ),
    (
        "cases",
        f"""
     INSERT INTO cases (firm_id, id, uuid, name, value, review_at)
     SELECT p.firm_id, p.case_base + c, {U.format(kind="case", k="c")},
            (ARRAY['Retirement planning','Mortgage review','Inheritance tax'])[1 + c % 3],
            500000 + (c * 7919) % 90000000, now() + interval '1 day' * (c % 365)
     FROM bench_plan p CROSS JOIN generate_series(0, p.cases - 1) c;
     INSERT INTO case_participants (firm_id, case_id, account_id)
     SELECT p.firm_id, p.case_base + c, p.client_base + (10 * c + i) % p.clients
     FROM bench_plan p CROSS JOIN generate_series(0, p.cases - 1) c
     CROSS JOIN generate_series(0, 1) i;
     INSERT INTO case_assignees (firm_id, case_id, account_id)
     SELECT p.firm_id, p.case_base + c, m.account_id
     FROM bench_plan p CROSS JOIN generate_series(0, p.cases - 1) c
     JOIN bench_staff m ON m.firm_id = p.firm_id AND m.m = c % p.staff;
     INSERT INTO case_groups (firm_id, case_id, group_id)
     SELECT p.firm_id, p.case_base + c, p.group_base + c % p.groups
     FROM bench_plan p CROSS JOIN generate_series(0, p.cases - 1) c""",
    ),
    (
        "plans",
        f"""
     INSERT INTO plans (firm_id, id, uuid, name, type, policy_number, status)
     SELECT p.firm_id, p.plan_base + n, {U.format(kind="plan", k="n")},
            (ARRAY['Workplace pension','ISA','Life cover','Mortgage'])[1 + n % 4],
            (ARRAY['annuity','cash_account','fixed_asset','general_insurance',
                   'group_protection','investment','loan_credit','mortgage','pension',
                   'protection_policy'])[1 + n % 10],
            'POL-' || (1000000 + n), (ARRAY['active','active','inactive','proposed'])[1 + n % 4]
     FROM bench_plan p CROSS JOIN generate_series(0, p.plans - 1) n;
     INSERT INTO plan_accounts (firm_id, plan_id, account_id)
     SELECT p.firm_id, p.plan_base + n, p.client_base + (10 * n + 5) % p.clients
     FROM bench_plan p CROSS JOIN generate_series(0, p.plans - 1) n""",
    ),
    # Status mix: 30% Not Started, 25% In Progress, 10% Waiting, 30% Completed, 5% Archived.
    # Every tenth task is a subtask of the task nine before it; positions count per column.
    (
        "tasks",
        f"""
     INSERT INTO tasks (firm_id, id, uuid, name, description, priority, due_at, taskable_type,
                        client_id, case_id, plan_id, status_id, parent_id, author_id, position,
                        completed_at, completed_by_id, created_at, updated_at)
     SELECT d.firm_id, d.id, d.uuid,
            (ARRAY['Check details','Document the transaction','Send annual review pack',
                   'Chase pension transfer','Book review meeting','Update fact find'])
              [1 + d.k % 6] || ' #' || d.k,
            CASE WHEN d.k % 2 = 0 THEN 'Follow up with the client.' END,
            CASE WHEN d.r1 >= 0.25 THEN 1 + floor((d.r1 - 0.25) / 0.1875)::int END,
            CASE WHEN d.r2 >= 0.2 THEN date_trunc('hour', now() - interval '180 days'
                 + interval '545 days' * (d.r2 - 0.2) / 0.8) END,
            d.kind,
            CASE WHEN d.kind = 'client' THEN d.client_base + d.k % d.clients END,
            CASE WHEN d.kind = 'case' THEN d.case_base + d.k % d.cases END,
            CASE WHEN d.kind = 'plan' THEN d.plan_base + d.k % d.plans END,
            s.id, CASE WHEN d.k % 10 = 9 THEN d.id - 9 END, m.account_id,
            row_number() OVER (PARTITION BY d.firm_id, s.id ORDER BY d.k),
            CASE WHEN s.done THEN d.created_at + interval '3 days' END,
            CASE WHEN s.done THEN m.account_id END, d.created_at, d.created_at
     FROM (SELECT p.*, k, p.task_base + k AS id, {U.format(kind="task", k="k")} AS uuid,
                  random() AS r1, random() AS r2, random() AS r3,
                  CASE WHEN k % 20 < 14 THEN 'client' WHEN k % 20 < 17 THEN 'case'
                       ELSE 'plan' END AS kind,
                  now() - interval '2 years' * (1 - k::float / p.tasks) AS created_at
           FROM bench_plan p CROSS JOIN generate_series(0, p.tasks - 1) k) d
     JOIN bench_status s ON s.firm_id = d.firm_id AND s.pos = CASE
          WHEN d.r3 < 0.30 THEN 1 WHEN d.r3 < 0.55 THEN 2 WHEN d.r3 < 0.65 THEN 4
          WHEN d.r3 < 0.95 THEN 3 ELSE 5 END
     JOIN bench_staff m ON m.firm_id = d.firm_id AND m.m = d.k % d.staff
     ORDER BY d.id""",
    ),
    # 10% unassigned, 70% one member, 20% two; half the tasks carry a group; a fifth a pet.
    (
        "task links",
        """
     INSERT INTO task_assignees (firm_id, task_id, account_id, status_id, due_at, top_level)
     SELECT d.firm_id, d.task_base + d.k, m.account_id, t.status_id, t.due_at,
            t.parent_id IS NULL
     FROM (SELECT p.*, k, random() AS r FROM bench_plan p
           CROSS JOIN generate_series(0, p.tasks - 1) k) d
     JOIN bench_staff m ON m.firm_id = d.firm_id
       AND ((m.m = (d.k / 3) % d.staff AND d.r >= 0.1)
            OR (m.m = (d.k / 3 + 1) % d.staff AND d.r >= 0.8))
     JOIN tasks t ON t.firm_id = d.firm_id AND t.id = d.task_base + d.k;
     INSERT INTO task_groups (firm_id, task_id, group_id, top_level)
     SELECT p.firm_id, p.task_base + k, p.group_base + (k * 7) % p.groups, k % 10 <> 9
     FROM bench_plan p CROSS JOIN generate_series(0, p.tasks - 1) k WHERE random() < 0.5;
     INSERT INTO task_custom_values (firm_id, task_id, custom_field_id, value)
     SELECT p.firm_id, p.task_base + k, p.field_id,
            to_jsonb((ARRAY['Dog','Cat','Fish'])[1 + (k / 5) % 3])
     FROM bench_plan p CROSS JOIN generate_series(0, p.tasks - 1, 5) k""",
    ),
]


async def bulk(url: str, firms: list[Firm], members: list[tuple[int, int, int]]) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("SET synchronous_commit = off; SET work_mem = '256MB'")
        await conn.execute("SELECT setseed(0.42)")
        start = {
            table: int(await conn.fetchval(f"SELECT coalesce(max(id), 0) + 1 FROM {table}"))
            for table in set(BASE_TABLES.values())
        }
        assign_bases(firms, start)
        columns = list(asdict(firms[0]))
        await conn.execute(
            "CREATE TEMP TABLE bench_plan ("
            + ", ".join(f"{c} bigint" for c in columns)
            + ", PRIMARY KEY (firm_id))"
        )
        await conn.copy_records_to_table(
            "bench_plan", records=[tuple(asdict(f).values()) for f in firms], columns=columns
        )
        await conn.execute(
            "CREATE TEMP TABLE bench_staff (firm_id bigint, m bigint, account_id bigint,"
            " PRIMARY KEY (firm_id, m))"
        )
        await conn.copy_records_to_table("bench_staff", records=members)
        for name, sql in BULK:
            began = time.monotonic()
            async with conn.transaction():
                await conn.execute(sql)
            _log(f"  {name}: {time.monotonic() - began:.1f} s")
        for table in set(BASE_TABLES.values()):
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
            )
        began = time.monotonic()
        await conn.execute("VACUUM (ANALYZE)")
        _log(f"  vacuum analyze: {time.monotonic() - began:.1f} s")
    finally:
        await conn.close()


def _log(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def requests(firm: Firm, people: dict[str, Any], today: dt.date) -> dict[str, list[str]]:
    """Request bodies and paths for each scenario, all in the large firm."""
    rng = random.Random(7)  # noqa: S311 - benchmark inputs, not secrets
    fi, third = firm.fi, firm.circles // 3

    def goal_body(circles: list[int]) -> str:
        return json.dumps(
            {
                "account_uuids": [bench_uuid("client", fi, 3 * j) for j in circles],
                "name": "Reduced Mileage",
                "description": "Reduce the amount of gas spent yearly.",
                "target_amount": 5000,
                "progress": 68,
                "timeframe": "Within the year.",
                "complete_goal_by": "2027-04-28",
                "priority": 4,
                "show_on_circles": False,
                "visible_to_circles_uuids": [bench_uuid("circle", fi, j) for j in circles],
            }
        )

    def task_body() -> str:
        half_m, half_g = firm.staff // 2, firm.groups // 2
        return json.dumps(
            {
                "name": "Check details",
                "description": "Check details",
                "priority": "low",
                "due_at": "2020-01-01 00:00:00",
                "taskable_type": "plan",
                "taskable_uuid": bench_uuid("plan", fi, rng.randrange(firm.plans)),
                "task_status_uuid": bench_uuid("status", fi, rng.randint(1, 4)),
                "parent_task_uuid": bench_uuid("task", fi, rng.randrange(firm.tasks)),
                "assigned_to_uuids": [
                    bench_uuid("member", fi, rng.randrange(half_m)),
                    bench_uuid("member", fi, rng.randrange(half_m, firm.staff)),
                ],
                "custom_fields": [{"favourite_pet": "Dog"}],
                "group_uuids": [
                    bench_uuid("group", fi, rng.randrange(half_g)),
                    bench_uuid("group", fi, rng.randrange(half_g, firm.groups)),
                ],
            }
        )

    due_before = (today + dt.timedelta(days=DUE_BEFORE_DAYS)).isoformat()
    member = people["members"][0]["uuid"]
    s3 = "/api/v1/task?" + "&".join(
        f"{quote(k)}={v}"
        for k, v in (
            ("filter[open_tasks]", "true"),
            ("filter[assigned_to_uuids]", member),
            ("filter[due_before]", due_before),
            ("sort", "due_at"),
            ("per_page", "15"),
        )
    )
    n = REQUESTS_PER_FILE
    return {
        "s0": ["/healthz"],
        "s0d": ["/readyz"],
        "s1": [
            goal_body([rng.randrange(i * third, (i + 1) * third) for i in range(3)])
            for _ in range(n)
        ],
        "s1_one": [goal_body([rng.randrange(firm.circles)])],
        "s1_ten": [goal_body(rng.sample(range(firm.circles), 10))],
        "s2": [task_body() for _ in range(n)],
        "s3": [s3],
        "s4": [
            f"/api/v2/goals/{bench_uuid('goal', fi, rng.randrange(firm.goals))}" for _ in range(n)
        ],
        "s5": [
            f"/api/v2/goals?{quote('filter[circle_uuids]')}="
            f"{bench_uuid('circle', fi, rng.randrange(firm.circles))}"
            for _ in range(n)
        ],
        "s6": [f"/api/v1/task?{quote('filter[name]')}={w}" for w in SEARCH_WORDS],
        "s7": ["/api/v1/task"],
        "s8": ["/api/v2/goals"],
    }


async def generate(url: str, firms: list[Firm]) -> list[dict[str, Any]]:
    key = get_settings().secret_key()
    began = time.monotonic()
    engine = create_engine(url, 1)
    try:
        async with engine.connect() as conn, driver(conn).transaction():
            people = await create_people(conn, key, firms)
    finally:
        await engine.dispose()
    _log(f"  firms, owners, members, tokens: {time.monotonic() - began:.1f} s")
    members = [
        (f.firm_id, m, p["id"])
        for f, firm_people in zip(firms, people, strict=True)
        for m, p in enumerate(firm_people["members"])
    ]
    await bulk(url, firms, members)
    return people


def write(out: Path, scale: str, firms: list[Firm], people: list[dict[str, Any]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, lines in requests(firms[0], people[0], dt.date.today()).items():
        (out / f"{name}.txt").write_text("\n".join(lines) + "\n")
    data = {
        "scale": scale,
        "firms": [asdict(f) | p for f, p in zip(firms, people, strict=True)],
        "totals": {
            k: sum(getattr(f, k) for f in firms)
            for k in ("clients", "tasks", "goals", "circles", "groups", "cases", "plans")
        },
    }
    (out / "data.json").write_text(json.dumps(data, indent=2) + "\n")


def main() -> None:
    url, out = sys.argv[1], Path(sys.argv[2])
    scale = sys.argv[3] if len(sys.argv) > 3 else "full"
    if scale not in SCALES:
        raise SystemExit(f"scale must be one of {', '.join(SCALES)}")
    firms = plan_firms(scale)
    write(out, scale, firms, asyncio.run(generate(url, firms)))


if __name__ == "__main__":
    main()

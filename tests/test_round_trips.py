"""Round trips to PostgreSQL per request, pinned: a request that starts sending one more
statement (or one more BEGIN/COMMIT) fails here and has to be pinned on purpose.

A round trip is one statement the request pool's connection sends and waits for: BEGIN,
COMMIT and ROLLBACK included, prepares not (see tests/round_trips.py). Each request is
sent twice and counted the second time, when its statements are prepared on the
connection: the second send must then prepare nothing.

The app here has a pool of one connection, so the second send runs on the connection
the first one warmed (a larger pool hands requests its connections in turn). The rate
limiter's own engine is not counted: it leases a caller's budget once in many requests.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import literal_column, select

from advisercrm.app import create_app
from advisercrm.config import Settings
from advisercrm.db import connect
from advisercrm.kit import sql
from advisercrm.kit.sql import Query
from tests.helpers import Actor, auth_settled, new_firm
from tests.round_trips import EXECUTE, PREPARE, QUERY, RoundTrips, Trip
from tests.sweep_support import POST_BODIES, TOKENS, World, body_for, build_world, fill

# The two seed requests, as the benchmark's S1 and S2 send them (with this world's UUIDs).
SEEDS = Path(__file__).parent / "e2e"
SEED_GOAL = json.loads((SEEDS / "seed_goal_request.json").read_text())
SEED_TASK = json.loads((SEEDS / "seed_task_request.json").read_text())

# A request to send: the path (with its query string) and the JSON body, if any.
Request = tuple[str, dict[str, Any] | None]
# Builds the n-th request of a row (0: the warm-up, 1: the one counted) for the firm.
Builder = Callable[[World, int], Awaitable[Request]]
_names = itertools.count(1)


def _records(world: World, n: int) -> dict[str, str]:
    """Records a DELETE consumes: a different one per send."""
    return (world.spare, world.doomed)[n]


def plain(method: str, path: str) -> Builder:
    """The sweep's request: its records in the path and its valid body (POST)."""

    async def build(world: World, n: int) -> Request:
        records = _records(world, n) if method == "DELETE" else world.records
        return fill(path, records), body_for(method, path, world)

    return build


def update(path: str, field: str) -> Builder:
    """A PUT that changes one field to a fresh value (an empty PUT changes nothing)."""

    async def build(world: World, n: int) -> Request:
        return fill(path, world.records), {field: f"Renamed {next(_names)}"}

    return build


async def new_task(world: World) -> dict[str, str]:
    """A task of its own (uncounted), for a request that changes it for good."""
    task = await world.owner.created(TASKS, POST_BODIES[TASKS](world))
    return {**world.records, "task": task["uuid"]}


def on_new_task(path: str, before: str | None = None) -> Builder:
    """A request on a new task per send (completing a task twice is not typical);
    `before` is a PATCH the owner sends first, uncounted (completing before uncompleting)."""

    async def build(world: World, n: int) -> Request:
        records = await new_task(world)
        if before is not None:
            response = await world.owner.request("PATCH", fill(before, records))
            assert response.status_code == 200, response.text
        return fill(path, records), None

    return build


ACCOUNT = "/api/v1/account/{uuid}"
CLIENT = "/api/v1/client/{uuid}"
TASKS = "/api/v1/task"
TASK = TASKS + "/{uuid}"
LOGINS = "/api/v1/account/{account_uuid}/login"

# (method, path) -> (how to build the request, round trips). Every request is one
# transaction, and BEGIN and COMMIT are 2 of its round trips: POST, PUT, PATCH and DELETE
# commit their writes; a GET reads one snapshot (BEGIN ISOLATION LEVEL REPEATABLE READ
# READ ONLY), so its statements agree with each other. The counts are those of a caller
# whose token the process has kept (auth.cache), as it has after the caller's first
# request: that one sends one statement more, the token's lookup (see FIRST below).
# A write of an account, circle, case, plan, task or goal records its events in the
# message that commits it (resource.events): no round trip of their own. A delete of a
# row other records depend on first reads what goes with it and what it changes (one
# statement), and renders the changed records of each kind for their update events (one
# each: a circle's accounts). A circle's write of its name or accounts reads its accounts (their
# links before and after) and renders those it changed: they list it by name.
# fmt: off
TABLE: dict[tuple[str, str], tuple[Builder | None, int]] = {
    ("GET", "/api/v1/logins"):                                      (None, 3),
    ("GET", TOKENS):                                                (None, 3),
    ("POST", TOKENS):                                               (None, 4),
    # The token is found (404 before anything else), then revoked: two statements.
    ("DELETE", TOKENS + "/{uuid}"):                                 (None, 4),
    ("GET", "/api/v1/account"):                                     (None, 1),
    ("POST", "/api/v1/account"):                                    (None, 4),
    ("GET", ACCOUNT):                                               (None, 1),
    ("PUT", ACCOUNT):                               (update(ACCOUNT, "first_name"), 5),
    ("DELETE", ACCOUNT):                                            (None, 7),
    ("GET", "/api/v1/client"):                                      (None, 1),
    ("POST", "/api/v1/client"):                                     (None, 4),
    ("GET", CLIENT):                                                (None, 1),
    ("PUT", CLIENT):                                 (update(CLIENT, "first_name"), 5),
    ("DELETE", CLIENT):                                             (None, 7),
    ("GET", LOGINS):                                                (None, 5),
    ("POST", LOGINS):                                               (None, 8),
    ("PUT", LOGINS + "/{uuid}"):                  (plain("PUT", LOGINS + "/{uuid}"), 6),
    ("POST", LOGINS + "/{login_uuid}/expire"):                      (None, 6),
    ("POST", "/api/v1/client/{client_uuid}/owners"):                (None, 6),
    ("POST", "/api/v1/group/{group_uuid}/participants"):            (None, 6),
    ("GET", "/api/v1/circles"):                                     (None, 1),
    ("POST", "/api/v1/circles"):                                    (None, 11),
    ("GET", "/api/v1/circles/{uuid}"):                              (None, 1),
    ("PUT", "/api/v1/circles/{uuid}"):                              (None, 7),
    ("DELETE", "/api/v1/circles/{uuid}"):                           (None, 6),
    ("GET", "/api/v1/group"):                                       (None, 1),
    ("POST", "/api/v1/group"):                                      (None, 9),
    ("GET", "/api/v1/group/{uuid}"):                                (None, 1),
    ("PUT", "/api/v1/group/{uuid}"):                                (None, 7),
    ("DELETE", "/api/v1/group/{uuid}"):                             (None, 5),
    ("GET", "/api/v2/goals"):                                       (None, 1),
    ("POST", "/api/v2/goals"):                                      (None, 3),
    ("GET", "/api/v2/goals/{uuid}"):                                (None, 1),
    ("PUT", "/api/v2/goals/{uuid}"):                                (None, 6),
    ("DELETE", "/api/v2/goals/{uuid}"):                             (None, 4),
    ("GET", "/api/v1/client/{client_uuid}/goal"):                   (None, 4),
    ("GET", "/api/v1/client/{client_uuid}/goal/{uuid}"):            (None, 4),
    ("PUT", "/api/v1/client/{client_uuid}/goal/{uuid}"):            (None, 7),
    ("GET", "/api/v1/task-status"):                                 (None, 1),
    ("POST", "/api/v1/task-status"):                                (None, 5),
    ("GET", "/api/v1/task-status/{uuid}"):                          (None, 1),
    ("PUT", "/api/v1/task-status/{uuid}"):                          (None, 4),
    ("DELETE", "/api/v1/task-status/{uuid}"):                       (None, 5),
    ("GET", "/api/v1/custom-field"):                                (None, 1),
    ("POST", "/api/v1/custom-field"):                               (None, 5),
    ("GET", "/api/v1/custom-field/{uuid}"):                         (None, 1),
    ("PUT", "/api/v1/custom-field/{uuid}"):                         (None, 6),
    ("DELETE", "/api/v1/custom-field/{uuid}"):                      (None, 5),
    ("GET", "/api/v1/cases"):                                       (None, 1),
    # The status and type in one statement, the plans resolved, their links written.
    ("POST", "/api/v1/cases"):                                      (None, 14),
    ("GET", "/api/v1/cases/{uuid}"):                                (None, 1),
    ("PUT", "/api/v1/cases/{uuid}"):                                (None, 5),
    ("DELETE", "/api/v1/cases/{uuid}"):                             (None, 5),
    ("GET", "/api/v1/cases-status"):                                (None, 1),
    ("POST", "/api/v1/cases-status"):                               (None, 5),
    ("GET", "/api/v1/cases-status/{uuid}"):                         (None, 1),
    ("PUT", "/api/v1/cases-status/{uuid}"):                         (None, 4),
    ("DELETE", "/api/v1/cases-status/{uuid}"):                      (None, 5),
    ("GET", "/api/v1/cases-type"):                                  (None, 1),
    ("POST", "/api/v1/cases-type"):                                 (None, 3),
    ("GET", "/api/v1/cases-type/{uuid}"):                           (None, 1),
    ("PUT", "/api/v1/cases-type/{uuid}"):                           (None, 4),
    ("DELETE", "/api/v1/cases-type/{uuid}"):                        (None, 5),
    ("GET", "/api/v1/client-status"):                               (None, 1),
    # The colour a status made without one takes counts the firm's statuses.
    ("POST", "/api/v1/client-status"):                              (None, 4),
    ("GET", "/api/v1/client-status/{uuid}"):                        (None, 1),
    ("PUT", "/api/v1/client-status/{uuid}"):                        (None, 4),
    ("DELETE", "/api/v1/client-status/{uuid}"):                     (None, 5),
    ("GET", "/api/v1/life-stage"):                                  (None, 1),
    # A new stage goes last: the firm's stages are locked and counted first.
    ("POST", "/api/v1/life-stage"):                                 (None, 5),
    ("GET", "/api/v1/life-stage/{uuid}"):                           (None, 1),
    ("PUT", "/api/v1/life-stage/{uuid}"):                           (None, 4),
    # Public reference data: no statement at all.
    ("GET", "/api/v1/static/nationalities"):                        (None, 0),
    ("POST", "/api/v1/introducer"):                                 (None, 7),
    ("GET", "/api/v1/plans"):                                       (None, 1),
    ("POST", "/api/v1/plans"):                                      (None, 7),
    ("GET", "/api/v1/plans/{uuid}"):                                (None, 1),
    ("PUT", "/api/v1/plans/{uuid}"):                                (None, 5),
    ("DELETE", "/api/v1/plans/{uuid}"):                             (None, 5),
    ("GET", "/api/v1/tag"):                                         (None, 1),
    ("POST", "/api/v1/tag"):                                        (None, 7),
    ("GET", "/api/v1/task"):                                        (None, 1),
    # The references with the status locked, then the task inserted and returned loaded.
    ("POST", "/api/v1/task"):                                       (None, 4),
    ("GET", TASK):                                                  (None, 1),
    ("PUT", TASK):                                                  (None, 5),
    ("DELETE", TASK):                                               (None, 5),
    # The owner's page of changes: the committed events numbered, then one statement (a
    # member's adds two per record type).
    ("GET", "/api/v1/changes"):                                     (None, 4),
    ("GET", "/api/v2/webhook-subscriptions"):                       (None, 1),
    ("POST", "/api/v2/webhook-subscriptions"):                      (None, 3),
    ("GET", "/api/v2/webhook-subscriptions/{uuid}"):                (None, 1),
    ("PUT", "/api/v2/webhook-subscriptions/{uuid}"):                (None, 4),
    ("DELETE", "/api/v2/webhook-subscriptions/{uuid}"):             (None, 4),
    # In one snapshot: the subscription, a page of its deliveries, their count.
    ("GET", "/api/v2/webhook-subscriptions/{uuid}/deliveries"):     (None, 5),
    ("POST", "/api/v2/webhook-subscriptions/{uuid}/deliveries/{delivery_uuid}/redeliver"):
                                                                    (None, 5),
    ("PATCH", TASK + "/complete"):                      (on_new_task(TASK + "/complete"), 9),
    ("PATCH", TASK + "/uncomplete/{task_status_uuid}"):
        (on_new_task(TASK + "/uncomplete/{task_status_uuid}", before=TASK + "/complete"), 8),
}
# fmt: on


def builder(method: str, path: str) -> Builder:
    build = TABLE[method, path][0]
    if build is not None:
        return build
    if method == "PUT":
        return update(path, "name")
    return plain(method, path)


@dataclasses.dataclass
class Bench:
    app: FastAPI
    world: World
    counter: RoundTrips


@pytest.fixture(scope="module")
async def bench(database_url: str, settings: Settings) -> AsyncIterator[Bench]:
    app = create_app(dataclasses.replace(settings, db_pool_size=1), database_url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            # Counting from the first request on, so the counter sees every statement
            # prepared and can name the statements a request runs.
            with RoundTrips(app.state.engine) as counter:
                world = await build_world(await new_firm(app, http), spares=True)
                yield Bench(app, world, counter)


def _shown(trips: list[Trip]) -> str:
    return "\n".join(f"  {t.kind:8} {' '.join(t.sql.split())[:150]}" for t in trips)


def ok(response: httpx.Response, status: int | None) -> None:
    assert response.status_code == status if status else response.is_success, response.text


async def count(
    bench: Bench,
    actor: Actor,
    method: str,
    build: Builder,
    status: int | None = None,
    kept: bool = True,
) -> int:
    """Send the request twice, the second time counted, with the caller's token kept by
    the process (`kept`) or not; its round trips."""
    path, body = await build(bench.world, 0)
    ok(await actor.request(method, path, json=body), status)
    # The first send's notifications (a login or token it wrote) have dropped the kept
    # tokens, and so has the marker's: the token is kept again by requests of its own,
    # with the account it names and without (the user's own routes name none).
    await auth_settled(bench.app)
    if kept:
        ok(await actor.get("/api/v1/task-status"), 200)
        ok(await actor.get("/api/v1/logins"), 200)
    path, body = await build(bench.world, 1)
    with bench.counter.measure() as trips:
        response = await actor.request(method, path, json=body)
    ok(response, status)
    prepared = [t for t in trips if t.kind == PREPARE]
    assert not prepared, f"prepared again on a warm connection:\n{_shown(prepared)}"
    assert all(t.kind in (EXECUTE, QUERY) for t in trips)
    print(f"PIN {method} {path}: {len(trips)} round trips\n{_shown(trips)}")
    return len(trips)


async def test_the_counter_sees_statements_of_both_kinds_and_the_prepares(bench: Bench) -> None:
    """Control: a statement compiled for its call (kit.sql.fetch_row) and a Query
    compiled once are each one round trip, plus one prepare on the connection's first
    run of each; the transaction's BEGIN and COMMIT are one each."""
    marker = secrets.token_hex(4)
    per_call = select(literal_column("1").label(f"a_{marker}"))
    compiled = Query(select(literal_column("2").label(f"b_{marker}")))

    async def run() -> list[Trip]:
        with bench.counter.measure() as trips:
            async with connect(bench.app.state.engine, begin=True) as conn:
                await sql.fetch_row(conn, per_call)
                await compiled.first(conn)
        return trips

    cold, warm = await run(), await run()
    assert [t.kind for t in cold] == [QUERY, PREPARE, EXECUTE, PREPARE, EXECUTE, QUERY]
    assert warm == [
        Trip(QUERY, "BEGIN ISOLATION LEVEL READ COMMITTED"),
        Trip(EXECUTE, sql.compiled(per_call)[0]),
        Trip(EXECUTE, compiled.sql),
        Trip(QUERY, "COMMIT"),
    ]


@pytest.mark.parametrize(("method", "path"), list(TABLE), ids=[" ".join(k) for k in TABLE])
async def test_round_trips(bench: Bench, method: str, path: str) -> None:
    trips = await count(bench, bench.world.owner, method, builder(method, path))
    assert trips == TABLE[method, path][1]


def test_every_api_operation_has_a_pinned_count(app: FastAPI) -> None:
    paths: dict[str, dict[str, Any]] = app.openapi()["paths"]
    ops = {(m.upper(), p) for p, item in paths.items() for m in item if p.startswith("/api/")}
    assert ops - set(TABLE) == set(), "an endpoint without a pinned round-trip count"
    assert set(TABLE) - ops == set(), "a pinned count for an endpoint the app no longer has"


async def _scenarios(world: World) -> dict[str, tuple[Actor, str, Builder]]:
    """The benchmark's five requests (bench/dataset.py), on records of the module's firm:
    name -> (caller, method, request)."""
    owner, firm, rec = world.owner, world.firm, world.records
    employee = {"type": "employee", "role": "member", "first_name": "Bench", "last_name": "Staff"}
    clients = [rec["client"], rec["client2"], (await firm.client_account())["uuid"]]
    pairs = [clients[i : i + 2] for i in (0, 1)] + [[clients[2], clients[0]]]
    circles = [(await firm.circle(pair))["uuid"] for pair in pairs]
    staff = [rec["employee"], (await owner.created("/api/v1/account", employee))["uuid"]]
    groups = [rec["group"], (await firm.group([rec["client"]]))["uuid"]]
    pet = {"type": "selection", "name": "Favourite Pet", "model_type": "task"}
    await owner.created("/api/v1/custom-field", {**pet, "selection_options": ["Dog", "Cat"]})
    member = await firm.actor(role="member")
    for n in range(2):  # a task of the member's due before the date, one after
        due = ("2020-01-01 00:00:00", "2099-01-01 00:00:00")[n]
        body = {**POST_BODIES[TASKS](world), "due_at": due}
        await owner.created(TASKS, {**body, "assigned_to_uuids": [member.account_uuid]})

    async def s1(world: World, n: int) -> Request:
        return "/api/v2/goals", {
            **SEED_GOAL,
            "account_uuids": clients,
            "visible_to_circles_uuids": circles,
        }

    async def s2(world: World, n: int) -> Request:
        return TASKS, {
            **SEED_TASK,
            "taskable_uuid": rec["plan"],
            "task_status_uuid": rec["status"],
            "parent_task_uuid": rec["task"],
            "assigned_to_uuids": staff,
            "group_uuids": groups,
        }

    s3 = (
        f"{TASKS}?filter[open_tasks]=true&filter[assigned_to_uuids]={member.account_uuid}"
        "&filter[due_before]=2030-01-01&sort=due_at&per_page=15"
    )
    s5 = f"/api/v2/goals?filter[circle_uuids]={circles[0]}"
    return {
        "S1": (owner, "POST", s1),
        "S2": (owner, "POST", s2),
        "S3": (member, "GET", _fixed(s3)),
        "S4": (owner, "GET", _fixed(f"/api/v2/goals/{rec['goal']}")),
        "S5": (owner, "GET", _fixed(s5)),
    }


def _fixed(path: str) -> Builder:
    async def build(world: World, n: int) -> Request:
        return path, None

    return build


# The benchmark's requests as its capture counts them ("Round trips per request" in a
# bench/run report, from the PostgreSQL log of the benchmark's server, BEGIN and COMMIT
# included; a small run, BENCH_SCALE=small, shows the same counts). A goal's create is
# one statement between BEGIN and the COMMIT that carries its events: it checks the
# owners and circles, inserts, and reads the records the goal nests, so its render needs
# no statement of its own.
# A caller's requests after its first find its token kept in memory (auth.cache): the
# benchmark's clients send the same token again and again.
BENCHMARK = {"S1": 3, "S2": 4, "S3": 1, "S4": 1, "S5": 1}
# The first request of a token (or the first after a change to tokens, logins, accounts
# or firms dropped the kept ones) looks the token up: one statement more.
FIRST = {"S1": 4, "S2": 5, "S3": 2, "S4": 2, "S5": 2}


async def test_the_benchmark_requests_agree_with_its_capture(bench: Bench) -> None:
    scenarios = await _scenarios(bench.world)
    counted, first = {}, {}
    for name, (actor, method, build) in scenarios.items():
        counted[name] = await count(bench, actor, method, build)
        first[name] = await count(bench, actor, method, build, kept=False)
    assert counted == BENCHMARK
    assert first == FIRST

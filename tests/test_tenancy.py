"""Tenancy over every statement the application sends to PostgreSQL.

Every firm-owned table a statement reads or writes must be held to the acting firm (the
rule is kit.tenancy's, which kit.sql also applies before every statement runs; the
tables it exempts are below). The statements are those
the application really sends, read off the wire of both its engines while a broad set of
requests runs (every route as every kind of caller of the route sweep, every value of
every list filter, sort and include, an idempotent replay), plus every compiled statement
(`kit.sql.Query`, at import or on first use), whether or not a request ran it. And the
values each request bound where a statement takes the firm are read off the wire too:
each must be the caller's own firm.
"""

from __future__ import annotations

import dataclasses
import gc
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect

from advisercrm.app import create_app
from advisercrm.auth.principal import VIEWER_FIRM_ID
from advisercrm.config import Settings
from advisercrm.kit.sql import FIRM, Query, checked
from advisercrm.kit.tenancy import TenancyError, analyse, tables_in
from advisercrm.kit.tenancy import problems as problems_of
from advisercrm.tables import TENANCY, goals, metadata, personal_access_tokens
from tests.round_trips import RoundTrips, Trip
from tests.sweep_support import Sweep, World, body_for, build_sweep, fill
from tests.test_route_sweep import TABLE

FIRM_OWNED, USER_OWNED = TENANCY.firm_owned, TENANCY.user_owned
# No firm_id at all, so nothing to hold: named so the test can say they are all accounted for.
EXEMPT = {
    "firms": "the tenants themselves: read by id or uuid after the caller's firm is known",
    "users": "people, who may have logins in several firms; no firm data",
    "idempotency_keys": "belong to a user; the stored response is replayed to that user only",
    "rate_limit_windows": "per-caller request counters, no firm data",
    "login_attempts": "failed password checks per throttle key (a digest), no firm data",
}
# Firm-owned, and touched only by the database's own functions, each given the firm.
IN_FUNCTIONS_ONLY = {
    "event_queue": "a write's events until a reader numbers them (resource.events)",
}
SWEEP_ADDRESS = ("198.51.100.9", 4321)  # a rate-limit budget of its own

# Statements on the wire that the application does not write, by how they begin.
NOT_THE_APPLICATIONS = {
    # asyncpg's type introspection (pg_catalog only); sqlglot cannot parse it.
    "WITH RECURSIVE typeinfo_tree(": "asyncpg looks up the types of a statement's columns",
    # A read's transaction (db.transaction); sqlglot cannot parse its modes.
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY": "names no table",
}


def _test_statements() -> set[str]:
    """The statements the sweep's set-up sends itself on the app's engine (expiring a
    token by its uuid): test code, not the application's."""
    expire = update(personal_access_tokens).where(personal_access_tokens.c.uuid == "x")
    expire = expire.values(expires_at=None)
    return {str(expire.compile(dialect=asyncpg_dialect()))}  # type: ignore[no-untyped-call]


def _uuid_for(key: str, path: str, world: World) -> str:
    """A record of the kind a list's uuid filter names, so the filter runs its query
    rather than stopping at an unknown reference."""
    kinds = {"circle_uuids": "circle", "group_uuids": "group", "status_uuid": "status"}
    if key == "uuid":  # the list's own kind
        return fill(path + "/{uuid}", world.records).rsplit("/", 1)[1]
    if key == "assigned_to_uuids":
        return world.owner.account_uuid
    return world.records[kinds.get(key, "client")]


def list_requests(app: FastAPI, world: World) -> list[tuple[str, dict[str, str]]]:
    """One request per value of every query parameter of every list: each sort, each enum
    value, both booleans, a real record for uuid filters, a date, a name with wildcards."""
    requests: list[tuple[str, dict[str, str]]] = []
    for path, item in app.openapi()["paths"].items():
        if "get" not in item or path == "/avatar.svg":
            continue
        for param in item["get"].get("parameters", []):
            name, schema = param["name"], param.get("schema", {})
            if param["in"] != "query" or name in ("page", "per_page"):
                continue
            inner = schema.get("items", schema)
            if "enum" in inner:
                values = [str(v) for v in inner["enum"]]
            elif inner.get("type") == "boolean":
                values = ["true", "false"]
            elif inner.get("format") == "uuid":
                key = name.removeprefix("filter[").removesuffix("]")
                values = [_uuid_for(key, path, world)]
            elif inner.get("format") == "date":
                values = ["2030-01-01"]
            elif inner.get("type") == "integer":
                values = ["1"]
            else:
                values = ["a_b%"]
            filled = fill(path, world.records)
            requests += [(filled, {name: v, "per_page": "500"}) for v in values]
    return requests


@dataclasses.dataclass
class Capture:
    """What the sweep sent: every SQL text on the wire of the app's two engines, and per
    request the acting firm's id with the request engine's round trips."""

    sent: set[str] = dataclasses.field(default_factory=set)
    trips: list[tuple[int, list[Trip]]] = dataclasses.field(default_factory=list)
    failed: list[str] = dataclasses.field(default_factory=list)  # requests answered 5xx


@dataclasses.dataclass
class _Sender:
    sweep: Sweep
    wire: RoundTrips
    capture: Capture

    async def send(self, firm: str, method: str, url: str, **kwargs: Any) -> None:
        """Send as a caller of firm "A" or "B"; a 5xx is noted, not raised, so the
        statements sent are still checked."""
        firm_id = (self.sweep.a if firm == "A" else self.sweep.b).firm.firm_id
        with self.wire.measure() as trips:
            response = await self.sweep.http.request(method, url, **kwargs)
        self.capture.trips.append((firm_id, trips))
        if response.status_code >= 500:
            self.capture.failed.append(f"{method} {url} {kwargs.get('params')}")


@pytest.fixture(scope="module")
async def capture(database_url: str, settings: Settings) -> AsyncIterator[Capture]:
    """A fresh app, so that every statement is prepared, and so seen, on the wire."""
    app = create_app(settings, database_url)
    captured = Capture()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=SWEEP_ADDRESS)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            with (
                RoundTrips(app.state.engine) as requests,
                RoundTrips(app.state.limiter.engine) as limits,
            ):
                sweep = await build_sweep(app, http)
                await _run(app, _Sender(sweep, requests, captured))
            captured.sent = requests.sent | limits.sent
            yield captured


async def _run(app: FastAPI, sender: _Sender) -> None:
    """Every route as every caller, then every list parameter as callers who see the
    firm differently (owner, member in no group, client), then an idempotent replay."""
    a = sender.sweep.a
    for method, path in TABLE:
        for caller, credential in sender.sweep.credentials.items():
            records = a.records
            if method == "DELETE":
                records = a.doomed if caller == "owner" else a.spare
            body = body_for(method, path, a)
            url = fill(path, records)
            await sender.send(credential.firm, method, url, json=body, headers=credential.headers)
    for caller in ("owner", "member", "client"):
        headers = sender.sweep.credentials[caller].headers
        for url, params in list_requests(app, a):
            await sender.send("A", "GET", url, params=params, headers=headers)
    headers = {**a.owner.headers, "Idempotency-Key": "tenancy-replay"}
    for _ in range(2):
        await sender.send(
            "A", "POST", "/api/v1/task-status", json={"name": "Once"}, headers=headers
        )


def _shown(sql: str) -> str:
    return " ".join(sql.split())


def _statements(capture: Capture) -> set[str]:
    made_by_test = _test_statements()
    assert made_by_test <= capture.sent, "the set-up statement left out is no longer sent"
    return {
        sql
        for sql in capture.sent - made_by_test
        if not any(sql.lstrip().startswith(p) for p in NOT_THE_APPLICATIONS)
    }


def compiled_queries() -> list[Query]:
    """Every Query compiled so far: at import (create_app imports every module), or on
    first use for a kind of caller (functools.cache), which the capture has made."""
    return [o for o in gc.get_objects() if isinstance(o, Query)]


# The parameters compiled statements take the acting firm as: the repositories' FIRM, and
# the visibility rules' viewer's firm (filled from the principal by `Principal.viewer`).
FIRM_PARAMETERS = {FIRM.key, VIEWER_FIRM_ID.key}


def problems(sql: str, firm: set[str] | None = None) -> list[str]:
    return problems_of(sql, TENANCY, firm)


def firm_placeholders(query: Query) -> set[str]:
    """The placeholders ("$3") of a Query that carry the acting firm."""
    return {f"${n}" for n, name in enumerate(query.keys, 1) if name in FIRM_PARAMETERS}


def test_every_table_is_firm_owned_user_owned_or_exempt() -> None:
    """A new table has to be placed here before the check can miss it."""
    assert set(metadata.tables) == FIRM_OWNED | USER_OWNED | set(EXEMPT)
    assert not FIRM_OWNED & USER_OWNED and not (FIRM_OWNED | USER_OWNED) & set(EXEMPT)
    for name in EXEMPT:
        assert "firm_id" not in metadata.tables[name].c, name
    for name in USER_OWNED:
        table = metadata.tables[name]
        assert {"firm_id", "user_id"} <= set(table.c.keys()), name


def test_every_statement_sent_holds_every_firm_owned_table_to_the_firm(capture: Capture) -> None:
    failures = [
        f"{'; '.join(found)}\n    {_shown(sql)}"
        for sql in sorted(_statements(capture))
        if (found := problems(sql))
    ]
    assert not failures, "\n".join(failures)


def _firm_value(bound: tuple[bool, bytes | None]) -> int | None:
    binary, value = bound
    if value is None:
        return None
    return int.from_bytes(value, "big", signed=True) if binary else int(value)


def test_every_firm_parameter_bound_is_the_callers_firm(capture: Capture) -> None:
    """The statements hold tables to a parameter; here each value a request bound to such
    a parameter is checked to be its caller's firm (firm B's owner, aimed at firm A's
    records, must send B's id only)."""
    anchors: dict[str, set[str]] = {}
    checked, wrong = 0, []
    for firm_id, trips in capture.trips:
        for trip in trips:
            if not trip.params:
                continue
            if trip.sql not in anchors:
                anchors[trip.sql] = analyse(trip.sql, TENANCY)[1]
            for placeholder in anchors[trip.sql]:
                value = _firm_value(trip.params[int(placeholder[1:]) - 1])
                checked += 1
                # NULL holds nothing to another firm: it matches no row, a firm-owned
                # key refuses it, and a token inserted with it is bound to no firm.
                if value not in (firm_id, None):
                    wrong.append(f"{placeholder}={value}, not {firm_id}: {_shown(trip.sql)}")
    assert not wrong, "\n".join(wrong[:20])
    assert checked > 1000


def test_every_compiled_query_holds_the_firm_by_its_firm_id_parameter(capture: Capture) -> None:
    """Stricter than the wire: here the placeholders are known by name, so the firm must
    come from the parameter the repositories fill with the acting firm. (Some Queries are
    compiled on first use, per kind of caller: the capture has made them all.)"""
    queries = compiled_queries()
    assert len(queries) >= 30
    failures = [
        f"{'; '.join(found)}\n    {_shown(q.sql)}"
        for q in queries
        if (found := problems(q.sql, firm_placeholders(q)))
    ]
    assert not failures, "\n".join(failures)


def test_no_request_of_the_capture_failed(capture: Capture) -> None:
    assert not capture.failed
    # Every statement was prepared while watched, so every Bind's SQL is known.
    assert not [t for _, trips in capture.trips for t in trips if t.sql.startswith("(")]


def test_the_capture_covers_every_firm_owned_table(capture: Capture) -> None:
    statements = _statements(capture)
    assert len(statements) > 300
    assert len(capture.trips) > 1000
    named = set().union(*(tables_in(sql) for sql in statements))
    named |= set().union(*(tables_in(q.sql) for q in compiled_queries()))
    assert set(IN_FUNCTIONS_ONLY) <= FIRM_OWNED and not named & set(IN_FUNCTIONS_ONLY)
    named |= set(IN_FUNCTIONS_ONLY)
    assert named >= FIRM_OWNED | USER_OWNED, sorted((FIRM_OWNED | USER_OWNED) - named)


def test_the_statements_left_out_name_no_table_of_the_application(capture: Capture) -> None:
    names = re.compile(rf"\b({'|'.join(metadata.tables)})\b")
    left_out = [
        sql for sql in capture.sent if any(sql.lstrip().startswith(p) for p in NOT_THE_APPLICATIONS)
    ]
    assert left_out, "nothing left out: drop the stale entry"
    assert not [names.findall(sql) for sql in left_out if names.search(sql)]


# (statement, what the checker must say: [] or the problems). The firm's parameter is $1.
CONTROLS = [
    ("SELECT * FROM goals WHERE uuid = $1", ["goals AS goals is not held to the acting firm"]),
    ("SELECT * FROM goals WHERE false", []),
    ("SELECT * FROM goals WHERE uuid = $1 AND false", []),
    (
        "SELECT * FROM goals WHERE false OR uuid = $1",
        ["goals AS goals is not held to the acting firm"],
    ),
    ("SELECT * FROM goals WHERE firm_id = $1 AND uuid = $2", []),
    ("SELECT * FROM goals WHERE goals.firm_id = $1::BIGINT", []),
    # Under OR, or against a literal, the predicate holds nothing.
    (
        "SELECT * FROM goals WHERE goals.firm_id = $1 OR goals.uuid = $2",
        ["goals AS goals is not held to the acting firm"],
    ),
    ("SELECT * FROM goals WHERE firm_id = 7", ["goals AS goals is not held to the acting firm"]),
    (
        "SELECT * FROM goals WHERE firm_id = ANY($1)",
        ["goals AS goals is not held to the acting firm"],
    ),
    # Through an equi-join on firm_id, in either direction; not through ids alone.
    (
        "SELECT g.* FROM goals g JOIN goal_accounts ga"
        " ON ga.firm_id = g.firm_id AND ga.goal_id = g.id WHERE ga.firm_id = $1",
        [],
    ),
    (
        "SELECT g.* FROM goal_accounts ga JOIN goals g"
        " ON g.firm_id = ga.firm_id AND ga.goal_id = g.id WHERE g.firm_id = $1",
        [],
    ),
    (
        "SELECT g.* FROM goals g JOIN goal_accounts ga ON ga.goal_id = g.id WHERE g.firm_id = $1",
        ["goal_accounts AS ga is not held to the acting firm"],
    ),
    (
        "SELECT g.* FROM goals g JOIN goal_accounts ga"
        " ON ga.firm_id = g.id AND ga.goal_id = g.id WHERE g.firm_id = $1",
        ["goal_accounts AS ga is not held to the acting firm"],
    ),
    # A correlated subquery tied to the outer table by firm_id, or not.
    (
        "SELECT * FROM goals WHERE goals.firm_id = $1 AND EXISTS (SELECT * FROM goal_accounts"
        " WHERE goal_accounts.firm_id = goals.firm_id AND goal_accounts.goal_id = goals.id)",
        [],
    ),
    (
        "SELECT * FROM goals WHERE goals.firm_id = $1 AND EXISTS (SELECT * FROM goal_accounts"
        " WHERE goal_accounts.goal_id = goals.id)",
        ["goal_accounts AS goal_accounts is not held to the acting firm"],
    ),
    # A subquery's anchor does not hold the outer table.
    (
        "SELECT * FROM goals WHERE goals.id IN (SELECT goal_id FROM goal_accounts"
        " WHERE goal_accounts.firm_id = $1)",
        ["goals AS goals is not held to the acting firm"],
    ),
    # Writes.
    ("INSERT INTO goals (firm_id, name) VALUES ($1, $2), ($1, $3)", []),
    (
        "INSERT INTO goals (firm_id, name) VALUES ($1, $2), (8, $3)",
        ["INSERT INTO goals: a firm_id value is not a parameter"],
    ),
    ("INSERT INTO goals (name) VALUES ($2)", ["INSERT INTO goals without a firm_id column"]),
    (
        "INSERT INTO goal_circles (firm_id, goal_id, circle_id)"
        " SELECT goals.firm_id, goals.id, $2 FROM goals WHERE goals.uuid = $3",
        [
            "INSERT INTO goal_circles ... SELECT: firm_id is not the acting firm",
            "goals AS goals is not held to the acting firm",
        ],
    ),
    (
        "INSERT INTO goal_circles (firm_id, goal_id, circle_id)"
        " SELECT goals.firm_id, goals.id, $2 FROM goals WHERE goals.firm_id = $1",
        [],
    ),
    ("UPDATE goals SET name = $2 WHERE goals.firm_id = $1 AND goals.id = $3", []),
    (
        "UPDATE goals SET name = $2 WHERE goals.id = $3",
        ["goals AS goals is not held to the acting firm"],
    ),
    ("DELETE FROM goals WHERE id = $2", ["goals AS goals is not held to the acting firm"]),
    (
        "DELETE FROM goal_accounts USING goals WHERE goals.firm_id = $1"
        " AND goal_accounts.goal_id = goals.id",
        ["goal_accounts AS goal_accounts is not held to the acting firm"],
    ),
    # CTEs are scopes; a CTE's name is no table.
    (
        "WITH g AS (SELECT * FROM goals WHERE goals.uuid = $2) SELECT * FROM g",
        ["goals AS goals is not held to the acting firm"],
    ),
    # A user's own rows, and the firm-owned rows joined to them on firm_id.
    (
        "SELECT * FROM logins JOIN accounts ON accounts.firm_id = logins.firm_id"
        " AND accounts.id = logins.account_id WHERE logins.user_id = $1",
        [],
    ),
    (
        "SELECT * FROM logins JOIN accounts ON accounts.id = logins.account_id"
        " WHERE logins.uuid = $1",
        [
            "logins AS logins is not held to the acting firm",
            "accounts AS accounts is not held to the acting firm",
        ],
    ),
    # Exempt tables need nothing; what cannot be parsed is reported.
    ("SELECT * FROM firms JOIN users ON true", []),
    ("SELECT * FROM goals WHERE (", None),
]


@pytest.mark.parametrize(("sql", "expected"), CONTROLS)
def test_the_checker_on_hand_written_statements(sql: str, expected: list[str] | None) -> None:
    found = problems(sql)
    if expected is None:
        assert len(found) == 1 and found[0].startswith("cannot parse"), found
    else:
        assert sorted(found) == sorted(expected)


def test_a_compiled_query_must_take_the_firm_from_its_firm_id_parameter() -> None:
    """A Query holding goals to some other parameter (here the account's id) is flagged,
    though on the wire it would look held."""
    from sqlalchemy import bindparam, select

    right = Query(select(goals.c.id).where(goals.c.firm_id == FIRM, goals.c.uuid == bindparam("u")))
    wrong = Query(select(goals.c.id).where(goals.c.firm_id == bindparam("account_id")))
    assert problems(right.sql, firm_placeholders(right)) == []
    assert problems(wrong.sql, firm_placeholders(wrong)) == [
        "goals AS goals is not held to the acting firm"
    ]
    assert problems(wrong.sql) == []


def test_a_statement_without_the_firm_cannot_be_built_or_run() -> None:
    """The same rule holds before anything runs: a compiled Query over a firm-owned table
    without the firm's predicate fails where it is built, and a statement built per call
    fails before it is sent (kit.sql checks each SQL text once)."""
    from sqlalchemy import select, update

    from advisercrm.kit.sql import compiled

    with pytest.raises(TenancyError, match="goals AS goals is not held to the acting firm"):
        Query(select(goals.c.id).where(goals.c.name == "x"))
    with pytest.raises(TenancyError, match="goals AS goals is not held to the acting firm"):
        compiled(update(goals).where(goals.c.id == 1).values(name="x"))
    held = select(goals.c.id).where(goals.c.firm_id == FIRM)
    assert Query(held).sql == checked(Query(held).sql)

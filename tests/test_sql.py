"""kit.sql: statements compiled once (Query) or per call run on asyncpg, inside the
transaction `db.connect` opened, with checked parameters; lists as one array (Query) or
expanded per call; json values serialized as SQLAlchemy would."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import any_, bindparam, insert, literal, select, text
from sqlalchemy.dialects.postgresql import JSONB

from advisercrm.db import connect
from advisercrm.kit import sql
from advisercrm.kit.sql import Query, driver, ids_param, like_pattern
from advisercrm.tables import firms

COUNT = Query(
    select(text("count(*)")).select_from(firms).where(firms.c.id == any_(ids_param("ids")))
)
NAME = Query(select(firms.c.name).where(firms.c.id == bindparam("id")))


async def test_statements_run_inside_the_transaction_and_roll_back_with_it(app: FastAPI) -> None:
    engine = app.state.engine
    added = Query(
        insert(firms)
        .values(name=bindparam("name"), currency="GBP", timezone="UTC")
        .returning(firms.c.id)
    )
    with pytest.raises(RuntimeError):
        async with connect(engine, begin=True) as conn:
            assert driver(conn).is_in_transaction()
            firm_id = await added.scalar(conn, name="rolled back")
            other = insert(firms).values(name="also rolled back", currency="GBP", timezone="UTC")
            second = await sql.fetch_value(conn, other.returning(firms.c.id))
            # The same transaction sees its own uncommitted rows, by either kind.
            assert await sql.fetch_value(conn, select(firms.c.name).where(firms.c.id == firm_id))
            assert await NAME.scalar(conn, id=second) == "also rolled back"
            raise RuntimeError("abort")
    async with connect(engine) as conn:
        assert not driver(conn).is_in_transaction()
        assert await COUNT.scalar(conn, ids=[firm_id, second]) == 0


async def test_a_committed_transaction_keeps_its_writes(app: FastAPI) -> None:
    async with connect(app.state.engine, begin=True) as conn:
        statement = insert(firms).values(name="kept", currency="GBP", timezone="UTC")
        firm_id = await sql.fetch_value(conn, statement.returning(firms.c.id))
    async with connect(app.state.engine) as conn:
        assert await NAME.scalar(conn, id=firm_id) == "kept"


async def test_a_missing_parameter_is_an_error_not_a_null(app: FastAPI) -> None:
    async with connect(app.state.engine) as conn:
        with pytest.raises(KeyError):
            await NAME.scalar(conn)


def test_compiled_lists_are_one_array_parameter_not_an_in_list() -> None:
    assert "ANY" in COUNT.sql
    with pytest.raises(TypeError, match="array"):
        Query(select(firms.c.id).where(firms.c.id.in_(bindparam("ids", expanding=True))))


async def test_statements_built_per_call_expand_in_lists(app: FastAPI) -> None:
    async with connect(app.state.engine, begin=True) as conn:
        made = insert(firms).values(name="listed", currency="GBP", timezone="UTC")
        firm_id = await sql.fetch_value(conn, made.returning(firms.c.id))
        for ids, expected in (([firm_id, -1, -2], ["listed"]), ([], [])):
            rows = await sql.fetch(conn, select(firms.c.name).where(firms.c.id.in_(ids)))
            assert [row["name"] for row in rows] == expected
        both = select(firms.c.id).where(firms.c.id.in_([firm_id]), firms.c.id > 0)
        assert await sql.fetch_value(conn, both) == firm_id


async def test_json_values_are_serialized_and_arrive_decoded(app: FastAPI) -> None:
    value = {"a": [1, "two", None], "b": {"c": True}}
    async with connect(app.state.engine) as conn:
        assert await sql.fetch_value(conn, select(literal(value, JSONB))) == value
        echoed = Query(select(bindparam("v", type_=JSONB)))
        assert await echoed.scalar(conn, v=value) == value


def test_like_patterns_escape_wildcards() -> None:
    assert like_pattern("50%_a/b") == "%50/%/_a//b%"


async def test_a_connection_limited_to_its_statements_refuses_one_more(app: FastAPI) -> None:
    """A read declared as one statement runs outside a transaction: a second statement
    would read another snapshot, so it raises instead of running; the limit ends with
    the connection (the pool's next user has none)."""
    async with connect(app.state.engine, statements=2) as conn:
        assert not driver(conn).is_in_transaction()
        assert await NAME.scalar(conn, id=0) is None
        assert await sql.fetch_value(conn, select(literal(1))) == 1
        with pytest.raises(RuntimeError, match="declared as one statement sent another"):
            await COUNT.scalar(conn, ids=[0])
    async with connect(app.state.engine) as conn:
        for _ in range(3):
            assert await COUNT.scalar(conn, ids=[0]) == 0


async def test_long_statements_are_prepared_once_per_connection(app: FastAPI) -> None:
    """A list that embeds what it renders runs to tens of kilobytes of SQL; asyncpg's
    default leaves statements over 15 kB unprepared, re-parsed and re-planned on every
    execution. The engine keeps them prepared like any other."""
    total = " + ".join(f"{n} /* filler */" for n in range(2000)) + " AS c2999"
    long = Query(select(text(total)).where(firms.c.id == bindparam("id")).select_from(firms))
    assert len(long.sql) > 20_000
    async with connect(app.state.engine) as conn:
        await long.all(conn, id=0)
        await long.all(conn, id=0)
        prepared = await sql.fetch_value(
            conn,
            text(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%c' || '2999%'"
            ),
        )
    assert prepared == 1

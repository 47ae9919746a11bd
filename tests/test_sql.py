"""kit.sql: compiled statements run inside the request's transaction, with checked
parameters and one SQL text whatever the length of a list."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import any_, bindparam, insert, select, text

from advisercrm.kit.sql import Query, autocommit, driver, ids_param, like_pattern
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
        async with engine.begin() as conn:
            firm_id = await added.scalar(conn, name="rolled back")
            # The same transaction sees its own uncommitted row, through SQLAlchemy too.
            seen = (await conn.execute(select(firms.c.name).where(firms.c.id == firm_id))).scalar()
            assert seen == "rolled back"
            raise RuntimeError("abort")
    async with engine.connect() as conn:
        assert await NAME.scalar(conn, id=firm_id) is None


async def test_the_first_statement_begins_the_transaction(app: FastAPI) -> None:
    async with app.state.engine.begin() as conn:
        raw = await driver(conn)
        assert raw.is_in_transaction()
        assert await COUNT.scalar(conn, ids=[]) == 0


async def test_a_missing_parameter_is_an_error_not_a_null(app: FastAPI) -> None:
    async with app.state.engine.connect() as conn:
        with pytest.raises(KeyError):
            await NAME.scalar(conn)


def test_lists_are_one_array_parameter_not_an_in_list() -> None:
    assert "ANY" in COUNT.sql
    with pytest.raises(TypeError, match="array"):
        Query(select(firms.c.id).where(firms.c.id.in_(bindparam("ids", expanding=True))))


def test_like_patterns_escape_wildcards() -> None:
    assert like_pattern("50%_a/b") == "%50/%/_a//b%"


async def test_autocommit_is_per_connection_object_not_per_pooled_connection(
    app: FastAPI,
) -> None:
    engine = app.state.engine
    async with engine.connect() as conn:
        autocommit(conn)
        assert not (await driver(conn)).is_in_transaction()
        pooled = await driver(conn)
    async with engine.begin() as conn:
        raw = await driver(conn)
        assert raw.is_in_transaction()
    assert pooled is raw or engine.pool.size() > 1  # same pooled connection when idle

"""Alembic migrations are the only thing that creates tables: they must match tables.py."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi import FastAPI
from sqlalchemy import text

from advisercrm.tables import TASK_NAME_INDEX, metadata


async def test_migrated_schema_matches_the_tables(app: FastAPI) -> None:
    def diff(sync_conn: Any) -> list[Any]:
        def managed(obj: Any, name: str | None, kind: str, *_: Any) -> bool:
            return name != TASK_NAME_INDEX  # optional: where the extensions can be made

        opts = {"compare_type": True, "include_object": managed}
        context = MigrationContext.configure(sync_conn, opts=opts)
        return list(compare_metadata(context, metadata))

    async with app.state.engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_every_foreign_key_is_indexed(app: FastAPI) -> None:
    """A row deleted (or re-keyed) finds the rows that refer to it through an index that
    leads with the referring columns, in any order: without one, deleting an account
    reads every task of its firm to clear their `completed_by_id`."""
    query = text(
        """
        SELECT c.conrelid::regclass::text AS child, c.conname AS name
        FROM pg_constraint AS c
        WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
          AND NOT EXISTS (
              SELECT FROM pg_index AS i
              JOIN pg_class AS ic ON ic.oid = i.indexrelid
              JOIN pg_am AS am ON am.oid = ic.relam,
              LATERAL (
                  SELECT (string_to_array(i.indkey::text, ' ')::int2[])
                      [1:least(cardinality(c.conkey), i.indnkeyatts)] AS leading
              ) AS k
              WHERE i.indrelid = c.conrelid AND i.indisvalid AND am.amname = 'btree'
                AND k.leading @> c.conkey AND c.conkey @> k.leading
                -- Partial only as "a referring column IS NOT NULL", which the check implies.
                AND (i.indpred IS NULL OR pg_get_expr(i.indpred, i.indrelid) IN (
                    SELECT format('(%s IS NOT NULL)', quote_ident(a.attname))
                    FROM pg_attribute AS a
                    WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
                ))
          )
        ORDER BY 1, 2
        """
    )
    async with app.state.engine.connect() as conn:
        unindexed = [f"{row.child}.{row.name}" for row in await conn.execute(query)]
    assert unindexed == []


async def test_every_firm_table_is_keyed_by_firm(app: FastAPI) -> None:
    """Tenancy is structural: firm-owned tables lead their primary key with firm_id."""
    query = text(
        """
        SELECT c.relname, a.attname
        FROM pg_index i
        JOIN pg_class c ON c.oid = i.indrelid
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE i.indisprimary AND n.nspname = 'public' AND c.relname <> 'alembic_version'
        """
    )
    async with app.state.engine.connect() as conn:
        leading = {row.relname: row.attname for row in await conn.execute(query)}
    not_firm_owned = {
        "firms",
        "users",
        "logins",
        "personal_access_tokens",
        "idempotency_keys",
        "rate_limit_windows",
        "web_sessions",
        "login_attempts",
    }
    assert set(leading) - not_firm_owned
    for table, column in leading.items():
        if table not in not_firm_owned:
            assert column == "firm_id", table

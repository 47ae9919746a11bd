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

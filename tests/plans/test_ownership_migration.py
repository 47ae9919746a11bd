"""The migration that adds owners' shares splits the plans made before it equally: in
hundredths of a percent, the first owners by account id taking the hundredths left over,
so every plan's shares add up to exactly 100."""

from __future__ import annotations

import asyncio
import secrets
from decimal import Decimal

import asyncpg
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from advisercrm.migrate import alembic_config


async def test_plans_made_before_shares_are_split_equally(database_url: str) -> None:
    name = f"advisercrm_shares_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(database_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    config = alembic_config(url)
    (shares,) = [
        r
        for r in ScriptDirectory.from_config(config).walk_revisions()
        if r.path.endswith("_plan_ownership.py")
    ]
    try:
        await asyncio.to_thread(command.upgrade, config, str(shares.down_revision))
        conn = await asyncpg.connect(url)
        try:
            firm = await conn.fetchval("INSERT INTO firms (name) VALUES ('F') RETURNING id")
            people = [
                await conn.fetchval(
                    "INSERT INTO accounts (firm_id, type, role, name)"
                    " VALUES ($1, 'client', 'individual', 'C') RETURNING id",
                    firm,
                )
                for _ in range(3)
            ]
            plans = {}
            for owners in (people, people[:2], people[2:]):
                plan = await conn.fetchval(
                    "INSERT INTO plans (firm_id, name, type) VALUES ($1, 'P', 'pension')"
                    " RETURNING id",
                    firm,
                )
                plans[plan] = owners
                await conn.executemany(
                    "INSERT INTO plan_accounts (firm_id, plan_id, account_id) VALUES ($1, $2, $3)",
                    [(firm, plan, owner) for owner in owners],
                )
            await asyncio.to_thread(command.upgrade, config, shares.revision)
            rows = await conn.fetch("SELECT plan_id, account_id, percentage FROM plan_accounts")
        finally:
            await conn.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    got = {(r["plan_id"], r["account_id"]): r["percentage"] for r in rows}
    thirds, halves, whole = plans
    a, b, c = people
    assert got == {
        (thirds, a): Decimal("33.34"),
        (thirds, b): Decimal("33.33"),
        (thirds, c): Decimal("33.33"),
        (halves, a): Decimal("50.00"),
        (halves, b): Decimal("50.00"),
        (whole, c): Decimal("100.00"),
    }

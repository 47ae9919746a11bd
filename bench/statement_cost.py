"""CPU per statement on the server's side, four ways: a Core statement built
for each call, the same statement built once and run through SQLAlchemy, a statement
built and compiled for each call and run on asyncpg (`advisercrm.kit.sql.fetch`), and
SQL compiled once run on asyncpg (`advisercrm.kit.sql.Query`).

    .venv/bin/python bench/statement_cost.py postgresql://...   # any migrated database

Prints microseconds of this process's CPU per execution (the database's work excluded).
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import BigInteger, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import create_async_engine

from advisercrm.db import async_url
from advisercrm.kit import sql
from advisercrm.kit.sql import Query, ids_param
from advisercrm.tables import goals

ROUNDS = 3000
IDS = [1, 2, 3]


async def cpu_per_call(run: Callable[[], Awaitable[Any]]) -> float:
    for _ in range(200):  # warm: prepared statements, caches
        await run()
    began = time.process_time()
    for _ in range(ROUNDS):
        await run()
    return (time.process_time() - began) / ROUNDS * 1e6


async def main(url: str) -> None:
    g = goals
    prebuilt = select(g.c.id, g.c.name).where(
        g.c.firm_id == bindparam("f"), g.c.id == any_(bindparam("ids", type_=ARRAY(BigInteger)))
    )
    compiled = Query(
        select(g.c.id, g.c.name).where(
            g.c.firm_id == bindparam("f"), g.c.id == any_(ids_param("ids"))
        )
    )
    engine = create_async_engine(async_url(url), pool_size=1)
    async with engine.connect() as conn:
        ways: dict[str, Callable[[], Awaitable[Any]]] = {
            "Core statement built per call, SQLAlchemy execute": lambda: conn.execute(
                select(g.c.id, g.c.name).where(g.c.firm_id == 1, g.c.id.in_(IDS))
            ),
            "Core statement built once, SQLAlchemy execute": lambda: conn.execute(
                prebuilt, {"f": 1, "ids": IDS}
            ),
            "Core statement built per call, compiled per call, asyncpg (kit.sql.fetch)": lambda: (
                sql.fetch(conn, select(g.c.id, g.c.name).where(g.c.firm_id == 1, g.c.id.in_(IDS)))
            ),
            "kit.sql.Query (compiled once, asyncpg)": lambda: compiled.all(conn, f=1, ids=IDS),
        }
        for name, run in ways.items():
            print(f"{await cpu_per_call(run):6.0f} us  {name}")
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))

"""SQL for the shared request budget of each caller and minute."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from advisercrm.db import connect
from advisercrm.kit import sql
from advisercrm.tables import login_attempts as attempts
from advisercrm.tables import rate_limit_windows as windows


async def lease(
    engine: AsyncEngine, bucket: str, window: dt.datetime, wanted: int, limit: int
) -> tuple[int, int]:
    """Take up to `wanted` requests of the window's budget; return (granted, used).

    The row lock of the upsert serialises processes, so the budget is never overspent;
    `last_grant` tells each caller what its own upsert took."""
    first = min(wanted, limit)
    fresh = insert(windows).values(bucket=bucket, window_start=window, hits=first, last_grant=first)
    taken = func.least(windows.c.hits + wanted, limit)
    statement = fresh.on_conflict_do_update(
        index_elements=[windows.c.bucket, windows.c.window_start],
        set_={"hits": taken, "last_grant": taken - windows.c.hits},
        where=windows.c.hits < limit,
    ).returning(windows.c.last_grant, windows.c.hits)
    # On a connection of its own, one statement in its own transaction (no BEGIN/COMMIT
    # round trips): a lease must not wait for, or roll back with, a request.
    async with connect(engine) as conn:
        row = await sql.fetch_row(conn, statement)
    return (int(row["last_grant"]), int(row["hits"])) if row else (0, limit)


async def forget_before(engine: AsyncEngine, moment: dt.datetime) -> None:
    async with connect(engine) as conn:
        await sql.execute(conn, delete(windows).where(windows.c.window_start < moment))


async def locked_for(engine: AsyncEngine, keys: list[str], most: int) -> int:
    """Seconds (rounded up) until the last of the keys at the limit resets; 0 if none is."""
    left = func.ceil(func.extract("epoch", attempts.c.resets_at - func.now()))
    query = select(func.coalesce(func.max(left), 0)).where(
        attempts.c.key.in_(keys), attempts.c.attempts >= most, attempts.c.resets_at > func.now()
    )
    async with connect(engine) as conn:
        return int(await sql.fetch_value(conn, query))


async def count_failure(engine: AsyncEngine, keys: list[str], decay: int) -> None:
    """One more failure of each key; a key whose minute has passed starts a new one."""
    expired = attempts.c.resets_at <= func.now()
    until = func.now() + func.make_interval(0, 0, 0, 0, 0, 0, decay)
    rows = [{"key": k, "attempts": 1, "resets_at": until} for k in keys]
    statement = insert(attempts).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=[attempts.c.key],
        set_={
            "attempts": case((expired, 1), else_=attempts.c.attempts + 1),
            "resets_at": case((expired, until), else_=attempts.c.resets_at),
        },
    )
    async with connect(engine) as conn:
        await sql.execute(conn, statement)


async def clear_attempts(engine: AsyncEngine, key: str) -> None:
    async with connect(engine) as conn:
        await sql.execute(conn, delete(attempts).where(attempts.c.key == key))

"""Reading a firm's recorded events straight from the table, for the outbox tests, and
making their deliveries as the worker would."""

from __future__ import annotations

from typing import Any

import asyncpg
from fastapi import FastAPI
from sqlalchemy import select

from advisercrm.resource.events import number_pending
from advisercrm.tables import events
from advisercrm.webhooks import deliveries


async def recorded(app: FastAPI, firm_id: int) -> list[dict[str, Any]]:
    """The firm's events in cursor order, numbered first as a reader numbers them
    (`resource.events`): cursor, name, record type and uuid, data."""
    query = (
        select(
            events.c.cursor,
            events.c.name,
            events.c.record_type,
            events.c.record_uuid,
            events.c.payload,
        )
        .where(events.c.firm_id == firm_id)
        .order_by(events.c.cursor)
    )
    async with app.state.engine.connect() as conn:
        await number_pending(conn, firm_id)
        rows = (await conn.execute(query)).mappings().all()
    return [{**row, "record_uuid": str(row["record_uuid"])} for row in rows]


def names(rows: list[dict[str, Any]]) -> list[str]:
    return [row["name"] for row in rows]


async def make_deliveries(app: FastAPI) -> None:
    """The worker's first step, without the worker: the deliveries of every event
    committed so far (each subscription's, from where it reached). On a connection of
    its own, as the worker's, not the app's (whose statements the tenancy test reads)."""
    url = app.state.engine.url.set(drivername="postgresql")
    conn = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        while (await deliveries.fan_out(conn))[1]:
            pass
    finally:
        await conn.close()

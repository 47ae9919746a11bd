"""SQL for idempotency keys. Keys belong to a user, not a firm, like tokens."""

from __future__ import annotations

import datetime as dt

from asyncpg import Record
from sqlalchemy import ColumnElement, and_, delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.kit import sql
from advisercrm.tables import idempotency_keys as keys

LIFETIME = dt.timedelta(hours=24)


class IdempotencyRepository:
    def __init__(self, conn: AsyncConnection, user_id: int) -> None:
        self.conn = conn
        self.user_id = user_id

    def _this(self, key: str) -> ColumnElement[bool]:
        return and_(keys.c.user_id == self.user_id, keys.c.key == key)

    async def claim(self, key: str, request_hash: bytes) -> Record | None:
        """Take the key for this request (None), or return the earlier use of it.

        A concurrent request holding the same key makes the insert wait until that
        request commits (then its stored response is returned) or rolls back (then
        this request takes the key)."""
        expired = dt.datetime.now(dt.UTC) - LIFETIME
        stale = delete(keys).where(self._this(key), keys.c.created_at < expired)
        await sql.execute(self.conn, stale)
        taken = await sql.fetch_row(
            self.conn,
            insert(keys)
            .values(user_id=self.user_id, key=key, request_hash=request_hash)
            .on_conflict_do_nothing()
            .returning(keys.c.user_id),
        )
        if taken is not None:
            return None
        query = select(keys.c.request_hash, keys.c.status, keys.c.body).where(self._this(key))
        return await sql.fetch_row(self.conn, query)

    async def remember(self, key: str, status: int, body: bytes) -> None:
        query = update(keys).where(self._this(key)).values(status=status, body=body)
        await sql.execute(self.conn, query)

    async def release(self, key: str) -> None:
        await sql.execute(self.conn, delete(keys).where(self._this(key)))

"""SQL of the workspace's sessions. A session belongs to a user and is found by the HMAC
of its token, like a personal access token; the account it acts as is one the user has
a live login on."""

from __future__ import annotations

from typing import Any

from asyncpg import Record
from sqlalchemy import (
    BigInteger,
    LargeBinary,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.kit import sql
from advisercrm.kit.sql import Query
from advisercrm.tables import accounts, firms, logins, web_sessions

# The idle time after which a session ends (Laravel's default session lifetime).
LIFETIME = "120 minutes"

_FIND = Query(
    text(
        """
    SELECT s.user_id, u.email, s.last_seen_at < now() - interval '1 minute' AS stale, l.*
    FROM web_sessions s
    JOIN users u ON u.id = s.user_id
    LEFT JOIN LATERAL (
        SELECT lg.has_write_permission, lg.has_delete_permission, a.id AS account_id,
               a.uuid AS account_uuid, a.name AS account_name, a.type, a.role, a.firm_id,
               f.name AS firm_name, f.currency, f.timezone
        FROM logins lg
        JOIN accounts a ON a.firm_id = lg.firm_id AND a.id = lg.account_id
        JOIN firms f ON f.id = a.firm_id
        WHERE lg.user_id = s.user_id AND lg.firm_id = s.firm_id AND lg.account_id = s.account_id
          AND (lg.expires_at IS NULL OR lg.expires_at > now())
    ) l ON true
    WHERE s.token_hash = :digest AND s.expires_at > now()
    """
    ).bindparams(bindparam("digest", type_=LargeBinary))
)


async def find(conn: AsyncConnection, digest: bytes) -> Record | None:
    """The live session with this token hash, its user's email and, when its chosen
    login is still live, the account it acts as."""
    return await _FIND.first(conn, digest=digest)


def _lifetime() -> Any:
    return func.now() + text(f"interval '{LIFETIME}'")


async def touch(conn: AsyncConnection, digest: bytes) -> None:
    statement = update(web_sessions).where(web_sessions.c.token_hash == digest)
    await sql.execute(conn, statement.values(last_seen_at=func.now(), expires_at=_lifetime()))


async def start(conn: AsyncConnection, user_id: int, digest: bytes) -> None:
    """A new session of the user; the user's ended sessions go."""
    s = web_sessions
    await sql.execute(conn, delete(s).where(s.c.user_id == user_id, s.c.expires_at <= func.now()))
    values = {"user_id": user_id, "token_hash": digest, "firm_id": None, "expires_at": _lifetime()}
    await sql.execute(conn, insert(s).values(**values))


async def end(conn: AsyncConnection, digest: bytes) -> None:
    await sql.execute(conn, delete(web_sessions).where(web_sessions.c.token_hash == digest))


def _live_logins(user_id: int) -> Any:
    lg, a, f = logins, accounts, firms
    return (
        select(
            lg.c.firm_id,
            lg.c.account_id,
            a.c.uuid.label("account_uuid"),
            a.c.name.label("account_name"),
            f.c.name.label("firm_name"),
        )
        .join(a, and_(a.c.firm_id == lg.c.firm_id, a.c.id == lg.c.account_id))
        .join(f, f.c.id == a.c.firm_id)
        .where(
            lg.c.user_id == bindparam("user_id", user_id, type_=BigInteger),
            or_(lg.c.expires_at.is_(None), lg.c.expires_at > func.now()),
        )
    )


async def accounts_of(conn: AsyncConnection, user_id: int) -> list[Record]:
    """The accounts the user may act as: live logins, by firm then account name."""
    query = _live_logins(user_id).order_by(firms.c.name, accounts.c.name, logins.c.id)
    return await sql.fetch(conn, query)


async def choose(conn: AsyncConnection, digest: bytes, firm_id: int, account_id: int) -> None:
    statement = update(web_sessions).where(web_sessions.c.token_hash == digest)
    await sql.execute(conn, statement.values(firm_id=firm_id, account_id=account_id))

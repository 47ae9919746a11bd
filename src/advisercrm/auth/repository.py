"""SQL for authentication. Tokens and logins belong to users, not firms, so these
queries are the one place that looks across firms, and only by the caller's own user."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from asyncpg import Record
from sqlalchemy import (
    ColumnElement,
    LargeBinary,
    String,
    and_,
    bindparam,
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
from advisercrm.tables import accounts, logins, personal_access_tokens, users

# Kept in memory by each process (auth.cache) until the auth_notify migration's triggers
# say a column it reads changed: a column newly read here must be watched there too.
_FIND_TOKEN = Query(
    text(
        """
    SELECT t.id AS token_id, t.user_id, t.account_id AS token_account_id, t.token_hash,
           t.expires_at, t.revoked_at, l.*
    FROM personal_access_tokens t
    LEFT JOIN LATERAL (
        SELECT lg.id AS login_id, lg.has_write_permission, lg.has_delete_permission,
               lg.expires_at AS login_expires_at, a.id AS account_id,
               a.uuid AS account_uuid, a.type, a.role, a.firm_id, f.currency, f.timezone
        FROM logins lg
        JOIN accounts a ON a.firm_id = lg.firm_id AND a.id = lg.account_id
        JOIN firms f ON f.id = a.firm_id
        WHERE lg.user_id = t.user_id AND a.uuid = CAST(:account_uuid AS uuid)
        LIMIT 1
    ) l ON true
    WHERE t.token_hash = :digest
    """
    ).bindparams(bindparam("digest", type_=LargeBinary), bindparam("account_uuid", type_=String))
)


async def find_token(
    conn: AsyncConnection, digest: bytes, account_uuid: uuid.UUID | None
) -> Record | None:
    """The token and, when an account is named, the user's login on it: one round trip."""
    return await _FIND_TOKEN.first(
        conn, digest=digest, account_uuid=str(account_uuid) if account_uuid else None
    )


async def find_user_by_email(conn: AsyncConnection, email: str) -> Record | None:
    query = select(users.c.id, users.c.password_hash).where(
        func.lower(users.c.email) == email.lower()
    )
    return await sql.fetch_row(conn, query)


async def set_password(conn: AsyncConnection, email: str, password_hash: str) -> bool:
    """Set the password of the user with this email; False when there is none."""
    query = (
        update(users)
        .where(func.lower(users.c.email) == email.lower())
        .values(password_hash=password_hash, updated_at=func.now())
        .returning(users.c.id)
    )
    return await sql.fetch_value(conn, query) is not None


async def password_hash(conn: AsyncConnection, user_id: int) -> str | None:
    query = select(users.c.password_hash).where(users.c.id == user_id)
    value = await sql.fetch_value(conn, query)
    return str(value) if value is not None else None


async def login_account(
    conn: AsyncConnection, user_id: int, account_uuid: uuid.UUID | None
) -> Record | None:
    """The user's login on the named account, or on their primary (else first) account."""
    query = (
        select(logins.c.account_id, logins.c.firm_id, accounts.c.uuid)
        .join(
            accounts,
            and_(accounts.c.firm_id == logins.c.firm_id, accounts.c.id == logins.c.account_id),
        )
        .where(logins.c.user_id == user_id)
        .order_by(logins.c.is_primary.desc(), logins.c.id)
        .limit(1)
    )
    if account_uuid is not None:
        query = query.where(accounts.c.uuid == account_uuid)
    return await sql.fetch_row(conn, query)


async def firm_login_account(
    conn: AsyncConnection, user_id: int, firm_id: int, account_uuid: uuid.UUID
) -> Record | None:
    """The user's live login on the named account of the acting firm: an account of
    another firm behaves as one that does not exist."""
    query = (
        select(logins.c.account_id, logins.c.firm_id, accounts.c.uuid)
        .join(
            accounts,
            and_(accounts.c.firm_id == logins.c.firm_id, accounts.c.id == logins.c.account_id),
        )
        .where(
            logins.c.user_id == user_id,
            logins.c.firm_id == firm_id,
            accounts.c.uuid == account_uuid,
            or_(logins.c.expires_at.is_(None), logins.c.expires_at > func.now()),
        )
    )
    return await sql.fetch_row(conn, query)


def _in_firm(firm_id: int) -> ColumnElement[bool]:
    """Tokens usable in this firm: unbound ones, and those bound to one of its accounts."""
    t = personal_access_tokens
    return or_(t.c.firm_id.is_(None), t.c.firm_id == firm_id)


async def insert_token(conn: AsyncConnection, values: dict[str, Any]) -> Record:
    query = insert(personal_access_tokens).values(**values).returning(personal_access_tokens)
    row = await sql.fetch_row(conn, query)
    assert row is not None  # INSERT ... RETURNING returns its row
    return row


async def list_tokens(conn: AsyncConnection, user_id: int, firm_id: int) -> list[Record]:
    t = personal_access_tokens
    query = (
        select(t, accounts.c.uuid.label("account_uuid"))
        .select_from(
            t.outerjoin(
                accounts, and_(accounts.c.firm_id == t.c.firm_id, accounts.c.id == t.c.account_id)
            )
        )
        .where(t.c.user_id == user_id, t.c.revoked_at.is_(None), _in_firm(firm_id))
        .order_by(t.c.id)
    )
    return await sql.fetch(conn, query)


async def live_token_id(
    conn: AsyncConnection, user_id: int, firm_id: int, token_uuid: uuid.UUID
) -> int | None:
    """The user's unrevoked token of the firm, by UUID: another user's is never found."""
    t = personal_access_tokens
    query = select(t.c.id).where(
        t.c.user_id == user_id,
        t.c.uuid == token_uuid,
        t.c.revoked_at.is_(None),
        _in_firm(firm_id),
    )
    token_id = await sql.fetch_value(conn, query)
    return int(token_id) if token_id is not None else None


async def revoke_token(conn: AsyncConnection, user_id: int, firm_id: int, token_id: int) -> None:
    t = personal_access_tokens
    query = update(t).where(
        t.c.id == token_id, t.c.user_id == user_id, t.c.revoked_at.is_(None), _in_firm(firm_id)
    )
    await sql.execute(conn, query.values(revoked_at=func.now()))


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def insert_user(conn: AsyncConnection, email: str, password_hash: str) -> int:
    query = insert(users).values(email=email, password_hash=password_hash).returning(users.c.id)
    return int(await sql.fetch_value(conn, query))


async def insert_login(conn: AsyncConnection, values: dict[str, Any]) -> None:
    await sql.execute(conn, insert(logins).values(**values))

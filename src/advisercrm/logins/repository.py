"""SQL for an account's logins, and for the users they belong to."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.accounts.repository import COMPACT
from advisercrm.kit import sql
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.repository import FirmRepository, page_select
from advisercrm.tables import LOGIN_FLAGS, accounts, firms, logins, users


def rendered(*conditions: ColumnElement[bool]) -> Select[Any]:
    """Logins with what `logins.schemas.login` shows: the user's names (the account's when
    the user has none) and email, the account's compact columns and the firm."""
    lg, a, f, u = logins, accounts, firms, users
    return (
        select(
            lg.c.id,
            lg.c.uuid,
            lg.c.created_at,
            lg.c.updated_at,
            lg.c.expires_at,
            lg.c.has_write_permission,
            lg.c.has_delete_permission,
            lg.c.is_primary,
            *(lg.c[flag] for flag in LOGIN_FLAGS),
            func.coalesce(u.c.first_name, a.c.first_name).label("first_name"),
            func.coalesce(u.c.last_name, a.c.last_name).label("last_name"),
            u.c.email,
            *(a.c[key].label(f"account_{key}") for key in COMPACT),
            f.c.uuid.label("firm_uuid"),
            f.c.name.label("firm_name"),
            f.c.currency,
            f.c.timezone,
        )
        .join(a, and_(a.c.firm_id == lg.c.firm_id, a.c.id == lg.c.account_id))
        .join(f, f.c.id == a.c.firm_id)
        .join(u, u.c.id == lg.c.user_id)
        .where(*conditions)
    )


async def own_logins(conn: AsyncConnection, user_id: int) -> list[dict[str, Any]]:
    """A user's logins in every firm (GET /api/v1/logins): the primary ones first."""
    query = rendered(logins.c.user_id == user_id).order_by(logins.c.is_primary.desc(), logins.c.id)
    return [dict(row) for row in await sql.fetch(conn, query)]


class LoginRepository(FirmRepository):
    def _of(self, account_id: int) -> list[ColumnElement[bool]]:
        return [self.scoped(logins), logins.c.account_id == account_id]

    async def page(self, account_id: int, query: ListQuery) -> tuple[list[dict[str, Any]], int]:
        conditions = self._of(account_id)
        if "uuid" in query.filters:
            conditions.append(logins.c.uuid.in_(query.filters["uuid"]))
        page = page_select(logins, conditions, logins.c.created_at, query.descending)
        row = await self.first(page.params(limit=query.per_page, offset=query.offset))
        assert row is not None  # an aggregate-only select always returns its one row
        return await self.load(list(row["ids"])), int(row["total"])

    async def load(self, ids: list[int]) -> list[dict[str, Any]]:
        """The logins `ids`, rendered, in that order."""
        if not ids:
            return []
        rows = await self.all(rendered(self.scoped(logins), logins.c.id.in_(ids)))
        by_id = {row["id"]: row for row in rows}
        return [by_id[i] for i in ids if i in by_id]

    async def find(self, account_id: int, login_uuid: uuid.UUID) -> dict[str, Any] | None:
        query = select(logins.c.id, logins.c.is_primary).where(
            *self._of(account_id), logins.c.uuid == login_uuid
        )
        return await self.first(query)

    async def live_counts(self, account_uuids: list[uuid.UUID]) -> dict[str, int]:
        """How many unexpired logins each of these accounts has, by account UUID (one
        with none is left out): one statement for a page of accounts."""
        lg, a = logins, accounts
        live = or_(lg.c.expires_at.is_(None), lg.c.expires_at > func.now())
        query = (
            select(a.c.uuid, func.count().label("logins"))
            .join(lg, and_(lg.c.firm_id == a.c.firm_id, lg.c.account_id == a.c.id))
            .where(self.scoped(a), a.c.uuid.in_(account_uuids), live)
            .group_by(a.c.uuid)
        )
        return {str(row["uuid"]): int(row["logins"]) for row in await self.all(query)}

    async def lock_account(self, account_id: int) -> None:
        """Serialise the writes to one account's logins until the transaction ends: the
        account has one primary login, and a user one login on it."""
        a = accounts
        await self.execute(
            select(a.c.id).where(self.scoped(a), a.c.id == account_id).with_for_update()
        )

    async def user_has_login(self, account_id: int, user_id: int) -> bool:
        query = select(logins.c.id).where(*self._of(account_id), logins.c.user_id == user_id)
        return await self.scalar(query) is not None

    async def insert(self, account_id: int, values: dict[str, Any]) -> int:
        """A new login; the account's first one is its primary login."""
        other = logins.alias("other")
        primary = exists().where(
            other.c.firm_id == self.firm_id, other.c.account_id == account_id, other.c.is_primary
        )
        query = insert(logins).values(
            firm_id=self.firm_id, account_id=account_id, is_primary=~primary, **values
        )
        return int(await self.scalar(query.returning(logins.c.id)))

    async def update(self, login_id: int, values: dict[str, Any]) -> None:
        query = (
            update(logins)
            .where(self.scoped(logins), logins.c.id == login_id)
            .values(**values, updated_at=func.now())
        )
        await self.execute(query)

    async def demote_others(self, account_id: int, login_id: int) -> None:
        query = (
            update(logins)
            .where(*self._of(account_id), logins.c.is_primary, logins.c.id != login_id)
            .values(is_primary=False, updated_at=func.now())
        )
        await self.execute(query)

    async def expire(self, login_id: int) -> None:
        """Expire the login now, unless it has expired already (its moment then stays)."""
        lg = logins
        query = (
            update(lg)
            .where(
                self.scoped(lg),
                lg.c.id == login_id,
                or_(lg.c.expires_at.is_(None), lg.c.expires_at > func.now()),
            )
            .values(expires_at=func.now(), updated_at=func.now())
        )
        await self.execute(query)

    async def user_for(self, email: str, first_name: str, last_name: str) -> int:
        """The user with this email, made (with these names and no password) when there is
        none; a user without names of their own takes these. One statement, so two
        requests adding the same new email at once both get the one user."""
        new = pg_insert(users).values(
            email=email, password_hash="", first_name=first_name, last_name=last_name
        )
        query = new.on_conflict_do_update(
            index_elements=[text("lower(email)")],
            set_={
                "first_name": func.coalesce(users.c.first_name, new.excluded.first_name),
                "last_name": func.coalesce(users.c.last_name, new.excluded.last_name),
            },
        ).returning(users.c.id)
        return int(await self.scalar(query))

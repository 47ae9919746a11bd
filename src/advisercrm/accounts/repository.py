"""SQL for accounts and their owners, and who may see an account."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    FromClause,
    Select,
    Table,
    and_,
    any_,
    delete,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from advisercrm.auth.principal import Principal
from advisercrm.auth.visibility import client_visible, shown
from advisercrm.kit.repository import FirmRepository
from advisercrm.tables import (
    account_owners,
    accounts,
    goal_accounts,
    goals,
)

COMPACT = ("uuid", "type", "role", "first_name", "last_name", "name", "email")


def compact_json(alias: Any, *more: Any) -> ColumnElement[Any]:
    """The compact account as JSON; `more`: further key, value pairs."""
    return func.json_build_object(*[x for c in COMPACT for x in (c, alias.c[c])], *more)


def json_list(item: Any, *order: Any) -> Any:
    """The rows' `item`s as a JSON array in `order` ([] when there are none)."""
    return func.coalesce(
        func.json_agg(aggregate_order_by(item, *order)), literal_column("'[]'::json")
    )


def linked_accounts(
    link: Table,
    owner: Any,
    owner_id: Any,
    firm_id: Any,
    viewer: Principal | None,
    link_columns: Sequence[str] = (),
) -> Any:
    """The compact accounts a link table ties to one row (`owner == owner_id`) that the
    viewer may open, by name, as a JSON array: a scalar subquery correlated to the
    caller's columns. Each also carries the `link_columns` of its link row."""
    a = accounts
    more = [x for c in link_columns for x in (c, link.c[c])]
    return (
        select(json_list(compact_json(a, *more), a.c.name, a.c.id))
        .join(link, and_(link.c.firm_id == a.c.firm_id, link.c.account_id == a.c.id))
        .where(link.c.firm_id == firm_id, owner == owner_id, *shown(viewer, visible, a))
        .scalar_subquery()
    )


def visible(principal: Principal, a: FromClause = accounts) -> ColumnElement[bool]:
    """Employees and introducers are visible to staff; clients by the visibility rules."""
    if principal.sees_whole_firm:
        return a.c.firm_id == principal.firm_id
    if principal.is_member:
        return or_(a.c.type != "client", client_visible(principal, a.c.id))
    return a.c.id == principal.account_id


def sole_owned_goals(firm_id: Any, account_ids: Any) -> Select[tuple[int]]:
    """The firm's goals whose every owner is one of these accounts (an array)."""
    ga, other = goal_accounts, goal_accounts.alias("other")
    return select(ga.c.goal_id).where(
        ga.c.firm_id == firm_id,
        ga.c.account_id == any_(account_ids),
        ~exists().where(
            other.c.firm_id == ga.c.firm_id,
            other.c.goal_id == ga.c.goal_id,
            ~(other.c.account_id == any_(account_ids)),
        ),
    )


class AccountRepository(FirmRepository):
    async def insert(self, values: dict[str, Any]) -> dict[str, Any]:
        """A new account: its id and uuid."""
        query = insert(accounts).values(firm_id=self.firm_id, **values)
        row = await self.first(query.returning(accounts.c.id, accounts.c.uuid))
        assert row is not None  # an insert returns its row
        return row

    async def update(self, account_id: int, values: dict[str, Any]) -> None:
        query = (
            update(accounts)
            .where(self.scoped(accounts), accounts.c.id == account_id)
            .values(**values, updated_at=func.now())
        )
        await self.execute(query)

    async def replace_owners(self, account_id: int, owner_ids: list[int]) -> None:
        await self.replace_links(account_owners, "account_id", account_id, "owner_id", owner_ids)

    async def has_owners(self, account_id: int) -> bool:
        link = account_owners
        owned = select(link.c.owner_id).where(self.scoped(link), link.c.account_id == account_id)
        return await self.scalar(select(exists(owned))) is True

    async def delete_sole_owned_goals(self, account_id: int) -> None:
        """Delete the goals whose only owner is this account. Here, not in goals, because
        goals build on accounts: the account's delete takes these goals with it."""
        g, ids = goals, literal([account_id], ARRAY(BigInteger))
        sole = sole_owned_goals(self.firm_id, ids)
        await self.execute(delete(g).where(self.scoped(g), g.c.id.in_(sole)))

    async def sole_owner_of_shared(self, account_id: int) -> bool:
        """Whether some shared client has this account as its only owner."""
        link, other = account_owners, account_owners.alias("other")
        alone = select(link.c.account_id).where(
            self.scoped(link),
            link.c.owner_id == account_id,
            ~exists().where(
                other.c.firm_id == link.c.firm_id,
                other.c.account_id == link.c.account_id,
                other.c.owner_id != account_id,
            ),
        )
        return await self.scalar(select(exists(alone))) is True

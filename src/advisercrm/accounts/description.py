"""Accounts (/api/v1/account) and clients (/api/v1/client): one table, two route
families. Both show an account with its assigned staff, owners (in their order) and
circles, each as the viewer may open it; the client routes hold only client accounts."""

from __future__ import annotations

import dataclasses
from typing import Any

from asyncpg import Record
from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.accounts.repository import (
    AccountRepository,
    compact_json,
    json_list,
    visible,
)
from advisercrm.accounts.schemas import ROLES, account
from advisercrm.auth.principal import Principal
from advisercrm.auth.visibility import circle_visible, shown
from advisercrm.kit.errors import Conflict
from advisercrm.kit.listing import choice_list_filter, uuid_list_filter
from advisercrm.resource.description import Resource, Where, any_of, contains
from advisercrm.tables import account_owners, accounts, circle_accounts, circles
from advisercrm.tags.description import tagged, tags_of

ASSIGNED = ("assigned_adviser", "assigned_administrator", "assigned_paraplanner")


def _embeds(viewer: Principal, firm_id: Any, account_id: Any) -> dict[str, Any]:
    """The account's assigned staff, owners and circles the viewer may open: scalar
    subqueries correlated to the account row (a derived table in FROM would not correlate
    and would collect every owner link of the firm)."""
    a, link, c, ca = account_id.table, account_owners, circles, circle_accounts
    owner = accounts.alias("own")
    owners = (
        select(json_list(compact_json(owner), link.c.position, owner.c.id))
        .select_from(
            owner.join(link, and_(link.c.firm_id == owner.c.firm_id, link.c.owner_id == owner.c.id))
        )
        .where(
            link.c.firm_id == firm_id,
            link.c.account_id == account_id,
            *shown(viewer, visible, owner),
        )
    )
    circle = func.json_build_object("uuid", c.c.uuid, "name", c.c.name)
    circle_list = (
        select(json_list(circle, c.c.name, c.c.id))
        .join(ca, and_(ca.c.firm_id == c.c.firm_id, ca.c.circle_id == c.c.id))
        .where(ca.c.firm_id == firm_id, ca.c.account_id == account_id)
        .where(*shown(viewer, circle_visible, c))
    )
    staff = {}
    for name in ASSIGNED:
        person = accounts.alias(name)
        staff[name] = (
            select(compact_json(person))
            .where(person.c.firm_id == firm_id, person.c.id == a.c[f"{name}_id"])
            .where(*shown(viewer, visible, person))
            .scalar_subquery()
        )
    return staff | {
        "owners": owners.scalar_subquery(),
        "circles": circle_list.scalar_subquery(),
    }


async def _before_delete(conn: AsyncConnection, principal: Principal, row: Record) -> None:
    """Refuse to delete the acting account or the only owner of a shared client; the
    goals the account alone owns go with it (a goal has at least one owner)."""
    repo = AccountRepository(conn, principal.firm_id)
    if row["id"] == principal.account_id:
        raise Conflict("You cannot delete the account you are acting as.")
    if await repo.sole_owner_of_shared(row["id"]):
        raise Conflict("The account is the only owner of a shared client; change its owners first.")
    await repo.delete_sole_owned_goals(row["id"])


a = accounts
ALL_ROLES = tuple(r for roles in ROLES.values() for r in roles)


ACCOUNTS = Resource(
    name="accounts",
    table=a,
    visible=visible,
    render=account,
    embeds=_embeds,
    sorts={
        "created_at": a.c.created_at,
        "updated_at": a.c.updated_at,
        "name": a.c.name,
        "first_name": a.c.first_name,
        "last_name": a.c.last_name,
        "email": a.c.email,
    },
    filters={
        "uuid": Where(uuid_list_filter, any_of(a.c.uuid)),
        "type": Where(choice_list_filter(tuple(ROLES)), any_of(a.c.type)),
        "role": Where(choice_list_filter(ALL_ROLES), any_of(a.c.role)),
        "name": contains(a.c.name),
        "email": contains(a.c.email),
        "tags": tagged(a),
    },
    includes={"tags": tags_of(a)},
    # A write naming accounts accepts them by kind: clients, staff, individuals.
    resolved=("type", "role"),
    before_delete=_before_delete,
    path="/api/v1/account",
    one="account",
)
# The same accounts, held to clients: a client path names no employee.
CLIENTS = dataclasses.replace(
    ACCOUNTS, name="clients", scope=(a.c.type == "client",), path="/api/v1/client", one="client"
)

"""Accounts (/api/v1/account) and clients (/api/v1/client): one table, two route
families. Both show an account with its assigned staff, owners (in their order) and
circles, each as the viewer may open it; the client routes hold only client accounts."""

from __future__ import annotations

import dataclasses
from typing import Any

from asyncpg import Record
from sqlalchemy import (
    ARRAY,
    Date,
    Text,
    and_,
    any_,
    cast,
    exists,
    false,
    func,
    literal_column,
    not_,
    null,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.accounts.repository import (
    AccountRepository,
    compact_json,
    json_list,
    sole_owned_goals,
    visible,
)
from advisercrm.accounts.schemas import ROLES, account
from advisercrm.auth.principal import Principal
from advisercrm.auth.visibility import circle_visible, group_visible, shown
from advisercrm.kit.errors import Conflict
from advisercrm.kit.listing import (
    bool_filter,
    choice_list_filter,
    date_filter,
    text_filter,
    uuid_list_filter,
)
from advisercrm.kit.render import Ctx
from advisercrm.kit.sql import FIRM
from advisercrm.resource.description import (
    GoesWith,
    Include,
    Resource,
    Where,
    any_of,
    contains,
)
from advisercrm.tables import (
    account_owners,
    accounts,
    circle_accounts,
    circles,
    client_statuses,
    firms,
    goals,
    group_participants,
    groups,
)
from advisercrm.tags.description import tagged, tags_of

ASSIGNED = ("assigned_adviser", "assigned_administrator", "assigned_paraplanner")
# The accounts an account names, each shown as a compact account (`<name>_id` holds it).
NAMED = (*ASSIGNED, "introduced_by")


def _client_status(firm_id: Any, status_id: Any) -> Any:
    """The account's client status (every member of the firm may open one), as JSON."""
    s = client_statuses
    item = func.json_build_object(
        "uuid", s.c.uuid,
        "name", s.c.name,
        "colour", s.c.colour,
        "created_at", func.extract("epoch", s.c.created_at),
        "updated_at", func.extract("epoch", s.c.updated_at),
    )  # fmt: skip
    return select(item).where(s.c.firm_id == firm_id, s.c.id == status_id).scalar_subquery()


def _embeds(viewer: Principal, firm_id: Any, account_id: Any) -> dict[str, Any]:
    """The account's assigned staff, introducer, owners and circles the viewer may open,
    and its client status: scalar subqueries correlated to the account row (a derived
    table in FROM would not correlate and would collect every owner link of the firm)."""
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
    # The account's login access level to each circle is the circle's, in this context.
    level = ca.c.login_access_level
    circle = func.json_build_object("uuid", c.c.uuid, "name", c.c.name, "login_access_level", level)
    circle_list = (
        select(json_list(circle, c.c.name, c.c.id))
        .join(ca, and_(ca.c.firm_id == c.c.firm_id, ca.c.circle_id == c.c.id))
        .where(ca.c.firm_id == firm_id, ca.c.account_id == account_id)
        .where(*shown(viewer, circle_visible, c))
    )
    staff = {}
    for name in NAMED:
        person = accounts.alias(name)
        staff[name] = (
            select(compact_json(person))
            .where(person.c.firm_id == firm_id, person.c.id == a.c[f"{name}_id"])
            .where(*shown(viewer, visible, person))
            .scalar_subquery()
        )
    return staff | {
        "client_status": _client_status(firm_id, a.c.client_status_id),
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
_gp = group_participants


def _created_day() -> Any:
    """The day an account was created, in its firm's zone (what `created_after` and
    `created_before` compare)."""
    zone = select(firms.c.timezone).where(firms.c.id == FIRM).scalar_subquery()
    return cast(func.timezone(zone, a.c.created_at), Date)


def _named_by_any(table: Any, parts: Any) -> Any:
    """Whether the `table` row is named by any of `parts` (a text[] parameter): its UUID,
    or text its name contains."""
    part = func.unnest(cast(parts, ARRAY(Text))).column_valued("part")
    # The part as a LIKE pattern, its wildcards escaped (backslash: LIKE's own escape).
    escaped = func.replace(func.replace(func.replace(part, "\\", "\\\\"), "%", "\\%"), "_", "\\_")
    named = or_(
        table.c.name.ilike(func.concat("%", escaped, "%")),
        cast(table.c.uuid, Text) == func.lower(part),
    )
    return exists(select(literal_column("1")).where(named))


def _in_groups(parts: Any) -> Any:
    """Accounts taking part in a group named by any of `parts`."""
    return exists().where(
        _gp.c.firm_id == a.c.firm_id,
        _gp.c.account_id == a.c.id,
        groups.c.firm_id == _gp.c.firm_id,
        groups.c.id == _gp.c.group_id,
        _named_by_any(groups, parts),
    )


def _with_status(parts: Any) -> Any:
    """Accounts in a client status named by any of `parts`."""
    s = client_statuses
    return exists().where(
        s.c.firm_id == a.c.firm_id, s.c.id == a.c.client_status_id, _named_by_any(s, parts)
    )


def _introduced_by(uuids: Any, viewer: Principal) -> Any:
    """Accounts introduced by any of the accounts named that the viewer may open."""
    introducer = accounts.alias("introducer")
    named = select(introducer.c.id).where(
        introducer.c.firm_id == FIRM, introducer.c.uuid == any_(uuids), visible(viewer, introducer)
    )
    return a.c.introduced_by_id.in_(named)


def _outside_groups(uuids: Any) -> Any:
    named = select(groups.c.id).where(groups.c.firm_id == FIRM, groups.c.uuid == any_(uuids))
    return ~exists().where(
        _gp.c.firm_id == a.c.firm_id, _gp.c.account_id == a.c.id, _gp.c.group_id.in_(named)
    )


def _linked_to(uuids: Any) -> Any:
    """The accounts named, and those an ownership link ties to them: the owners of a
    named shared client, and the shared clients a named account owns."""
    named = select(a.c.id).where(a.c.firm_id == FIRM, a.c.uuid == any_(uuids))
    link = account_owners
    owners = select(link.c.owner_id).where(link.c.firm_id == FIRM, link.c.account_id.in_(named))
    owned = select(link.c.account_id).where(link.c.firm_id == FIRM, link.c.owner_id.in_(named))
    return or_(a.c.uuid == any_(uuids), a.c.id.in_(owners), a.c.id.in_(owned))


def _comma_list(raw: str) -> list[str]:
    return [p.strip() for p in text_filter(raw).split(",") if p.strip()]


_parts = dataclasses.replace(
    text_filter,
    parse=_comma_list,
    description="Comma-separated group UUIDs or text of group names: any of.",
)
_status_parts = dataclasses.replace(
    _parts, description="Comma-separated client-status UUIDs or text of their names: any of."
)
# Filters on data this server does not keep: nothing matches (no account has a phone
# number, a department or a client custom-field value here; none is a prospect).
_nothing = Where(text_filter, lambda _: false())
FILTERS: dict[str, Where] = {
    "uuid": Where(uuid_list_filter, any_of(a.c.uuid)),
    "type": Where(choice_list_filter(tuple(ROLES)), any_of(a.c.type)),
    "role": Where(choice_list_filter(ALL_ROLES), any_of(a.c.role)),
    "name": contains(a.c.name),
    "email": contains(a.c.email),
    "primary_email": contains(a.c.email),
    "primary_phone_number": _nothing,
    "status": Where(_status_parts, _with_status),
    "is_prospect": Where(bool_filter, not_),
    "inactive_after": Where(date_filter, lambda day: a.c.inactive_at > day),
    "inactive_before": Where(date_filter, lambda day: a.c.inactive_at < day),
    "created_after": Where(date_filter, lambda day: _created_day() > day),
    "created_before": Where(date_filter, lambda day: _created_day() < day),
    "custom_field:*": _nothing,
    "groups": Where(_parts, _in_groups),
    "exclude_groups": Where(uuid_list_filter, _outside_groups),
    "departments": _nothing,
    "linked_to": Where(uuid_list_filter, _linked_to),
    "introduced_by": Where(uuid_list_filter, _introduced_by, by_viewer=True),
    "tags": tagged(a),
}
# On /client, `type` is the client's role.
CLIENT_FILTERS = {
    **{k: v for k, v in FILTERS.items() if k not in ("role", "departments")},
    "type": Where(choice_list_filter(ROLES["client"]), any_of(a.c.role)),
}
# Plannr sorts by review dates this server does not keep: every value is empty, so such
# a sort keeps creation order.
SORTS = {
    "created_at": a.c.created_at,
    "updated_at": a.c.updated_at,
    "name": a.c.name,
    "first_name": a.c.first_name,
    "last_name": a.c.last_name,
    "email": a.c.email,
    "next_review_date": cast(null(), Date),
    "previous_review_date": cast(null(), Date),
    "anniversary_review_date": cast(null(), Date),
}
# Includes: the assigned staff and owners are always shown; `groups` adds the groups the
# account takes part in; the others name data this server does not keep, shown empty.
ALWAYS_SHOWN = ("assigned_adviser", "assigned_administrator", "assigned_paraplanner", "owners")
EMPTY_INCLUDES: dict[str, Any] = {
    "primary_phone_number": None,
    "primary_address": None,
    "custom_fields": [],
    "external_references": [],
    "charge_split_schema": None,
}
ACCOUNT_INCLUDES = (*ALWAYS_SHOWN, "groups", "primary_email", *EMPTY_INCLUDES)
CLIENT_INCLUDES = (
    "primary_phone_number",
    "primary_email",
    "assigned_adviser",
    "assigned_administrator",
    "groups",
    "owners",
    "external_references",
)


def _groups(viewer: Principal, firm_id: Any, account_id: Any) -> Any:
    """The groups the account takes part in that the viewer sees, by name."""
    g = groups
    item = func.json_build_object("uuid", g.c.uuid, "name", g.c.name, "slug", g.c.slug)
    return (
        select(json_list(item, g.c.name, g.c.id))
        .join(_gp, and_(_gp.c.firm_id == g.c.firm_id, _gp.c.group_id == g.c.id))
        .where(_gp.c.firm_id == firm_id, _gp.c.account_id == account_id)
        .where(*shown(viewer, group_visible, g))
        .scalar_subquery()
    )


def _primary_email(email: str | None, ctx: Ctx) -> dict[str, Any] | None:
    return {"type": "email", "value": email} if email else None


LOADED_INCLUDES = {
    "tags": tags_of(a),
    "groups": Include(_groups, lambda listed, ctx: listed),
    # The account's email is its primary email here.
    "primary_email": Include(lambda viewer, firm_id, account_id: a.c.email, _primary_email),
}


ACCOUNTS = Resource(
    name="accounts",
    event="account",
    table=a,
    visible=visible,
    render=account,
    embeds=_embeds,
    sorts=SORTS,
    filters=FILTERS,
    includes=ACCOUNT_INCLUDES,
    empty_includes=EMPTY_INCLUDES,
    loaded_includes=LOADED_INCLUDES,
    # A write naming accounts accepts them by kind: clients, staff, individuals.
    resolved=("type", "role"),
    before_delete=_before_delete,
    goes_with=(GoesWith(goals, lambda ids: sole_owned_goals(FIRM, ids)),),
    path="/api/v1/account",
    one="account",
)
# The same accounts, held to clients: a client path names no employee.
CLIENTS = dataclasses.replace(
    ACCOUNTS,
    name="clients",
    scope=(a.c.type == "client",),
    path="/api/v1/client",
    one="client",
    filters=CLIENT_FILTERS,
    includes=CLIENT_INCLUDES,
    empty_includes={k: EMPTY_INCLUDES[k] for k in ("primary_phone_number", "external_references")},
)

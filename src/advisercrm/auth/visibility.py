"""Which records an acting account may see (docs/API.md, Who sees and changes what).

Owners and admins see the whole firm. A member reaches a client through a group they
share (the client is a participant of the group, or sits in a circle that carries it)
or by being the client's assigned adviser, administrator or paraplanner: the database
keeps that reach as rows of `member_reach` (kept by its migration's triggers), read here. Client
and external accounts reach only themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    exists,
    func,
    or_,
    select,
    true,
)

from advisercrm.auth.principal import Principal
from advisercrm.tables import (
    circle_accounts,
    circle_groups,
    circles,
    group_participants,
    groups,
    member_reach,
)


def member_group_ids(principal: Principal) -> Select[tuple[int]]:
    gp = group_participants
    return select(gp.c.group_id).where(
        gp.c.firm_id == principal.firm_id, gp.c.account_id == principal.account_id
    )


def _reaches(principal: Principal, account_id: ColumnElement[int]) -> ColumnElement[bool]:
    """Whether the member reaches the account: one probe of the member's precomputed reach
    (`member_reach`, kept by the database as groups, circles and assigned staff change),
    a few index pages. Not a test against the member's rows read once into the statement:
    where the test sits inside a correlated subquery (an embedded plan's or case's
    accounts), PostgreSQL joins those rows again for every outer row: 0.2 ms each for a
    member who reaches 900 clients, and a member's task page took half as much again of
    PostgreSQL's CPU."""
    r = member_reach
    return exists().where(
        r.c.firm_id == principal.firm_id,
        r.c.member_id == principal.account_id,
        r.c.client_id == account_id,
    )


def client_visible(principal: Principal, account_id: ColumnElement[int]) -> ColumnElement[bool]:
    """Whether a client account id is visible to the principal."""
    if principal.sees_whole_firm:
        return true()
    if principal.is_member:
        return _reaches(principal, account_id)
    return account_id == principal.account_id


def circle_visible(principal: Principal, c: FromClause = circles) -> ColumnElement[bool]:
    """Managers see every circle; members those with a client they reach or a group of
    theirs; client accounts the circles they belong to. Correlated to `c` alone: an
    embedding statement may already read the link tables (an account's circles)."""
    if principal.sees_whole_firm:
        return c.c.firm_id == principal.firm_id
    ca, cg = circle_accounts, circle_groups
    has_client = (
        exists()
        .where(
            ca.c.firm_id == c.c.firm_id,
            ca.c.circle_id == c.c.id,
            client_visible(principal, ca.c.account_id),
        )
        .correlate(c)
    )
    if not principal.is_member:
        return has_client
    has_group = (
        exists()
        .where(
            cg.c.firm_id == c.c.firm_id,
            cg.c.circle_id == c.c.id,
            cg.c.group_id.in_(member_group_ids(principal).scalar_subquery()),
        )
        .correlate(c)
    )
    return or_(has_client, has_group)


def group_visible(principal: Principal, row: FromClause = groups) -> ColumnElement[bool]:
    """Staff see every group; others only the groups they take part in. Every statement
    holds its groups to the acting firm already, so staff need no condition (and records
    embedding groups none)."""
    if principal.is_employee:
        return true()
    gp = group_participants
    return row.c.id.in_(
        select(gp.c.group_id).where(
            gp.c.firm_id == principal.firm_id, gp.c.account_id == principal.account_id
        )
    )


Rule = Callable[[Principal, Any], ColumnElement[bool]]


def shown(principal: Principal | None, rule: Rule, row: Any) -> list[ColumnElement[bool]]:
    """The conditions that keep an embedded record (`row`: its table or an alias of it) to
    those the viewer could open with its own GET; `rule` is that resource's `visible`.
    Owners and admins (the whole firm, which the carrier's firm join already holds) and
    the server's own reads (None) need none, so their statements carry no extra test."""
    if principal is None or principal.sees_whole_firm:
        return []
    return [rule(principal, row)]


def reached_clients(principal: Principal) -> ColumnElement[Any]:
    """The ids of the clients a member reaches, as an array: `column == any_(...)` reads
    an index once per client, where an IN over the same rows may read the whole firm's
    range of it (a generic plan cannot tell a big firm from a small one)."""
    r = member_reach
    ids = select(r.c.client_id).where(
        r.c.firm_id == principal.firm_id, r.c.member_id == principal.account_id
    )
    return func.array(ids.scalar_subquery())

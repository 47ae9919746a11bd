"""Which records an acting account may see (docs/API.md, Who sees and changes what).

Owners and admins see the whole firm. A member reaches a client through a group they
share (the client is a participant of the group, or sits in a circle that carries it)
or by being the client's assigned adviser, administrator or paraplanner. Client and
external accounts reach only themselves.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    CTE,
    BindParameter,
    ColumnElement,
    FromClause,
    Select,
    and_,
    exists,
    or_,
    select,
    true,
    union,
)

from advisercrm.auth.principal import Principal
from advisercrm.tables import (
    accounts,
    circle_accounts,
    circle_groups,
    circles,
    group_participants,
    groups,
)


def member_group_ids(principal: Principal) -> Select[tuple[int]]:
    gp = group_participants
    return select(gp.c.group_id).where(
        gp.c.firm_id == principal.firm_id, gp.c.account_id == principal.account_id
    )


def reachable_client_ids(principal: Principal) -> Select[tuple[int]]:
    """Accounts a member reaches: through their groups (directly or via circles), or as
    the client's assigned adviser, administrator or paraplanner."""
    gp, ca, cg = group_participants, circle_accounts, circle_groups
    mine = member_group_ids(principal).scalar_subquery()
    via_groups = select(gp.c.account_id).where(
        gp.c.firm_id == principal.firm_id, gp.c.group_id.in_(mine)
    )
    via_circles = (
        select(ca.c.account_id)
        .join(cg, and_(cg.c.firm_id == ca.c.firm_id, cg.c.circle_id == ca.c.circle_id))
        .where(ca.c.firm_id == principal.firm_id, cg.c.group_id.in_(mine))
    )
    a = accounts
    assigned = select(a.c.id).where(
        a.c.firm_id == principal.firm_id,
        or_(
            a.c.assigned_adviser_id == principal.account_id,
            a.c.assigned_administrator_id == principal.account_id,
            a.c.assigned_paraplanner_id == principal.account_id,
        ),
    )
    return union(via_groups, via_circles, assigned)  # type: ignore[return-value]


@functools.lru_cache(maxsize=256)
def _reachable(principal: Principal) -> CTE:
    """`reachable_client_ids` as one named CTE per principal: a statement that tests it
    in many places (a member's task list, whose embedded accounts, plans and cases each
    do) plans and runs it once instead of once per place."""
    return reachable_client_ids(principal).cte("reachable_clients")


def _reaches(principal: Principal, account_id: ColumnElement[int]) -> ColumnElement[bool]:
    """`reachable_client_ids`, as a test of one account for one member: a few index
    probes from the account's side (its groups, its circles' groups, its assigned staff)
    rather than the member's whole reach."""
    firm, viewer = principal.firm_id, principal.account_id
    gp, ca, cg = group_participants, circle_accounts, circle_groups
    mine, reached = group_participants.alias("mine"), accounts.alias("reached")
    in_my_group = (mine.c.firm_id == firm, mine.c.account_id == viewer)
    via_groups = exists().where(
        gp.c.firm_id == firm,
        gp.c.account_id == account_id,
        *in_my_group,
        mine.c.group_id == gp.c.group_id,
    )
    via_circles = exists().where(
        ca.c.firm_id == firm,
        ca.c.account_id == account_id,
        cg.c.firm_id == firm,
        cg.c.circle_id == ca.c.circle_id,
        *in_my_group,
        mine.c.group_id == cg.c.group_id,
    )
    assigned = exists().where(
        reached.c.firm_id == firm,
        reached.c.id == account_id,
        or_(
            reached.c.assigned_adviser_id == viewer,
            reached.c.assigned_administrator_id == viewer,
            reached.c.assigned_paraplanner_id == viewer,
        ),
    )
    return or_(via_groups, via_circles, assigned)


def client_visible(principal: Principal, account_id: ColumnElement[int]) -> ColumnElement[bool]:
    """Whether a client account id is visible to the principal."""
    if principal.sees_whole_firm:
        return true()
    if principal.is_member:
        if isinstance(principal.account_id, ColumnElement) and not isinstance(
            principal.account_id, BindParameter
        ):
            # The viewer is a row of the enclosing statement (resource.viewers), out of
            # a CTE's sight, and run once per member: tested from the account's side.
            return _reaches(principal, account_id)
        reachable = _reachable(principal)
        return account_id.in_(select(reachable.c.account_id))
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

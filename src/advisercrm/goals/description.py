"""Goals (/api/v2/goals, and a client's under /api/v1/client/{client_uuid}/goal): owned
by client accounts in order, shown in the circles that hold an owner. What a goal's
writes check (owners, circles holding one of them) lives in `goals.service` (and, for a
create, in the statement of `goals.repository` too)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    any_,
    exists,
    func,
    literal_column,
    select,
    true,
    union,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from advisercrm.accounts.description import ACCOUNTS
from advisercrm.auth.principal import Principal
from advisercrm.auth.visibility import client_visible, reached_clients
from advisercrm.circles.description import CIRCLES
from advisercrm.goals.schemas import GoalCreate, GoalOut, GoalUpdate, goal
from advisercrm.kit.listing import date_filter, int_list_filter, uuid_list_filter
from advisercrm.kit.render import Ctx
from advisercrm.kit.sql import FIRM
from advisercrm.resource.description import (
    Nested,
    Resource,
    Row,
    Where,
    any_of,
    contains,
    linked_to,
)
from advisercrm.tables import accounts, circle_accounts, circles, goal_accounts, goal_circles, goals

g, ga, gc, ca = goals, goal_accounts, goal_circles, circle_accounts


def owned_by(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(ga.c.firm_id == g.c.firm_id, ga.c.goal_id == g.c.id, condition)


def visible(principal: Principal) -> ColumnElement[bool]:
    """A goal is visible when one of its owners is (clients: only goals they own)."""
    if principal.sees_whole_firm:
        return true()
    return owned_by(client_visible(principal, ga.c.account_id))


def reached(principal: Principal) -> Select[Any]:
    """The ids of the goals `visible` shows a member, from their side: the goals of the
    clients they reach, an index range each (change the two together)."""
    return (
        select(ga.c.goal_id.label("id"))
        .where(
            ga.c.firm_id == principal.firm_id, ga.c.account_id == any_(reached_clients(principal))
        )
        .distinct()
    )


def shown_in_circles(uuids: Any) -> ColumnElement[bool]:
    """Goals shown in any of the circles with these UUIDs, driven from the circles' side:
    the goals listed in them, and the goals of their accounts that list no circle. The
    filter then reads a few index ranges instead of testing every goal of the firm."""
    circle_ids = select(circles.c.id).where(
        circles.c.firm_id == FIRM, circles.c.uuid == any_(uuids)
    )
    explicit = gc.alias("explicit")
    listed = select(gc.c.goal_id).where(gc.c.firm_id == FIRM, gc.c.circle_id.in_(circle_ids))
    by_owner = (
        select(ga.c.goal_id)
        .join(ca, and_(ca.c.firm_id == ga.c.firm_id, ca.c.account_id == ga.c.account_id))
        .where(
            ca.c.firm_id == FIRM,
            ca.c.circle_id.in_(circle_ids),
            ~exists().where(explicit.c.firm_id == ga.c.firm_id, explicit.c.goal_id == ga.c.goal_id),
        )
    )
    return g.c.id.in_(union(listed, by_owner))


def _ids(link: Any, column: str, firm_id: Any, goal_id: Any, *order: Any) -> Any:
    """All the goal's links' ids, in order: the render shows those the viewer may open,
    and a goal's kind of owner counts them all."""
    ids = func.array_agg(aggregate_order_by(link.c[column], *order, link.c[column]))
    return (
        select(func.coalesce(ids, literal_column("'{}'::bigint[]")))
        .where(link.c.firm_id == firm_id, link.c.goal_id == goal_id)
        .scalar_subquery()
    )


def _render(row: Row, ctx: Ctx) -> dict[str, Any]:
    return goal(dict(row), row["accounts"], row["visible_to_circles"], ctx)


GOALS = Resource(
    name="goals",
    event="goal",
    table=g,
    visible=visible,
    reached=reached,
    render=_render,
    embeds=lambda viewer, firm_id, goal_id: {
        "owner_ids": _ids(ga, "account_id", firm_id, goal_id, ga.c.position),
        "circle_ids": _ids(gc, "circle_id", firm_id, goal_id),
    },
    nested={
        "accounts": Nested("owner_ids", ACCOUNTS),
        "visible_to_circles": Nested("circle_ids", CIRCLES),
    },
    sorts={
        "created_at": g.c.created_at,
        "updated_at": g.c.updated_at,
        "name": g.c.name,
        "progress": g.c.progress,
        "complete_goal_by": g.c.complete_goal_by,
        "priority": g.c.priority,
    },
    filters={
        "uuid": Where(uuid_list_filter, any_of(g.c.uuid)),
        "account_uuids": Where(uuid_list_filter, linked_to(g, ga, accounts)),
        "circle_uuids": Where(uuid_list_filter, shown_in_circles),
        "name": contains(g.c.name),
        "priority": Where(int_list_filter(1, 5), any_of(g.c.priority)),
        "complete_goal_by_before": Where(date_filter, lambda day: g.c.complete_goal_by < day),
        "complete_goal_by_after": Where(date_filter, lambda day: g.c.complete_goal_by > day),
    },
    parents={"client": lambda client_id: owned_by(ga.c.account_id == client_id)},
    who="anyone",
    path="/api/v2/goals",
    create=GoalCreate,
    update=GoalUpdate,
    out=GoalOut,
)

"""Plans (/api/v1/plans): 1 to 10 client owners the writer sees, each with its share in
percent; managers see every plan, members those with an owner they reach, clients their
own."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, FromClause, true

from advisercrm.accounts.references import clients
from advisercrm.accounts.references import resolve as accounts_named
from advisercrm.accounts.repository import linked_accounts
from advisercrm.auth.principal import Principal
from advisercrm.auth.visibility import client_visible
from advisercrm.kit.listing import choice_list_filter, uuid_list_filter
from advisercrm.plans.schemas import PLAN_TYPES, STATUSES, PlanCreate, PlanOut, PlanUpdate, plan
from advisercrm.resource.description import (
    Link,
    Resource,
    Where,
    any_of,
    contains,
    linked,
    linked_to,
)
from advisercrm.tables import accounts, plan_accounts, plans
from advisercrm.tags.description import tagged, tags_of

p, pa = plans, plan_accounts


def visible(principal: Principal, row: FromClause = p) -> ColumnElement[bool]:
    """Managers see every plan; members those with an owner they reach; clients their own."""
    if principal.sees_whole_firm:
        return true()
    return linked(p, pa, client_visible(principal, pa.c.account_id), row)


def owners_json(firm_id: Any, plan_id: Any, viewer: Principal | None) -> Any:
    """The compact owners of one plan the viewer may open, by name: a scalar subquery
    correlated to the given columns (the plan list's own rows, or a task's plan when
    rendering tasks)."""
    return linked_accounts(pa, pa.c.plan_id, plan_id, firm_id, viewer, ("percentage",))


PLANS = Resource(
    name="plans",
    event="plan",
    table=p,
    visible=visible,
    render=plan,
    embeds=lambda viewer, firm_id, plan_id: {"accounts": owners_json(firm_id, plan_id, viewer)},
    sorts={
        "created_at": p.c.created_at,
        "updated_at": p.c.updated_at,
        "name": p.c.name,
        "type": p.c.type,
        "status": p.c.status,
    },
    filters={
        "uuid": Where(uuid_list_filter, any_of(p.c.uuid)),
        "name": contains(p.c.name),
        "type": Where(choice_list_filter(PLAN_TYPES), any_of(p.c.type)),
        "status": Where(choice_list_filter(STATUSES), any_of(p.c.status)),
        "account_uuids": Where(uuid_list_filter, linked_to(p, pa, accounts)),
        "tags": tagged(p),
    },
    loaded_includes={"tags": tags_of(p)},
    columns=frozenset({"name", "type", "policy_number", "status"}),
    links=(
        Link(
            "accounts",
            pa,
            "plan_id",
            "account_id",
            accounts_named,
            clients,
            item_uuid=lambda owner: owner.uuid,
            item_columns=lambda owner: {"percentage": owner.percentage},
        ),
    ),
    path="/api/v1/plans",
    create=PlanCreate,
    update=PlanUpdate,
    out=PlanOut,
)

"""Cases (/api/v1/cases): client participants the viewer sees, employee assignees and
groups of the firm, a value in minor units and a review moment read in the firm's zone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    FromClause,
    and_,
    cast,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from advisercrm.accounts.references import clients, employees
from advisercrm.accounts.references import resolve as accounts_named
from advisercrm.accounts.repository import linked_accounts
from advisercrm.accounts.repository import visible as account_visible
from advisercrm.auth.principal import Principal
from advisercrm.auth.visibility import client_visible, member_group_ids, shown
from advisercrm.case_lookups import case_fields
from advisercrm.cases.schemas import CaseCreate, CaseOut, CaseUpdate, case
from advisercrm.groups.description import visible as group_visible
from advisercrm.groups.references import resolve as groups_named
from advisercrm.kit.listing import date_filter, uuid_list_filter
from advisercrm.kit.render import Ctx, zone
from advisercrm.kit.sql import FIRM
from advisercrm.kit.times import in_zone
from advisercrm.resource.description import (
    Link,
    Resource,
    Row,
    Where,
    any_of,
    contains,
    linked,
    linked_to,
)
from advisercrm.tables import (
    accounts,
    case_assignees,
    case_groups,
    case_participants,
    cases,
    firms,
)
from advisercrm.tables import groups as groups_table
from advisercrm.tags.description import tagged, tags_of

c, cp, ca, cg = cases, case_participants, case_assignees, case_groups


def _day(moment: Any) -> Any:
    """The day of a case's moment (its review, its completion), in its firm's zone."""
    zone = select(firms.c.timezone).where(firms.c.id == FIRM).scalar_subquery()
    return cast(func.timezone(zone, moment), Date)


def visible(principal: Principal, row: FromClause = c) -> ColumnElement[bool]:
    """Managers see every case; members those with a participant they reach, one of their
    groups or assigned to them; client accounts the cases they take part in."""
    if principal.sees_whole_firm:
        return true()
    has_client = linked(c, cp, client_visible(principal, cp.c.account_id), row)
    if not principal.is_member:
        return has_client
    mine = member_group_ids(principal).scalar_subquery()
    return or_(
        has_client,
        linked(c, cg, cg.c.group_id.in_(mine), row),
        linked(c, ca, ca.c.account_id == principal.account_id, row),
    )


def _uuids(target: Any, link: Any, column: str, firm_id: Any, case_id: Any, only: list[Any]) -> Any:
    """The linked rows' UUIDs, ordered by name (then id), of those `only` keeps."""
    return (
        select(func.array_agg(aggregate_order_by(target.c.uuid, target.c.name, target.c.id)))
        .join(link, and_(link.c.firm_id == target.c.firm_id, link.c[column] == target.c.id))
        .where(link.c.firm_id == firm_id, link.c.case_id == case_id, *only)
        .scalar_subquery()
    )


def linked_columns(firm_id: Any, case_id: Any, viewer: Principal | None) -> dict[str, Any]:
    """What the case resource shows beyond the case row, as scalar subqueries correlated
    to the given columns (the case list's own rows, or a task's case when rendering
    tasks): the participants, assignees and groups the viewer may open. `case_row`
    completes a loaded row."""
    a, g = accounts, groups_table
    return {
        "participants": linked_accounts(cp, cp.c.case_id, case_id, firm_id, viewer),
        "assigned_to_uuids": _uuids(
            a, ca, "account_id", firm_id, case_id, shown(viewer, account_visible, a)
        ),
        "group_uuids": _uuids(g, cg, "group_id", firm_id, case_id, shown(viewer, group_visible, g)),
        **case_fields.columns(firm_id, case_id, viewer),
    }


# The names `linked_columns` gives, for records that embed a case.
CASE_LINKS = (
    "participants",
    "assigned_to_uuids",
    "group_uuids",
    *case_fields.LINKED,
)


def case_row(row: Row) -> dict[str, Any]:
    """A loaded case as the resource renders it: empty link lists come back as NULL."""
    item = dict(row)
    item["assigned_to_uuids"] = item["assigned_to_uuids"] or []
    item["group_uuids"] = item["group_uuids"] or []
    return item


def _render(row: Row, ctx: Ctx) -> dict[str, Any]:
    return case(case_row(row), ctx)


def _in_zone(principal: Principal, values: dict[str, Any]) -> dict[str, Any]:
    if values.get("review_at") is not None:
        values["review_at"] = in_zone(values["review_at"], zone(principal.timezone))
    return values


CASES = Resource(
    name="cases",
    event="case",
    table=c,
    visible=visible,
    render=_render,
    embeds=lambda viewer, firm_id, case_id: linked_columns(firm_id, case_id, viewer),
    sorts={
        "created_at": c.c.created_at,
        "updated_at": c.c.updated_at,
        "name": c.c.name,
        "review_at": c.c.review_at,
        "value": c.c.value,
        **case_fields.SORTS,
    },
    filters={
        "uuid": Where(uuid_list_filter, any_of(c.c.uuid)),
        "name": contains(c.c.name),
        "participant_uuids": Where(uuid_list_filter, linked_to(c, cp, accounts)),
        "group_uuids": Where(uuid_list_filter, linked_to(c, cg, groups_table)),
        **case_fields.FILTERS,
        "review_at_after": Where(date_filter, lambda day: _day(c.c.review_at) > day),
        "review_at_before": Where(date_filter, lambda day: _day(c.c.review_at) < day),
        "completed_after": Where(date_filter, lambda day: _day(c.c.completed_at) > day),
        "completed_before": Where(date_filter, lambda day: _day(c.c.completed_at) < day),
        "tags": tagged(c),
    },
    # A case always shows these: asking for them changes nothing.
    includes=(*case_fields.INCLUDES, "assigned_to", "groups"),
    # Cases are not given custom-field values here.
    empty_includes={"custom_fields": []},
    loaded_includes={"tags": tags_of(c)},
    columns=frozenset({"name", "value", "review_at", *case_fields.COLUMNS}),
    links=(
        Link("participants", cp, "case_id", "account_id", accounts_named, clients),
        Link("assigned_to_uuids", ca, "case_id", "account_id", accounts_named, employees, True),
        Link("group_uuids", cg, "case_id", "group_id", groups_named, null_clears=True),
        case_fields.PLANS_LINK,
    ),
    prepare=_in_zone,
    check=case_fields.check,
    path="/api/v1/cases",
    create=CaseCreate,
    update=CaseUpdate,
    out=CaseOut,
)

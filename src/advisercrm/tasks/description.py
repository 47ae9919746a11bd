"""Tasks (/api/v1/task): who sees a task, and all it shows (status, taskable, author,
assignees, completer, groups, custom fields, parent), each embedded record filtered by
what the viewer may open. A task's list is its own (`tasks.listing`: one statement per
list shape), as are its writes' rules (`tasks.service`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    and_,
    case,
    exists,
    false,
    func,
    not_,
    null,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.dialects.postgresql import array

from advisercrm.accounts.description import ACCOUNTS
from advisercrm.accounts.repository import visible as account_visible
from advisercrm.auth.principal import Principal
from advisercrm.auth.visibility import member_group_ids, shown
from advisercrm.cases.description import linked_columns as case_columns
from advisercrm.cases.description import visible as case_visible
from advisercrm.groups.description import visible as group_visible
from advisercrm.kit.sql import FIRM
from advisercrm.plans.description import owners_json as plan_owners_json
from advisercrm.plans.description import visible as plan_visible
from advisercrm.resource.description import Nested, Resource
from advisercrm.tables import (
    accounts,
    cases,
    custom_fields,
    groups,
    plans,
    task_assignees,
    task_custom_values,
    task_groups,
    task_statuses,
    tasks,
)
from advisercrm.tasks.rendering import render_page
from advisercrm.tasks.schemas import TaskCreate, TaskOut, TaskUpdate

t, ta, tg, tv, st = tasks, task_assignees, task_groups, task_custom_values, task_statuses
SORTS = {
    "created_at": t.c.created_at,
    "updated_at": t.c.updated_at,
    "name": t.c.name,
    "priority": t.c.priority,
    "due_at": t.c.due_at,
    "position": t.c.position,
    # Open tasks first, each part in creation order (Plannr's `completed_last`).
    "completed_last": t.c.completed_at.isnot(None),
}


def linked(table: Any, condition: ColumnElement[bool], task: FromClause = t) -> ColumnElement[bool]:
    return exists().where(
        table.c.firm_id == task.c.firm_id, table.c.task_id == task.c.id, condition
    )


def visible(principal: Principal, task: FromClause = t) -> ColumnElement[bool]:
    """Managers see all tasks; members tasks with one of their groups, assigned to them or
    written by them (`visible_ids` is the same rule from the member's side: change the
    two together); client accounts tasks on their own record assigned to them."""
    if principal.sees_whole_firm:
        return true()
    assigned = linked(ta, ta.c.account_id == principal.account_id, task)
    if principal.is_member:
        mine = member_group_ids(principal).scalar_subquery()
        in_group = linked(tg, tg.c.group_id.in_(mine), task)
        return or_(in_group, assigned, task.c.author_id == principal.account_id)
    if principal.type == "client":
        return and_(task.c.client_id == principal.account_id, assigned)
    return false()


def visible_ids(principal: Principal, top_level: bool | None) -> Any:
    """The ids of the tasks `visible` shows a member, from the member's side: their
    groups' tasks, those assigned to them and those they wrote, each an index range of a
    table keyed by the member's side (a union: one task may be all three). Testing each
    of a big firm's tasks instead costs as many tests as it has tasks. `top_level`: only
    top-level tasks, only subtasks (False) or both (None); the link rows copy the level."""
    assert principal.is_member

    def level(is_top: Any) -> list[Any]:
        return [] if top_level is None else [is_top if top_level else not_(is_top)]

    mine = member_group_ids(principal).scalar_subquery()
    return union(
        select(tg.c.task_id).where(
            tg.c.firm_id == principal.firm_id, tg.c.group_id.in_(mine), *level(tg.c.top_level)
        ),
        select(ta.c.task_id).where(
            ta.c.firm_id == principal.firm_id,
            ta.c.account_id == principal.account_id,
            *level(ta.c.top_level),
        ),
        select(t.c.id).where(
            t.c.firm_id == principal.firm_id,
            t.c.author_id == principal.account_id,
            *level(t.c.parent_id.is_(None)),
        ),
    )


def _row_of(viewer: Principal, table: Any, firm_id: Any, column: Any, rule: Any = None) -> Any:
    """The row of `table`, held to `firm_id`, that the task's `column` names (NULL when
    the viewer may not open it), as a record of the table's type."""
    alias = table.alias()
    return (
        select(alias.table_valued())
        .where(
            alias.c.firm_id == firm_id,
            alias.c.id == column,
            *(shown(viewer, rule, alias) if rule else []),
        )
        .scalar_subquery()
    )


def _when_set(key: Any, embeds: dict[str, Any]) -> dict[str, Any]:
    """The embeds of a record the task may point at, evaluated only for tasks that point
    at one: most tasks have no plan or case, and PostgreSQL skips a CASE's subqueries
    whose condition is false, where it would run them all to find nothing."""
    return {name: case((key.isnot(None), expr)) for name, expr in embeds.items()}


@dataclass(frozen=True, eq=False)
class Source:
    """Where a task's row and its link rows are read: the tables, or the CTEs of the
    statement that inserts them (`tasks.repository`), whose rows that statement's reads
    of the tables do not see."""

    task: FromClause = t
    assignee_rows: FromClause = ta
    group_rows: FromClause = tg
    value_rows: FromClause = tv


_TABLES = Source()


def _embeds(
    viewer: Principal, firm_id: Any, task_id: Any, source: Source = _TABLES
) -> dict[str, Any]:
    task, assigned, grouped, valued = (
        source.task,
        source.assignee_rows,
        source.group_rows,
        source.value_rows,
    )
    parent, cf, g, who = tasks.alias("parent"), custom_fields, groups, accounts.alias("who")
    # Each joined record is held to `firm_id` itself, not through its link row: a CTE's
    # firm_id anchors nothing for `kit.tenancy`, which follows tables' columns.
    assignees = (
        select(func.array_agg(who.table_valued()))
        .select_from(
            assigned.join(who, and_(who.c.firm_id == firm_id, who.c.id == assigned.c.account_id))
        )
        .where(
            assigned.c.firm_id == firm_id,
            assigned.c.task_id == task_id,
            *shown(viewer, account_visible, who),
        )
    )
    group_uuids = (
        select(func.array_agg(g.c.uuid))
        .select_from(grouped.join(g, and_(g.c.firm_id == firm_id, g.c.id == grouped.c.group_id)))
        .where(
            grouped.c.firm_id == firm_id,
            grouped.c.task_id == task_id,
            *shown(viewer, group_visible, g),
        )
    )
    # The fields as rows of their table, the values as [field id, value] pairs: asyncpg
    # decodes a table's row type it has seen in a result's columns, not one nested in an
    # anonymous record.
    with_fields = valued.join(
        cf, and_(cf.c.firm_id == firm_id, cf.c.id == valued.c.custom_field_id)
    )
    fields = (
        select(func.array_agg(cf.table_valued()))
        .select_from(with_fields)
        .where(valued.c.firm_id == firm_id, valued.c.task_id == task_id)
    )
    values = select(
        func.json_agg(func.json_build_array(valued.c.custom_field_id, valued.c.value))
    ).where(valued.c.firm_id == firm_id, valued.c.task_id == task_id)
    parent_uuid = select(parent.c.uuid).where(
        parent.c.firm_id == firm_id,
        parent.c.id == task.c.parent_id,
        *shown(viewer, visible, parent),
    )
    case_links = case_columns(firm_id, task.c.case_id, viewer)
    return {
        "parent_uuid": parent_uuid.scalar_subquery(),
        "status": _row_of(viewer, st, firm_id, task.c.status_id),
        "author": _row_of(viewer, accounts, firm_id, task.c.author_id, account_visible),
        "completed_by": _row_of(viewer, accounts, firm_id, task.c.completed_by_id, account_visible),
        "assignees": assignees.scalar_subquery(),
        "group_uuids": group_uuids.scalar_subquery(),
        "fields": fields.scalar_subquery(),
        "custom_values": values.scalar_subquery(),
        **_when_set(
            task.c.plan_id,
            {
                "plan": _row_of(viewer, plans, firm_id, task.c.plan_id, plan_visible),
                "plan_accounts": plan_owners_json(firm_id, task.c.plan_id, viewer),
            },
        ),
        **_when_set(
            task.c.case_id,
            {
                "case": _row_of(viewer, cases, firm_id, task.c.case_id, case_visible),
                **{f"case_{name}": expr for name, expr in case_links.items()},
            },
        ),
        # A client taskable is the account resource, nested (`TASKS.nested`).
        "client_ids": func.array_remove(array([task.c.client_id]), null()),
    }


TASKS = Resource(
    name="tasks",
    event="task",
    table=t,
    visible=visible,
    render=lambda row, ctx: render_page([row], ctx)[0],
    render_all=render_page,
    embeds=_embeds,
    nested={"client": Nested("client_ids", ACCOUNTS)},
    sorts=SORTS,
    path="/api/v1/task",
    create=TaskCreate,
    update=TaskUpdate,
    out=TaskOut,
)


def loaded_columns(viewer: Principal, source: Source) -> list[Any]:
    """What `TASKS.load` gives for the task `source` holds, but `visible`: the statement
    that inserts a task returns it so, and a create renders without another round trip."""
    # The acting firm's parameter, not the CTE's column: a statement's embedded records
    # are held to the firm by a table's column or the parameter (`kit.tenancy`).
    task = source.task
    embedded = _embeds(viewer, FIRM, task.c.id, source)
    nested = TASKS.nested_rows(viewer, FIRM, task, embedded)
    columns = {**{c.name: task.c[c.name] for c in tasks.c}, **embedded, **nested}
    return [expr.label(name) for name, expr in columns.items()]

"""SQL for tasks, their assignees, groups and custom-field values.

The statements of the busy requests (create, list, show, render) are `kit.sql.Query`
objects, compiled once (issue 4): per visibility reach, taskable kind or list shape where
the SQL differs, with every value a parameter and every list one array parameter.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Iterable
from typing import Any

import orjson
from asyncpg import Record
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    ColumnElement,
    DateTime,
    SmallInteger,
    String,
    Text,
    Uuid,
    and_,
    any_,
    bindparam,
    cast,
    delete,
    exists,
    false,
    func,
    insert,
    not_,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by
from sqlalchemy.dialects.postgresql import insert as pg_insert

from advisercrm.accounts.repository import visible as account_visible
from advisercrm.auth.principal import VIEWER_ID, Principal, template
from advisercrm.auth.visibility import member_group_ids
from advisercrm.cases.repository import linked_columns as case_columns
from advisercrm.cases.repository import visible as case_visible
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.repository import FirmRepository, list_order
from advisercrm.kit.sql import FIRM, Query, ids_param, like_pattern, uuids_param
from advisercrm.plans.repository import owners_json as plan_owners_json
from advisercrm.plans.repository import visible as plan_visible
from advisercrm.tables import (
    accounts,
    case_participants,
    cases,
    circle_accounts,
    circles,
    custom_fields,
    groups,
    plan_accounts,
    plans,
    task_assignees,
    task_custom_values,
    task_groups,
    task_statuses,
    tasks,
)
from advisercrm.tasks.schemas import PRIORITIES

t, ta, tg, tv, st = tasks, task_assignees, task_groups, task_custom_values, task_statuses
TASKABLE_COLUMN = {"client": t.c.client_id, "case": t.c.case_id, "plan": t.c.plan_id}
SORTS = {
    "created_at": t.c.created_at,
    "updated_at": t.c.updated_at,
    "name": t.c.name,
    "priority": t.c.priority,
    "due_at": t.c.due_at,
    "position": t.c.position,
}
# List filters whose value is part of the statement's text (`open_tasks=true`).
CHOICES = (
    "completed_status",
    "archived_status",
    "not_started_status",
    "open_tasks",
    "has_due_date",
    "subtask_visibility",
)
# The columns a new task is inserted with (the rest have server defaults).
CREATE_COLUMNS = (
    "name",
    "description",
    "priority",
    "due_at",
    "taskable_type",
    "client_id",
    "case_id",
    "plan_id",
    "status_id",
    "parent_id",
    "author_id",
    "completed_at",
    "completed_by_id",
)


def _linked(table: Any, condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(table.c.firm_id == t.c.firm_id, table.c.task_id == t.c.id, condition)


def visible(principal: Principal) -> ColumnElement[bool]:
    """Managers see all tasks; members tasks with one of their groups, assigned to them or
    written by them; client accounts tasks on their own record assigned to them."""
    if principal.sees_whole_firm:
        return true()
    assigned = _linked(ta, ta.c.account_id == principal.account_id)
    if principal.is_member:
        in_group = _linked(tg, tg.c.group_id.in_(member_group_ids(principal).scalar_subquery()))
        return or_(in_group, assigned, t.c.author_id == principal.account_id)
    if principal.type == "client":
        return and_(t.c.client_id == principal.account_id, assigned)
    return false()


def _ids_of(table: Any, name: str) -> Any:
    """The firm's ids of `table` whose UUIDs are in the array parameter `name`."""
    return select(table.c.id).where(
        table.c.firm_id == FIRM, table.c.uuid == any_(uuids_param(name))
    )


# --- Single tasks, by UUID or id ------------------------------------------------------


@functools.cache
def _find_query(reach: str) -> Query:
    return Query(
        select(t).where(
            t.c.firm_id == FIRM, t.c.uuid == bindparam("uuid"), visible(template(reach))
        )
    )


@functools.cache
def _visible_ids_query(reach: str) -> Query:
    return Query(
        select(t.c.id).where(
            t.c.firm_id == FIRM, t.c.id == any_(ids_param("ids")), visible(template(reach))
        )
    )


@functools.cache
def _subtasks_query(reach: str) -> Query:
    return Query(
        select(t.c.id, t.c.parent_id)
        .where(
            t.c.firm_id == FIRM, t.c.parent_id == any_(ids_param("ids")), visible(template(reach))
        )
        .order_by(t.c.position, t.c.id)
    )


def _in_subtree_query() -> Query:
    tree = (
        select(t.c.id)
        .where(t.c.firm_id == FIRM, t.c.id == bindparam("root_id", type_=BigInteger))
        .cte("tree", recursive=True)
    )
    child = t.alias("child")
    tree = tree.union_all(
        select(child.c.id).where(child.c.firm_id == FIRM, child.c.parent_id == tree.c.id)
    )
    candidate = bindparam("candidate_id", type_=BigInteger)
    return Query(select(exists().where(tree.c.id == candidate)))


IN_SUBTREE = _in_subtree_query()
LOCK_STATUS = Query(
    select(st.c.id).where(st.c.firm_id == FIRM, st.c.id == bindparam("status_id")).with_for_update()
)
NEXT_POSITION = Query(
    select(func.coalesce(func.max(t.c.position), 0) + 1).where(
        t.c.firm_id == FIRM, t.c.status_id == bindparam("status_id")
    )
)
DELETE = Query(
    delete(t).where(t.c.firm_id == FIRM, t.c.id == bindparam("task_id", type_=BigInteger))
)


# --- Everything a create or update body refers to, in one statement ---------------------


@functools.cache
def _references_query(reach: str, kind: str, lock_status: bool) -> Query:
    """One row: the taskable's id if the viewer may use it, the status (its row, locked
    for a create: see `create`), the visible parent's id, the accounts and groups named
    (uuid, id[, visible]) and the firm's task fields. Absent references are NULL
    parameters, which match nothing."""
    viewer = template(reach)
    taskable_table, taskable_ok = {
        "client": (accounts, and_(account_visible(viewer), accounts.c.type == "client")),
        "case": (cases, case_visible(viewer)),
        "plan": (plans, plan_visible(viewer)),
    }[kind]
    taskable = select(taskable_table.c.id).where(
        taskable_table.c.firm_id == FIRM,
        taskable_table.c.uuid == bindparam("taskable_uuid", type_=Uuid()),
        taskable_ok,
    )
    status = select(st.table_valued()).where(
        st.c.firm_id == FIRM, st.c.uuid == bindparam("status_uuid", type_=Uuid())
    )
    if lock_status:
        status = status.with_for_update()
    parent = select(t.c.id).where(
        t.c.firm_id == FIRM,
        t.c.uuid == bindparam("parent_uuid", type_=Uuid()),
        visible(viewer),
    )
    a, g, cf = accounts, groups, custom_fields
    people = select(func.array_agg(tuple_(a.c.uuid, a.c.id, account_visible(viewer)))).where(
        a.c.firm_id == FIRM, a.c.uuid == any_(uuids_param("account_uuids"))
    )
    group_rows = select(func.array_agg(tuple_(g.c.uuid, g.c.id))).where(
        g.c.firm_id == FIRM, g.c.uuid == any_(uuids_param("group_uuids"))
    )
    fields = select(
        func.array_agg(aggregate_order_by(cf.table_valued(), cf.c.position, cf.c.id))
    ).where(
        cf.c.firm_id == FIRM,
        cf.c.model_type == "task",
        bindparam("with_fields", type_=Boolean),
    )
    return Query(
        select(
            taskable.scalar_subquery().label("taskable_id"),
            status.scalar_subquery().label("status"),
            parent.scalar_subquery().label("parent_id"),
            people.scalar_subquery().label("accounts"),
            group_rows.scalar_subquery().label("groups"),
            fields.scalar_subquery().label("fields"),
        )
    )


# --- A new task and its links, in one statement -----------------------------------------


def _create_query() -> Query:
    """Insert the task at the end of its status column and its assignees, groups and
    custom values, through data-modifying CTEs that read the new id from the first.

    The position is max + 1 read in this statement: its snapshot is taken after the
    status row lock of the earlier `references` statement was granted, so it sees every
    append to that column committed before ours (one statement could not lock first and
    read after: under READ COMMITTED its snapshot predates the lock wait)."""
    position = (
        select(func.coalesce(func.max(t.c.position), 0) + 1)
        .where(t.c.firm_id == FIRM, t.c.status_id == bindparam("status_id", type_=BigInteger))
        .scalar_subquery()
    )
    values = select(FIRM, *(bindparam(c, type_=t.c[c].type) for c in CREATE_COLUMNS), position)
    new = (
        insert(t)
        .from_select(["firm_id", *CREATE_COLUMNS, "position"], values)
        .returning(t.c.id)
        .cte("new_task")
    )
    assignees = insert(ta).from_select(
        ["firm_id", "task_id", "account_id"],
        select(FIRM, new.c.id, func.unnest(ids_param("account_ids"))),
    )
    linked_groups = insert(tg).from_select(
        ["firm_id", "task_id", "group_id"],
        select(FIRM, new.c.id, func.unnest(ids_param("group_ids"))),
    )
    given = (
        func.unnest(ids_param("field_ids"), bindparam("field_values", type_=ARRAY(Text)))
        .table_valued("field_id", "value")
        .render_derived("given")
    )
    custom = insert(tv).from_select(
        ["firm_id", "task_id", "custom_field_id", "value"],
        select(FIRM, new.c.id, given.c.field_id, cast(given.c.value, JSONB)).select_from(
            new.join(given, true())
        ),
    )
    return Query(
        select(new.c.id).add_cte(
            assignees.cte("new_assignees"),
            linked_groups.cte("new_groups"),
            custom.cte("new_values"),
        )
    )


CREATE = _create_query()


# --- Rendering: one row per task with all it shows but a client taskable ---------------


def _render_query() -> Query:
    """Each task with its parent's UUID and, as rows of their tables, its status, author,
    completer, assignees, custom fields (with values) and plan or case taskable with what
    their resources show. A client taskable is the account resource, loaded apart."""
    parent = t.alias("parent")
    cf, g = custom_fields, groups

    def row_of(table: Any, column: Any) -> Any:
        alias = table.alias()
        return (
            select(alias.table_valued())
            .where(alias.c.firm_id == t.c.firm_id, alias.c.id == column)
            .scalar_subquery()
        )

    who = accounts.alias("who")
    assignees = (
        select(func.array_agg(who.table_valued()))
        .select_from(ta.join(who, and_(who.c.firm_id == ta.c.firm_id, who.c.id == ta.c.account_id)))
        .where(ta.c.firm_id == t.c.firm_id, ta.c.task_id == t.c.id)
        .scalar_subquery()
    )
    group_uuids = (
        select(func.array_agg(g.c.uuid))
        .select_from(tg.join(g, and_(g.c.firm_id == tg.c.firm_id, g.c.id == tg.c.group_id)))
        .where(tg.c.firm_id == t.c.firm_id, tg.c.task_id == t.c.id)
        .scalar_subquery()
    )
    # The fields as rows of their table, the values as [field id, value] pairs: asyncpg
    # decodes a table's row type it has seen in a result's columns, not one nested in an
    # anonymous record.
    with_fields = tv.join(cf, and_(cf.c.firm_id == tv.c.firm_id, cf.c.id == tv.c.custom_field_id))
    fields = (
        select(func.array_agg(cf.table_valued()))
        .select_from(with_fields)
        .where(tv.c.firm_id == t.c.firm_id, tv.c.task_id == t.c.id)
        .scalar_subquery()
    )
    values = (
        select(func.json_agg(func.json_build_array(tv.c.custom_field_id, tv.c.value)))
        .where(tv.c.firm_id == t.c.firm_id, tv.c.task_id == t.c.id)
        .scalar_subquery()
    )
    case_links = case_columns(t.c.firm_id, t.c.case_id)
    return Query(
        select(
            t,
            parent.c.uuid.label("parent_uuid"),
            row_of(st, t.c.status_id).label("status"),
            row_of(accounts, t.c.author_id).label("author"),
            row_of(accounts, t.c.completed_by_id).label("completed_by"),
            assignees.label("assignees"),
            group_uuids.label("group_uuids"),
            fields.label("fields"),
            values.label("custom_values"),
            row_of(plans, t.c.plan_id).label("plan"),
            plan_owners_json(t.c.firm_id, t.c.plan_id).label("plan_accounts"),
            row_of(cases, t.c.case_id).label("case"),
            *(expr.label(f"case_{name}") for name, expr in case_links.items()),
        )
        .select_from(
            t.outerjoin(parent, and_(parent.c.firm_id == t.c.firm_id, parent.c.id == t.c.parent_id))
        )
        .where(t.c.firm_id == FIRM, t.c.id == any_(ids_param("ids")))
    )


RENDER = _render_query()


# --- Lists -------------------------------------------------------------------------------


def _status_flag(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(st.c.firm_id == t.c.firm_id, st.c.id == t.c.status_id, condition)


def _status_conditions(filters: frozenset[str], as_array: bool) -> list[ColumnElement[bool]]:
    """The status filters (their values are in the names: `open_tasks=true`).

    `as_array`: as one `status_id = ANY(ARRAY(the matching statuses))`, which an index
    led by status_id serves (a firm has a handful of statuses). Only for one person's
    tasks: elsewhere a plan blind to how many tasks those statuses hold (a generic one,
    or one for a big firm's member) would take that index for lists better read in sort
    order, so the other lists test each task's status as they always did."""
    flags = {
        "completed_status": st.c.is_type_completed,
        "archived_status": st.c.is_archived,
        "not_started_status": st.c.is_not_started,
        "open_tasks": not_(or_(st.c.is_type_completed, st.c.is_archived)),
    }
    given = {
        name: f"{name}=true" in filters
        for name in flags
        if f"{name}=true" in filters or f"{name}=false" in filters
    }
    if not as_array:
        c = []
        for name, wanted in given.items():
            if name == "open_tasks":  # "has no closed status": an anti-join
                closed = _status_flag(or_(st.c.is_type_completed, st.c.is_archived))
                c.append(not_(closed) if wanted else closed)
            else:
                flag = _status_flag(flags[name])
                c.append(flag if wanted else not_(flag))
        if "status_uuid" in filters:
            c.append(t.c.status_id.in_(_ids_of(st, "status_uuid")))
        return c
    matching = [flags[name] if wanted else not_(flags[name]) for name, wanted in given.items()]
    if "status_uuid" in filters:
        matching.append(st.c.uuid == any_(uuids_param("status_uuid")))
    if not matching:
        return []
    ids = select(st.c.id).where(st.c.firm_id == FIRM, *matching).scalar_subquery()
    return [t.c.status_id == any_(func.array(ids, type_=ARRAY(BigInteger)))]


def _about_clients() -> ColumnElement[bool]:
    """Tasks on the client, or on a case or plan the client takes part in."""
    cp, pa = case_participants, plan_accounts
    client_ids = _ids_of(accounts, "client_uuid")
    return or_(
        t.c.client_id.in_(client_ids),
        t.c.case_id.in_(
            select(cp.c.case_id).where(cp.c.firm_id == FIRM, cp.c.account_id.in_(client_ids))
        ),
        t.c.plan_id.in_(
            select(pa.c.plan_id).where(pa.c.firm_id == FIRM, pa.c.account_id.in_(client_ids))
        ),
    )


def _conditions(reach: str, filters: frozenset[str], mine: bool) -> list[ColumnElement[bool]]:
    """The WHERE of a list, for the filters given (those that take a choice or a boolean
    carry it in the name: `has_due_date=false`, `subtask_visibility=only`).

    `mine`: the assignee filter names only the viewer, which for a member also proves
    visibility (a task assigned to me is visible to me), so the three-way visibility
    test is left out."""
    f = filters
    c: list[ColumnElement[bool]] = [t.c.firm_id == FIRM]
    if not (mine and reach == "member"):
        c.append(visible(template(reach)))
    if "name" in f:
        c.append(t.c.name.icontains(bindparam("name", type_=String), escape="/"))
    if "taskable_type" in f:
        c.append(t.c.taskable_type == any_(bindparam("taskable_type", type_=ARRAY(String))))
    if "taskable_uuid" in f:
        tables = (("client", accounts), ("case", cases), ("plan", plans))
        c.append(or_(*(TASKABLE_COLUMN[k].in_(_ids_of(tbl, "taskable_uuid")) for k, tbl in tables)))
    if "client_uuid" in f:
        c.append(_about_clients())
    if "priority" in f:
        c.append(t.c.priority == any_(bindparam("priority", type_=ARRAY(SmallInteger))))
    if mine:
        c.append(_linked(ta, ta.c.account_id == VIEWER_ID))
    elif "assigned_to_uuids" in f:
        c.append(_linked(ta, ta.c.account_id.in_(_ids_of(accounts, "assigned_to_uuids"))))
    if "circle_uuids" in f:
        ca = circle_accounts
        members = select(ca.c.account_id).where(
            ca.c.firm_id == FIRM, ca.c.circle_id.in_(_ids_of(circles, "circle_uuids"))
        )
        c.append(_linked(ta, ta.c.account_id.in_(members)))
    if "group_uuids" in f:
        c.append(_linked(tg, tg.c.group_id.in_(_ids_of(groups, "group_uuids"))))
    if "due_before" in f:
        c.append(t.c.due_at < bindparam("due_before", type_=DateTime(timezone=True)))
    if "due_after" in f:
        c.append(t.c.due_at >= bindparam("due_after", type_=DateTime(timezone=True)))
    if "has_due_date=true" in f:
        c.append(t.c.due_at.isnot(None))
    if "has_due_date=false" in f:
        c.append(t.c.due_at.is_(None))
    c.extend(_status_conditions(f, as_array=mine))
    if "subtask_visibility=exclude" in f:
        c.append(t.c.parent_id.is_(None))
    elif "subtask_visibility=only" in f:
        c.append(t.c.parent_id.isnot(None))
    return c


@functools.lru_cache(maxsize=256)
def _page_query(
    reach: str, filters: frozenset[str], mine: bool, sort: str, descending: bool
) -> Query:
    """One row: the total and the page's ids (an empty array past the end, the total
    still right). The viewer's own assigned tasks are few, so they are found once and
    counted and paged from there; other lists count and page apart, each with the plan
    that suits it (an index in sort order can then stop after one page)."""
    conditions = _conditions(reach, filters, mine)
    column = SORTS[sort]
    nullable = bool(column.nullable)
    limit, offset = bindparam("limit", type_=BigInteger), bindparam("offset", type_=BigInteger)
    if mine:
        matched = (
            select(t.c.id, column.label("sort_key"))
            .where(*conditions)
            .cte("matched")
            .prefix_with("MATERIALIZED")
        )
        total: Any = select(func.count()).select_from(matched)
        page = (
            select(matched.c.id)
            .order_by(*list_order(matched.c.sort_key, matched.c.id, nullable, descending))
            .limit(limit)
            .offset(offset)
        )
    else:
        total = select(func.count()).select_from(t).where(*conditions)
        page = (
            select(t.c.id)
            .where(*conditions)
            .order_by(*list_order(column, t.c.id, nullable, descending))
            .limit(limit)
            .offset(offset)
        )
    ids = func.array(page.scalar_subquery(), type_=ARRAY(BigInteger))
    return Query(select(total.scalar_subquery().label("total"), ids.label("ids")))


class TaskRepository(FirmRepository):
    async def find(self, task_uuid: uuid.UUID, principal: Principal) -> Record | None:
        query = _find_query(principal.reach)
        return await self.fetch_row(query, uuid=task_uuid, **principal.viewer())

    async def references(
        self,
        principal: Principal,
        kind: str | None,
        values: dict[str, Any],
        lock_status: bool,
    ) -> Record:
        """What the body refers to, in one round trip (see `_references_query`): values
        holds taskable_uuid, status_uuid, parent_uuid, account_uuids, group_uuids and
        with_fields."""
        query = _references_query(principal.reach, kind or "client", lock_status)
        row = await self.fetch_row(query, **values, **principal.viewer())
        assert row is not None
        return row

    async def in_subtree(self, root_id: int, candidate_id: int) -> bool:
        """Whether candidate is root itself or one of its descendants."""
        found = await self.fetch_value(IN_SUBTREE, root_id=root_id, candidate_id=candidate_id)
        return found is True

    async def append_position(self, status_id: int) -> int:
        """The end of a status column. The status row lock serialises concurrent appends,
        and is taken in its own statement so the max is read after the lock is granted."""
        await self.fetch(LOCK_STATUS, status_id=status_id)
        return int(await self.fetch_value(NEXT_POSITION, status_id=status_id))

    async def create(
        self,
        columns: dict[str, Any],
        account_ids: list[int],
        group_ids: list[int],
        custom_values: dict[int, Any],
    ) -> int:
        """Insert a task (its status row already locked by `references`) with its links."""
        unknown = set(columns) - set(CREATE_COLUMNS)
        assert not unknown, unknown
        params = {c: columns.get(c) for c in CREATE_COLUMNS}
        return int(
            await self.fetch_value(
                CREATE,
                **params,
                account_ids=account_ids,
                group_ids=group_ids,
                field_ids=list(custom_values),
                field_values=[orjson.dumps(v).decode() for v in custom_values.values()],
            )
        )

    async def update(self, task_id: int, values: dict[str, Any]) -> None:
        query = (
            update(t)
            .where(self.scoped(t), t.c.id == task_id)
            .values(**values, updated_at=func.now())
        )
        await self.execute(query)

    async def replace_assignees(self, task_id: int, account_ids: list[int]) -> None:
        await self.replace_links(ta, "task_id", task_id, "account_id", account_ids)

    async def replace_groups(self, task_id: int, group_ids: list[int]) -> None:
        await self.replace_links(tg, "task_id", task_id, "group_id", group_ids)

    async def set_custom_values(self, task_id: int, values: dict[int, Any]) -> None:
        """Set the given fields' values; None removes a value."""
        cleared = [field_id for field_id, value in values.items() if value is None]
        if cleared:
            await self.execute(
                delete(tv).where(
                    self.scoped(tv), tv.c.task_id == task_id, tv.c.custom_field_id.in_(cleared)
                )
            )
        rows = [
            {
                "firm_id": self.firm_id,
                "task_id": task_id,
                "custom_field_id": field_id,
                "value": value,
            }
            for field_id, value in values.items()
            if value is not None
        ]
        if rows:
            upsert = pg_insert(tv).values(rows)
            await self.execute(
                upsert.on_conflict_do_update(
                    index_elements=[tv.c.firm_id, tv.c.task_id, tv.c.custom_field_id],
                    set_={"value": upsert.excluded.value},
                )
            )

    async def rendered_rows(self, ids: list[int]) -> dict[int, Record]:
        """Everything `tasks.rendering` shows of these tasks, by id (see `RENDER`)."""
        if not ids:
            return {}
        return {row["id"]: row for row in await self.fetch(RENDER, ids=ids)}

    async def visible_ids(self, ids: Iterable[int], principal: Principal) -> set[int]:
        wanted = list(ids)
        if not wanted:
            return set()
        query = _visible_ids_query(principal.reach)
        rows = await self.fetch(query, ids=wanted, **principal.viewer())
        return {int(r["id"]) for r in rows}

    async def subtask_ids(self, parent_ids: list[int], principal: Principal) -> list[Record]:
        query = _subtasks_query(principal.reach)
        return await self.fetch(query, ids=parent_ids, **principal.viewer())

    async def page(
        self, query: ListQuery, principal: Principal, zone: Any
    ) -> tuple[list[int], int]:
        f = query.filters
        params = _filter_params(f, zone)
        names = {name for name in f if name not in CHOICES}
        names |= {f"{name}={str(f[name]).lower()}" for name in CHOICES if name in f}
        names.add(f"subtask_visibility={f.get('subtask_visibility', 'exclude')}")
        statement = _page_query(
            principal.reach, frozenset(names), _mine(f, principal), query.sort, query.descending
        )
        row = await self.fetch_row(
            statement,
            **params,
            **principal.viewer(),
            limit=query.per_page,
            offset=query.offset,
        )
        assert row is not None
        return [int(i) for i in row["ids"]], int(row["total"])

    async def delete(self, task_id: int) -> None:
        await self.fetch(DELETE, task_id=task_id)


def _mine(f: dict[str, Any], principal: Principal) -> bool:
    """Whether the list is of the viewer's own assigned tasks: the assignee filter names
    the viewer and no one else. (Another single account's tasks are as few, but the
    planner learns that account only as the statement runs and plans for an average
    one: those lists take the general path.)"""
    named = {str(u) for u in f.get("assigned_to_uuids") or ()}
    return named == {principal.account_uuid}


def _filter_params(f: dict[str, Any], zone: Any) -> dict[str, Any]:
    """The parameter values of the list filters given (see `_conditions`)."""

    def start(day: dt.date) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, tzinfo=zone)

    params: dict[str, Any] = {}
    if "name" in f:
        params["name"] = like_pattern(f["name"])
    for name in ("taskable_type", "taskable_uuid", "client_uuid", "assigned_to_uuids"):
        if name in f:
            params[name] = list(f[name])
    for name in ("circle_uuids", "status_uuid", "group_uuids"):
        if name in f:
            params[name] = list(f[name])
    if "priority" in f:
        params["priority"] = [PRIORITIES.index(p) + 1 for p in f["priority"]]
    if "due_before" in f:
        params["due_before"] = start(f["due_before"])
    if "due_after" in f:
        params["due_after"] = start(f["due_after"] + dt.timedelta(days=1))
    return params

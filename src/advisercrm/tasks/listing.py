"""SQL of GET /api/v1/task: one statement per list shape (reach, filters given, sort,
whether the list is the viewer's own tasks), compiled once, that returns the total and
the page's ids together (issue 4)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    DateTime,
    SmallInteger,
    String,
    and_,
    any_,
    bindparam,
    exists,
    func,
    not_,
    or_,
    select,
)

from advisercrm.auth.principal import VIEWER_ID, Principal, template
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.repository import ids_of, list_order
from advisercrm.kit.sql import FIRM, Query, like_pattern, uuids_param
from advisercrm.tables import (
    accounts,
    case_participants,
    cases,
    circle_accounts,
    circles,
    groups,
    plan_accounts,
    plans,
    task_assignees,
    task_groups,
    task_statuses,
    tasks,
)
from advisercrm.tasks.description import SORTS, TASKS, linked, visible, visible_ids
from advisercrm.tasks.schemas import PRIORITIES

t, ta, tg, st = tasks, task_assignees, task_groups, task_statuses
TASKABLE_COLUMN = {"client": t.c.client_id, "case": t.c.case_id, "plan": t.c.plan_id}
# List filters whose value is part of the statement's text (`open_tasks=true`).
CHOICES = (
    "completed_status",
    "archived_status",
    "not_started_status",
    "open_tasks",
    "has_due_date",
    "subtask_visibility",
)
# What each status filter asks of the status, when `=true`.
STATUS_FLAGS = {
    "completed_status": st.c.is_type_completed,
    "archived_status": st.c.is_archived,
    "not_started_status": st.c.is_not_started,
    "open_tasks": not_(or_(st.c.is_type_completed, st.c.is_archived)),
}
# The filters (as named in a statement's shape) that the assignee rows' copies of their
# task's status, due date and level answer, without tasks: see `_own_tasks`.
ON_ASSIGNEE_ROWS = frozenset(
    {"assigned_to_uuids", "status_uuid", "due_before", "due_after"}
    | {f"{name}={v}" for name in (*STATUS_FLAGS, "has_due_date") for v in ("true", "false")}
    | {f"subtask_visibility={v}" for v in ("exclude", "include", "only")}
)
DUE_BEFORE = bindparam("due_before", type_=DateTime(timezone=True))
DUE_AFTER = bindparam("due_after", type_=DateTime(timezone=True))


def _status_flag(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(st.c.firm_id == t.c.firm_id, st.c.id == t.c.status_id, condition)


def _status_ids_in(filters: frozenset[str], status_id: Any) -> list[ColumnElement[bool]]:
    """The status filters as one `status_id = ANY(ARRAY(the matching statuses))`, which
    an index led by (or holding next) status_id serves, one search per status (a firm
    has a handful)."""
    matching = [
        flag if f"{name}=true" in filters else not_(flag)
        for name, flag in STATUS_FLAGS.items()
        if f"{name}=true" in filters or f"{name}=false" in filters
    ]
    if "status_uuid" in filters:
        matching.append(st.c.uuid == any_(uuids_param("status_uuid")))
    if not matching:
        return []
    ids = select(st.c.id).where(st.c.firm_id == FIRM, *matching).scalar_subquery()
    return [status_id == any_(func.array(ids, type_=ARRAY(BigInteger)))]


def _status_conditions(filters: frozenset[str], as_array: bool) -> list[ColumnElement[bool]]:
    """The status filters (their values are in the names: `open_tasks=true`).

    `as_array`: see `_status_ids_in`. Only for one person's tasks: elsewhere a plan
    blind to how many tasks those statuses hold (a generic one, or one for a big firm's
    member) would take that index for lists better read in sort order, so the other
    lists test each task's status as they always did."""
    if as_array:
        return _status_ids_in(filters, t.c.status_id)
    c = []
    for name, flag in STATUS_FLAGS.items():
        if f"{name}=true" not in filters and f"{name}=false" not in filters:
            continue
        wanted = f"{name}=true" in filters
        if name == "open_tasks":  # "has no closed status": an anti-join
            closed = _status_flag(or_(st.c.is_type_completed, st.c.is_archived))
            c.append(not_(closed) if wanted else closed)
        else:
            c.append(_status_flag(flag) if wanted else not_(_status_flag(flag)))
    if "status_uuid" in filters:
        c.append(t.c.status_id.in_(ids_of(st, "status_uuid")))
    return c


def _due_conditions(filters: frozenset[str], due_at: Any) -> list[ColumnElement[bool]]:
    c = []
    if "due_before" in filters:
        c.append(due_at < DUE_BEFORE)
    if "due_after" in filters:
        c.append(due_at >= DUE_AFTER)
    if "has_due_date=true" in filters:
        c.append(due_at.isnot(None))
    if "has_due_date=false" in filters:
        c.append(due_at.is_(None))
    return c


def _about_clients() -> ColumnElement[bool]:
    """Tasks on the client, or on a case or plan the client takes part in."""
    cp, pa = case_participants, plan_accounts
    client_ids = ids_of(accounts, "client_uuid")
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
    name = bindparam("name", type_=String)
    if "name" in f:  # ILIKE: the trigram index (when the database has it) serves it
        c.append(t.c.name.ilike(name, escape="/"))
    if "name=short" in f:  # see `_short`: a form that index does not serve
        c.append(func.lower(t.c.name).like(func.lower(name), escape="/"))
    if "taskable_type" in f:
        c.append(t.c.taskable_type == any_(bindparam("taskable_type", type_=ARRAY(String))))
    if "taskable_uuid" in f:
        tables = (("client", accounts), ("case", cases), ("plan", plans))
        c.append(or_(*(TASKABLE_COLUMN[k].in_(ids_of(tbl, "taskable_uuid")) for k, tbl in tables)))
    if "client_uuid" in f:
        c.append(_about_clients())
    if "priority" in f:
        c.append(t.c.priority == any_(bindparam("priority", type_=ARRAY(SmallInteger))))
    if mine:
        c.append(linked(ta, ta.c.account_id == VIEWER_ID))
    elif "assigned_to_uuids" in f:
        c.append(linked(ta, ta.c.account_id.in_(ids_of(accounts, "assigned_to_uuids"))))
    if "circle_uuids" in f:
        ca = circle_accounts
        members = select(ca.c.account_id).where(
            ca.c.firm_id == FIRM, ca.c.circle_id.in_(ids_of(circles, "circle_uuids"))
        )
        c.append(linked(ta, ta.c.account_id.in_(members)))
    if "group_uuids" in f:
        c.append(linked(tg, tg.c.group_id.in_(ids_of(groups, "group_uuids"))))
    c.extend(_due_conditions(f, t.c.due_at))
    c.extend(_status_conditions(f, as_array=mine))
    if "subtask_visibility=exclude" in f:
        c.append(t.c.parent_id.is_(None))
    elif "subtask_visibility=only" in f:
        c.append(t.c.parent_id.isnot(None))
    return c


def _on_assignee_rows(reach: str, filters: frozenset[str], sort: str) -> bool:
    """Whether the viewer's own tasks can be listed from their assignee rows alone: every
    filter and the sort are on the task's status, due date or level, which those rows
    copy, and visibility needs no more (a manager sees every task; a member every task
    assigned to them; a client only those on their own record, a tasks column)."""
    return reach in ("firm", "member") and sort == "due_at" and filters <= ON_ASSIGNEE_ROWS


def _own_tasks(filters: frozenset[str]) -> Any:
    """The viewer's own tasks from task_assignees alone, with the task's due date. The
    default list's (top-level tasks, open, due before a date) is one range per open
    status of the index (firm_id, account_id, status_id, due_at, task_id) WHERE
    top_level, read index-only: see migration 0006."""
    c: list[ColumnElement[bool]] = [ta.c.firm_id == FIRM, ta.c.account_id == VIEWER_ID]
    c.extend(_due_conditions(filters, ta.c.due_at))
    c.extend(_status_ids_in(filters, ta.c.status_id))
    if "subtask_visibility=exclude" in filters:
        c.append(ta.c.top_level)
    elif "subtask_visibility=only" in filters:
        c.append(not_(ta.c.top_level))
    return select(ta.c.task_id.label("id"), ta.c.due_at.label("sort_key")).where(and_(*c))


def _member_total(reach: str, filters: frozenset[str]) -> Any:
    """A member's count of a list filtered by level alone (their default list: top-level
    tasks), from their side (`visible_ids`); None for other lists. The page itself still
    walks the sort's index, testing each task, and stops after one page."""
    levels = {f"subtask_visibility={v}": v for v in ("exclude", "include", "only")}
    if reach != "member" or len(filters) != 1 or not filters <= levels.keys():
        return None
    top_level = {"exclude": True, "only": False, "include": None}[levels[next(iter(filters))]]
    found = visible_ids(template(reach), top_level).subquery()
    return select(func.count()).select_from(found)


@functools.lru_cache(maxsize=256)
def _page_query(
    reach: str, filters: frozenset[str], mine: bool, sort: str, descending: bool
) -> Query:
    """The page's tasks as `TASKS.load` gives them, each row with the total (one row of
    nulls but the total past the end): one statement. The viewer's own assigned tasks
    are few, so they are found once and counted and paged from there (from their
    assignee rows alone when those answer the list); so are the tasks a name search
    finds, each of which costs a recheck of its row (through the trigram index) or the
    whole firm is read (short text): once, not once to count and once more to page.
    Other lists count and page apart, each with the plan that suits it (an index in
    sort order can then stop after one page)."""
    column = SORTS[sort]
    nullable = bool(getattr(column, "nullable", False))
    limit, offset = bindparam("limit", type_=BigInteger), bindparam("offset", type_=BigInteger)
    if mine or filters & {"name", "name=short"}:
        if mine and _on_assignee_rows(reach, filters, sort):
            found = _own_tasks(filters)
        else:
            conditions = _conditions(reach, filters, mine)
            found = select(t.c.id, column.label("sort_key")).where(*conditions)
        matched = found.cte("matched").prefix_with("MATERIALIZED")
        total: Any = select(func.count()).select_from(matched)
        page = (
            select(matched.c.id)
            .order_by(*list_order(matched.c.sort_key, matched.c.id, nullable, descending))
            .limit(limit)
            .offset(offset)
        )
    else:
        conditions = _conditions(reach, filters, mine)
        total = _member_total(reach, filters)
        if total is None:
            total = select(func.count()).select_from(t).where(*conditions)
        page = (
            select(t.c.id)
            .where(*conditions)
            .order_by(*list_order(column, t.c.id, nullable, descending))
            .limit(limit)
            .offset(offset)
        )
    ids = func.array(page.scalar_subquery(), type_=ARRAY(BigInteger))
    found = select(total.scalar_subquery().label("total"), ids.label("ids"))
    return TASKS.with_rows(found, template(reach))


def statement(query: ListQuery, principal: Principal, zone: Any) -> tuple[Query, dict[str, Any]]:
    """The list's statement (`TASKS.with_rows`) and its parameters."""
    f = query.filters
    names = {name for name in f if name not in CHOICES}
    if "name" in f and _short(f["name"]):
        names.discard("name")
        names.add("name=short")
    names |= {f"{name}={str(f[name]).lower()}" for name in CHOICES if name in f}
    # Plannr's older `show_child_tasks` says the same as `subtask_visibility`, which wins.
    children = "include" if f.get("show_child_tasks") else "exclude"
    names.discard("show_child_tasks")
    names.add(f"subtask_visibility={f.get('subtask_visibility', children)}")
    compiled = _page_query(
        principal.reach, frozenset(names), _mine(f, principal), query.sort, query.descending
    )
    return compiled, _filter_params(f, zone)


def _short(text: str) -> bool:
    """Whether the name filter's text has no three letters or digits in a row: no
    trigram the index could look up. Through the index such text would read every entry
    of every firm (with firm_id in the index too: the firm narrows the search only for a
    key on the same column); its lists read the firm's tasks instead, as they did before
    the index, through a form of the test the index does not serve."""
    return _TRIGRAM.search(text) is None


_TRIGRAM = re.compile(r"[^\W_]{3}")


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
        # "After the last day there is": no due date reaches it (due dates stop at the
        # year 9000), so that day's own start is as good a bound as the next day's.
        day = f["due_after"]
        params["due_after"] = start(day + dt.timedelta(days=1) if day < dt.date.max else day)
    return params

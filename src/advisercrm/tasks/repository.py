"""SQL for tasks, their assignees, groups and custom-field values.

The statements of the busy requests (create, show, render; lists are in
`tasks.listing`) are `kit.sql.Query` objects, compiled once (issue 4): per visibility
reach, taskable kind or list shape where the SQL differs, with every value a parameter
and every list one array parameter.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any

import orjson
from asyncpg import Record
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Text,
    Uuid,
    and_,
    any_,
    bindparam,
    cast,
    delete,
    exists,
    func,
    insert,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by
from sqlalchemy.dialects.postgresql import insert as pg_insert

from advisercrm.accounts.repository import visible as account_visible
from advisercrm.auth.principal import Principal, template
from advisercrm.cases.description import visible as case_visible
from advisercrm.kit.repository import FirmRepository
from advisercrm.kit.sql import FIRM, Query, ids_param, uuids_param
from advisercrm.plans.description import visible as plan_visible
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
from advisercrm.tasks.description import Source, loaded_columns, visible

t, ta, tg, tv, st = tasks, task_assignees, task_groups, task_custom_values, task_statuses
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
# What a task's link rows copy from it (tables.py): the assignee rows its status, due
# date and level, the group rows its level.
ASSIGNEE_COPIES = ("status_id", "due_at", "top_level")
GROUP_COPIES = ("top_level",)


# --- Single tasks, by UUID or id ------------------------------------------------------


@functools.cache
def _subtasks_query(reach: str) -> Query:
    """The visible subtasks of the tasks with the UUIDs `uuids`, in board order."""
    parents = select(t.c.id).where(t.c.firm_id == FIRM, t.c.uuid == any_(uuids_param("uuids")))
    return Query(
        select(t.c.id, t.c.parent_id)
        .where(t.c.firm_id == FIRM, t.c.parent_id.in_(parents), visible(template(reach)))
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
LAST_POSITION = Query(
    select(func.coalesce(func.max(t.c.position), 0)).where(
        t.c.firm_id == FIRM, t.c.status_id == bindparam("status_id")
    )
)
NEXT_POSITION = Query(
    select(func.coalesce(func.max(t.c.position), 0) + 1).where(
        t.c.firm_id == FIRM, t.c.status_id == bindparam("status_id")
    )
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


def _copied(task: Any, names: tuple[str, ...]) -> list[Any]:
    """The task's columns a link row copies (`top_level`: whether it has no parent)."""
    return [task.c.parent_id.is_(None) if n == "top_level" else task.c[n] for n in names]


def _linked(table: Any, ids: str, copies: tuple[str, ...], task: Any, *where: Any) -> Any:
    """An insert of the task's rows of a link table, one per id of the `ids` parameter,
    with what they copy of the task (`task`: tasks, or the CTE that inserts one)."""
    target = next(c.name for c in table.primary_key if c.name not in ("firm_id", "task_id"))
    copied = _copied(task, copies)
    rows = select(FIRM, task.c.id, func.unnest(ids_param(ids)), *copied).where(*where)
    return insert(table).from_select(["firm_id", "task_id", target, *copies], rows)


@functools.cache
def _create_query(reach: str) -> Query:
    """Insert the task at the end of its status column and its assignees, groups and
    custom values, through data-modifying CTEs that read the new id from the first, and
    return the task as `TASKS.load` gives it to a viewer of this reach (`loaded_columns`): read
    from the rows the CTEs return, as this statement's reads of the tables do not see
    them.

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
        .returning(*t.c)
        .cte("new_task")
    )
    # The link rows carry what they copy of the task (see tables.py), taken from the row
    # the first CTE returns.
    assignees = _linked(ta, "account_ids", ASSIGNEE_COPIES, new)
    linked_groups = _linked(tg, "group_ids", GROUP_COPIES, new)
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
    links = (
        assignees.returning(*ta.c).cte("new_assignees"),
        linked_groups.returning(*tg.c).cte("new_groups"),
        custom.returning(*tv.c).cte("new_values"),
    )
    columns = loaded_columns(template(reach), Source(new, *links))
    return Query(select(*columns).add_cte(*links))


def _replace_queries(table: Any, ids: str, copies: tuple[str, ...]) -> tuple[Query, Query]:
    """Drop a task's rows of a link table, then add the new ones with what they copy of
    the task read from tasks (the task's own update, earlier in the transaction, already
    applied)."""
    task_id = bindparam("task_id", type_=BigInteger)
    drop = delete(table).where(table.c.firm_id == FIRM, table.c.task_id == task_id)
    add = _linked(table, ids, copies, t, t.c.firm_id == FIRM, t.c.id == task_id)
    return Query(drop), Query(add)


DROP_ASSIGNEES, ADD_ASSIGNEES = _replace_queries(ta, "account_ids", ASSIGNEE_COPIES)
DROP_GROUPS, ADD_GROUPS = _replace_queries(tg, "group_ids", GROUP_COPIES)


class TaskRepository(FirmRepository):
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

    async def place(
        self, task_id: int, status_id: int, old: int, wanted: int
    ) -> tuple[int, list[int]]:
        """Move a task from `old` to `wanted` in its status column (past the last task:
        last), as a status moves among statuses: the tasks between shift one place
        towards where it was. The status row lock serialises it with appends. Returns its
        new position and the ids of the tasks shifted."""
        await self.fetch(LOCK_STATUS, status_id=status_id)
        last = int(await self.fetch_value(LAST_POSITION, status_id=status_id))
        new = min(wanted, max(old, last))
        if new == old:
            return old, []
        p = t.c.position
        between = (p >= new, p < old) if new < old else (p > old, p <= new)
        shifted = p + 1 if new < old else p - 1
        others = (t.c.status_id == status_id, t.c.id != task_id, *between)
        statement = update(t).where(self.scoped(t), *others).values(position=shifted)
        moved = await self.all(statement.returning(t.c.id))
        return new, [int(row["id"]) for row in moved]

    async def create(
        self,
        principal: Principal,
        columns: dict[str, Any],
        account_ids: list[int],
        group_ids: list[int],
        custom_values: dict[int, Any],
    ) -> Record:
        """Insert a task (its status row already locked by `references`) with its links,
        and return it as `TASKS.load` gives it to the principal (but `visible`)."""
        unknown = set(columns) - set(CREATE_COLUMNS)
        assert not unknown, unknown
        params = {c: columns.get(c) for c in CREATE_COLUMNS}
        row = await self.fetch_row(
            _create_query(principal.reach),
            **params,
            account_ids=account_ids,
            group_ids=group_ids,
            field_ids=list(custom_values),
            field_values=[orjson.dumps(v).decode() for v in custom_values.values()],
            **principal.viewer(),
        )
        assert row is not None
        return row

    async def update(self, task_id: int, values: dict[str, Any]) -> None:
        query = (
            update(t)
            .where(self.scoped(t), t.c.id == task_id)
            .values(**values, updated_at=func.now())
        )
        await self.execute(query)

    async def replace_assignees(self, task_id: int, account_ids: list[int]) -> None:
        await self.fetch(DROP_ASSIGNEES, task_id=task_id)
        if account_ids:
            await self.fetch(ADD_ASSIGNEES, task_id=task_id, account_ids=account_ids)

    async def replace_groups(self, task_id: int, group_ids: list[int]) -> None:
        await self.fetch(DROP_GROUPS, task_id=task_id)
        if group_ids:
            await self.fetch(ADD_GROUPS, task_id=task_id, group_ids=group_ids)

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

    async def subtask_ids(self, parents: list[uuid.UUID], principal: Principal) -> list[Record]:
        query = _subtasks_query(principal.reach)
        return await self.fetch(query, uuids=parents, **principal.viewer())

"""SQL for tasks, their assignees, groups and custom-field values."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    delete,
    exists,
    false,
    func,
    insert,
    literal,
    not_,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import RowMapping

from advisercrm.auth.principal import Principal
from advisercrm.auth.visibility import member_group_ids
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.repository import FirmRepository
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


def _status_flag(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(st.c.firm_id == t.c.firm_id, st.c.id == t.c.status_id, condition)


class TaskRepository(FirmRepository):
    def _ids_of(self, table: Any, uuids: list[uuid.UUID]) -> Any:
        return select(table.c.id).where(self.scoped(table), table.c.uuid.in_(uuids))

    async def find(self, task_uuid: uuid.UUID, principal: Principal) -> RowMapping | None:
        query = select(t).where(self.scoped(t), t.c.uuid == task_uuid, visible(principal))
        return await self.first(query)

    async def resolve(
        self, uuids: Iterable[uuid.UUID], principal: Principal
    ) -> dict[uuid.UUID, RowMapping]:
        wanted = list(set(uuids))
        if not wanted:
            return {}
        query = select(t.c.id, t.c.uuid).where(
            self.scoped(t), t.c.uuid.in_(wanted), visible(principal)
        )
        return {row["uuid"]: row for row in await self.all(query)}

    async def in_subtree(self, root_id: int, candidate_id: int) -> bool:
        """Whether candidate is root itself or one of its descendants."""
        tree = select(t.c.id).where(self.scoped(t), t.c.id == root_id).cte("tree", recursive=True)
        child = t.alias("child")
        tree = tree.union_all(
            select(child.c.id).where(
                child.c.firm_id == self.firm_id, child.c.parent_id == tree.c.id
            )
        )
        return await self.scalar(select(exists().where(tree.c.id == candidate_id))) is True

    async def append_position(self, status_id: int) -> int:
        """The end of a status column. The status row lock serialises concurrent appends,
        and is taken in its own statement so the max is read after the lock is granted."""
        await self.execute(
            select(st.c.id).where(self.scoped(st), st.c.id == status_id).with_for_update()
        )
        query = select(func.coalesce(func.max(t.c.position), 0) + 1).where(
            self.scoped(t), t.c.status_id == status_id
        )
        return int(await self.scalar(query))

    async def insert(self, values: dict[str, Any]) -> int:
        return int(
            await self.scalar(insert(t).values(firm_id=self.firm_id, **values).returning(t.c.id))
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

    async def rows(self, ids: list[int]) -> dict[int, RowMapping]:
        parent = t.alias("parent")
        query = (
            select(t, parent.c.uuid.label("parent_uuid"))
            .select_from(
                t.outerjoin(
                    parent, and_(parent.c.firm_id == t.c.firm_id, parent.c.id == t.c.parent_id)
                )
            )
            .where(self.scoped(t), t.c.id.in_(ids))
        )
        return {row["id"]: row for row in await self.all(query)}

    async def links(self, ids: list[int]) -> list[RowMapping]:
        """Assignees, groups and custom values of many tasks in one round trip."""
        g = groups
        return await self.all(
            union_all(
                select(
                    literal("assignee").label("kind"),
                    ta.c.task_id,
                    ta.c.account_id.label("ref"),
                    literal(None).label("value"),
                ).where(self.scoped(ta), ta.c.task_id.in_(ids)),
                select(literal("group"), tg.c.task_id, tg.c.group_id, func.to_jsonb(g.c.uuid))
                .join(g, and_(g.c.firm_id == tg.c.firm_id, g.c.id == tg.c.group_id))
                .where(self.scoped(tg), tg.c.task_id.in_(ids)),
                select(literal("custom"), tv.c.task_id, tv.c.custom_field_id, tv.c.value).where(
                    self.scoped(tv), tv.c.task_id.in_(ids)
                ),
            )
        )

    async def visible_ids(self, ids: Iterable[int], principal: Principal) -> set[int]:
        wanted = list(ids)
        if not wanted:
            return set()
        query = select(t.c.id).where(self.scoped(t), t.c.id.in_(wanted), visible(principal))
        return {int(r["id"]) for r in await self.all(query)}

    async def subtask_ids(self, parent_ids: list[int], principal: Principal) -> list[RowMapping]:
        query = (
            select(t.c.id, t.c.parent_id)
            .where(self.scoped(t), t.c.parent_id.in_(parent_ids), visible(principal))
            .order_by(t.c.position, t.c.id)
        )
        return await self.all(query)

    async def page(
        self, query: ListQuery, principal: Principal, zone: Any
    ) -> tuple[list[int], int]:
        conditions = [self.scoped(t), visible(principal), *self._filters(query.filters, zone)]
        return await self.page_ids(t, conditions, SORTS[query.sort], query)

    def _filters(self, f: dict[str, Any], zone: Any) -> list[ColumnElement[bool]]:
        c: list[ColumnElement[bool]] = []
        if "name" in f:
            c.append(t.c.name.icontains(f["name"], autoescape=True))
        if "taskable_type" in f:
            c.append(t.c.taskable_type.in_(f["taskable_type"]))
        if "taskable_uuid" in f:
            c.append(
                or_(
                    *(
                        TASKABLE_COLUMN[k].in_(self._ids_of(tbl, f["taskable_uuid"]))
                        for k, tbl in (("client", accounts), ("case", cases), ("plan", plans))
                    )
                )
            )
        if "client_uuid" in f:
            c.append(self._about_clients(self._ids_of(accounts, f["client_uuid"])))
        if "priority" in f:
            c.append(t.c.priority.in_([PRIORITIES.index(p) + 1 for p in f["priority"]]))
        if "assigned_to_uuids" in f:
            c.append(
                _linked(ta, ta.c.account_id.in_(self._ids_of(accounts, f["assigned_to_uuids"])))
            )
        if "circle_uuids" in f:
            members = select(circle_accounts.c.account_id).where(
                self.scoped(circle_accounts),
                circle_accounts.c.circle_id.in_(self._ids_of(circles, f["circle_uuids"])),
            )
            c.append(_linked(ta, ta.c.account_id.in_(members)))
        if "status_uuid" in f:
            c.append(t.c.status_id.in_(self._ids_of(st, f["status_uuid"])))
        if "group_uuids" in f:
            c.append(_linked(tg, tg.c.group_id.in_(self._ids_of(groups, f["group_uuids"]))))
        c.extend(self._date_filters(f, zone))
        c.extend(self._status_filters(f))
        return c

    def _about_clients(self, client_ids: Any) -> ColumnElement[bool]:
        """Tasks on the client, or on a case or plan the client takes part in."""
        cp, pa = case_participants, plan_accounts
        return or_(
            t.c.client_id.in_(client_ids),
            t.c.case_id.in_(
                select(cp.c.case_id).where(self.scoped(cp), cp.c.account_id.in_(client_ids))
            ),
            t.c.plan_id.in_(
                select(pa.c.plan_id).where(self.scoped(pa), pa.c.account_id.in_(client_ids))
            ),
        )

    @staticmethod
    def _date_filters(f: dict[str, Any], zone: Any) -> list[ColumnElement[bool]]:
        def start(day: dt.date) -> dt.datetime:
            return dt.datetime(day.year, day.month, day.day, tzinfo=zone)

        c: list[ColumnElement[bool]] = []
        if "due_before" in f:
            c.append(t.c.due_at < start(f["due_before"]))
        if "due_after" in f:
            c.append(t.c.due_at >= start(f["due_after"] + dt.timedelta(days=1)))
        if "has_due_date" in f:
            c.append(t.c.due_at.isnot(None) if f["has_due_date"] else t.c.due_at.is_(None))
        return c

    @staticmethod
    def _status_filters(f: dict[str, Any]) -> list[ColumnElement[bool]]:
        c: list[ColumnElement[bool]] = []
        flags = {
            "completed_status": st.c.is_type_completed,
            "archived_status": st.c.is_archived,
            "not_started_status": st.c.is_not_started,
        }
        for name, column in flags.items():
            if name in f:
                c.append(_status_flag(column) if f[name] else not_(_status_flag(column)))
        if "open_tasks" in f:
            closed = _status_flag(or_(st.c.is_type_completed, st.c.is_archived))
            c.append(not_(closed) if f["open_tasks"] else closed)
        visibility = f.get("subtask_visibility", "exclude")
        if visibility == "exclude":
            c.append(t.c.parent_id.is_(None))
        elif visibility == "only":
            c.append(t.c.parent_id.isnot(None))
        return c

    async def delete(self, task_id: int) -> None:
        await self.execute(delete(t).where(self.scoped(t), t.c.id == task_id))

"""A page of loaded tasks as the task resource (the rows `TASKS.load` gives, or a
create's statement through `description.loaded_columns`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from asyncpg import Record

from advisercrm.accounts.schemas import compact
from advisercrm.cases.description import CASE_LINKS, case_row
from advisercrm.cases.schemas import case
from advisercrm.kit.render import Ctx, timestamp
from advisercrm.plans.schemas import plan
from advisercrm.resource.description import Row
from advisercrm.task_statuses.schemas import task_status
from advisercrm.tasks import schemas


def person(row: Record | Mapping[str, Any] | None, ctx: Ctx) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        **compact(dict(row), ctx),
        "created_at": timestamp(row["created_at"], ctx),
        "updated_at": timestamp(row["updated_at"], ctx),
    }


class _Once:
    """Statuses and people recur across a page's tasks (three statuses, a few authors and
    assignees): each is rendered once per page and the result shared, as nothing changes
    a rendered task's parts afterwards."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.statuses: dict[int, dict[str, Any]] = {}
        self.people: dict[int, dict[str, Any] | None] = {}

    def status(self, row: Record) -> dict[str, Any]:
        shown = self.statuses.get(row["id"])
        if shown is None:
            shown = self.statuses[row["id"]] = task_status(dict(row), self.ctx)
        return shown

    def person(self, row: Record | None) -> dict[str, Any] | None:
        if row is None:
            return None
        if row["id"] not in self.people:
            self.people[row["id"]] = person(row, self.ctx)
        return self.people[row["id"]]


def _taskable(row: Row, ctx: Ctx) -> Any:
    """The taskable resource: plans and cases come with the task's row, clients nested;
    None when the viewer may not open it."""
    kind = row["taskable_type"]
    if kind == "client":
        return row["client"][0] if row["client"] else None
    if kind == "plan":
        if row["plan"] is None:  # not one the viewer may open
            return None
        return plan({**dict(row["plan"]), "accounts": row["plan_accounts"]}, ctx)
    if row["case"] is None:
        return None
    links = {name: row[f"case_{name}"] for name in CASE_LINKS}
    return case(case_row({**dict(row["case"]), **links}), ctx)


def _custom_fields(row: Row, ctx: Ctx) -> list[dict[str, Any]]:
    """The task's custom values in their fields' order (position, then creation)."""
    fields = sorted(row["fields"] or [], key=lambda field: (field["position"], field["id"]))
    values = dict(row["custom_values"] or [])
    return [schemas.custom_value(dict(field), values[field["id"]], ctx) for field in fields]


def render_page(rows: Sequence[Row], ctx: Ctx) -> list[dict[str, Any]]:
    """Loaded tasks (`TASKS.load`, their client taskable nested) as the task resource."""
    once, rendered = _Once(ctx), []
    for row in rows:
        # By name, then creation: the links come back in no particular order.
        assignees = sorted(row["assignees"] or [], key=lambda a: (a["name"], a["id"]))
        related = {
            "status": once.status(row["status"]),
            "taskable": _taskable(row, ctx),
            "author": once.person(row["author"]),
            "assigned_to": [once.person(a) for a in assignees],
            "completed_by": once.person(row["completed_by"]),
            "custom_fields": _custom_fields(row, ctx),
            "group_uuids": sorted(str(u) for u in row["group_uuids"] or []),
        }
        rendered.append(schemas.task(dict(row), related, ctx))
    return rendered

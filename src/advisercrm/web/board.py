"""The task board: one column per task status of the firm, in the firm's order, holding
the tasks the acting account may see (open ones unless asked otherwise), filtered by
assignee, group and due date. A card moves to another column or place through the
service the API's task update uses, so its position (the end of the new column, or the
place asked for), its completion and the webhook events it records are the API's own.
Forms on each card move it without JavaScript (another column; up or down one place);
board.js sends the same move form when a card is dropped, with the place it was dropped
at."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import TypeAdapter

from advisercrm.groups.description import GROUPS
from advisercrm.kit import transactions
from advisercrm.kit.body import ALL_RULES
from advisercrm.kit.errors import Forbidden, ValidationFailed
from advisercrm.kit.fields import UUID_RE
from advisercrm.kit.listing import MAX_PER_PAGE, InvalidValue, ListQuery
from advisercrm.resource import service as resource_service
from advisercrm.task_statuses.description import TASK_STATUSES
from advisercrm.tasks import service as tasks_service
from advisercrm.tasks.description import TASKS
from advisercrm.tasks.router import LIST_SPEC
from advisercrm.tasks.schemas import TaskUpdate
from advisercrm.web import forms
from advisercrm.web.guard import Acting, ActingAs, WebConn, record
from advisercrm.web.templating import local_path, not_found, page, redirect

router = APIRouter(include_in_schema=False)
# The API's largest page: a board holds at most this many cards, and says so when more
# tasks match.
MOST = MAX_PER_PAGE
# A move's body read as the API reads a PUT body: shape errors kept for the service.
_MOVE = TypeAdapter(Annotated[TaskUpdate, ALL_RULES])
FLAG = ("", "1")


@dataclass
class Filters:
    """The board's filters as the query string gives them (`shown`, for the form and
    for links back), what they ask of the task list, and why any is unusable."""

    shown: dict[str, str]
    asked: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def query(self) -> str:
        given = {name: value for name, value in self.shown.items() if value}
        return "/board" + (f"?{urlencode(given)}" if given else "")


def _filters(params: Any, acting: Acting, groups: list[dict[str, Any]]) -> Filters:
    raw = {name: str(params.get(name, ""))[:255] for name in ("mine", "group", "due_before")}
    raw["closed"] = str(params.get("closed", ""))[:255]
    found = Filters(raw)
    if raw["mine"] not in FLAG:
        found.errors["mine"] = "Only my tasks must be ticked or not."
    elif raw["mine"]:
        found.asked["assigned_to_uuids"] = [uuid.UUID(acting.principal.account_uuid)]
    if raw["closed"] not in FLAG:
        found.errors["closed"] = "Include closed tasks must be ticked or not."
    elif not raw["closed"]:
        found.asked["open_tasks"] = True
    if raw["group"]:
        known = {g["uuid"] for g in groups}
        if not UUID_RE.match(raw["group"]) or str(uuid.UUID(raw["group"])) not in known:
            found.errors["group"] = "The group must be one of the groups listed."
        else:
            found.asked["group_uuids"] = [uuid.UUID(raw["group"])]
    if raw["due_before"]:
        try:
            found.asked["due_before"] = LIST_SPEC.filters["due_before"](raw["due_before"])
        except InvalidValue:
            found.errors["due_before"] = "The due before date must be a date (YYYY-MM-DD)."
    return found


def _of(sort: str, **filters: Any) -> ListQuery:
    return ListQuery(1, MOST, sort, False, filters)


async def _board(
    request: Request,
    acting: Acting,
    conn: WebConn,
    params: Any,
    problems: dict[str, str] | None = None,
) -> Response:
    """The board for the filters in `params`; `problems`: a failed move's message by
    task UUID, shown on its card (422)."""
    principal, ctx = acting.principal, acting.ctx
    statuses, _ = await resource_service.listing(
        conn, principal, TASK_STATUSES, _of("position"), ctx
    )
    groups, _ = await resource_service.listing(conn, principal, GROUPS, _of("name"), ctx)
    filters = _filters(params, acting, groups)
    tasks: list[dict[str, Any]] = []
    total = 0
    if not filters.errors:
        query = _of("position", **filters.asked)
        tasks, total = await tasks_service.list_tasks(conn, principal, query, ctx)
    columns: dict[str, list[dict[str, Any]]] = {status["uuid"]: [] for status in statuses}
    for task in tasks:
        columns.setdefault(task["status"]["uuid"], []).append(task)
    return page(
        request,
        "board.html",
        acting.session,
        status=422 if filters.errors or problems else 200,
        statuses=statuses,
        columns=columns,
        targets=[s for s in statuses if not s["is_archived"]],
        groups=groups,
        filters=filters,
        total=total,
        shown=len(tasks),
        problems=problems or {},
        may_move=principal.is_employee and principal.can_write,
    )


@router.get("/board")
async def board(request: Request, acting: ActingAs, conn: WebConn) -> Response:
    return await _board(request, acting, conn, request.query_params)


def _back(form: dict[str, str]) -> str:
    """The board the form was sent from (its filters), or the plain board."""
    back = local_path(form.get("back"), "/board")
    return back if urlsplit(back).path == "/board" else "/board"


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


@router.post("/board/tasks/{task_uuid}/move")
async def move(request: Request, task_uuid: str, acting: ActingAs, conn: WebConn) -> Response:
    """Move a task to the status the form names (and the place, with `position`), as
    PUT /api/v1/task/{uuid} with those fields would: 404 before 403 before 422, as the
    API answers."""
    form = await forms.form(request, acting)
    principal, json = acting.principal, _wants_json(request)
    row = await record(conn, acting, TASKS, task_uuid)
    if row is None:
        if json:
            return JSONResponse({"message": "Not found."}, status_code=404)
        return not_found(request, acting.session)
    if not await forms.may(principal):
        if json:
            return JSONResponse({"message": Forbidden.default_message}, status_code=403)
        return page(
            request,
            "message.html",
            acting.session,
            status=403,
            title="Not allowed",
            message=Forbidden.default_message,
        )
    back = _back(form)
    asked = {"task_status_uuid": form.get("task_status_uuid") or None}
    if form.get("position"):  # a place in the column (Up, Down, a drop between cards)
        asked["position"] = form["position"]
    body = _MOVE.validate_python(asked)
    ctx = acting.ctx
    try:
        async with transactions.savepoint(conn):
            moved = await tasks_service.update(conn, principal, row, body, ctx)
    except ValidationFailed as failed:
        message = " ".join(m for messages in failed.errors.values() for m in messages)
        if json:
            return JSONResponse({"message": message, "errors": failed.errors}, status_code=422)
        return await _board(request, acting, conn, _query_of(back), {str(row["uuid"]): message})
    if json:
        shown = {"uuid": moved["uuid"], "status": moved["status"], "position": moved["position"]}
        return JSONResponse(shown)
    return redirect(f"{back}#task-{moved['uuid']}")


def _query_of(path: str) -> dict[str, str]:
    """The filters of a board path (`_back`), the first value of each."""
    try:
        pairs = parse_qsl(urlsplit(path).query, keep_blank_values=True, max_num_fields=20)
    except ValueError:
        return {}
    found: dict[str, str] = {}
    for name, value in pairs:
        found.setdefault(name, value)
    return found

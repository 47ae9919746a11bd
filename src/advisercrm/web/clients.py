"""Clients: the list the acting account may see, searchable and paged, and a client's
page with its households, goals and open tasks. Every record comes from the services
the API answers with, under the same visibility rules."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from advisercrm.accounts.description import CLIENTS
from advisercrm.circles.description import CIRCLES
from advisercrm.goals.description import GOALS
from advisercrm.kit.listing import InvalidValue, ListQuery
from advisercrm.resource import service as resource_service
from advisercrm.tasks import service as tasks_service
from advisercrm.web.guard import ActingAs, WebConn, record
from advisercrm.web.templating import not_found, page, page_number

router = APIRouter(include_in_schema=False)
PER_PAGE = 25
# Enough for any one client's households, goals and open tasks on one page.
MOST = 100


def _search(raw: str) -> tuple[dict[str, Any], str]:
    """The list filter a search box's text asks for: an email when it holds an `@`, else
    a name (each as the API's `filter[email]` and `filter[name]` read it); and the error
    to show beside the box, if the text is unusable."""
    text = raw.strip()
    if not text:
        return {}, ""
    name = "email" if "@" in text else "name"
    try:
        return {name: CLIENTS.list_spec.filters[name](text)}, ""
    except InvalidValue:
        return {}, "The search must be plain text."


@router.get("/clients")
async def client_list(request: Request, acting: ActingAs, conn: WebConn) -> Response:
    raw = request.query_params.get("q", "")[:255]
    filters, error = _search(raw)
    number = page_number(request.query_params.get("page"))
    query = ListQuery(number, PER_PAGE, "name", False, filters)
    ctx = acting.ctx
    clients, total = await resource_service.listing(conn, acting.principal, CLIENTS, query, ctx)
    return page(
        request,
        "clients.html",
        acting.session,
        status=422 if error else 200,
        clients=clients,
        total=total,
        q=raw,
        error=error,
        page_number=number,
        last_page=max(1, math.ceil(total / PER_PAGE)),
    )


def _of(sort: str, **filters: Any) -> ListQuery:
    return ListQuery(1, MOST, sort, False, filters)


@router.get("/clients/{client_uuid}")
async def client_page(
    request: Request, client_uuid: str, acting: ActingAs, conn: WebConn
) -> Response:
    principal, ctx = acting.principal, acting.ctx
    row = await record(conn, acting, CLIENTS, client_uuid, loaded=True)
    if row is None:
        return not_found(request, acting.session)
    parsed = row["uuid"]
    client = await resource_service.show(conn, principal, CLIENTS, row, ctx)
    circles, _ = await resource_service.listing(
        conn, principal, CIRCLES, _of("name", account_uuids=[parsed]), ctx
    )
    goals, _ = await resource_service.listing(
        conn, principal, GOALS, _of("complete_goal_by", account_uuids=[parsed]), ctx
    )
    tasks, open_total = await tasks_service.list_tasks(
        conn, principal, _of("due_at", client_uuid=[parsed], open_tasks=True), ctx
    )
    return page(
        request,
        "client.html",
        acting.session,
        client=client,
        circles=circles,
        goals=goals,
        tasks=tasks,
        open_total=open_total,
    )

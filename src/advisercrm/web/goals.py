"""Goal forms: a new goal (opened from a client's page, with that client as its owner)
and a goal's edit form. Both save through the services POST /api/v2/goals and
PUT /api/v2/goals/{uuid} call, with the same request models and permission, so the
API's rules, messages and webhooks apply; a refused form comes back filled in, with
each message beside its field, and nothing saved."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Annotated, Any

from babel.numbers import get_currency_precision, get_currency_symbol
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.accounts.description import CLIENTS
from advisercrm.auth.principal import Principal
from advisercrm.circles.description import CIRCLES
from advisercrm.goals import service as goals_service
from advisercrm.goals.description import GOALS
from advisercrm.goals.schemas import GoalCreate, GoalUpdate
from advisercrm.kit.body import ALL_RULES
from advisercrm.kit.errors import Forbidden, ValidationFailed
from advisercrm.kit.fields import path_uuid, to_laravel
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.render import Ctx
from advisercrm.resource import service as resource_service
from advisercrm.web import forms
from advisercrm.web.guard import Acting, ActingAs, WebConn, record
from advisercrm.web.templating import not_found, page, redirect

router = APIRouter(include_in_schema=False)
CREATE: TypeAdapter[GoalCreate] = TypeAdapter(Annotated[GoalCreate, ALL_RULES])
UPDATE: TypeAdapter[GoalUpdate] = TypeAdapter(Annotated[GoalUpdate, ALL_RULES])
# Clients and households offered besides those the form names: a firm's usual book.
CHOICES = 200
# The form's values: ten fields, up to 50 owners and 50 households the API accepts, and
# room for more, which the API then refuses with its own message.
MOST_VALUES = 250
TEXT = ("name", "description", "progress", "timeframe", "complete_goal_by", "priority")
LISTS = ("account_uuids", "visible_to_circles_uuids")
# Where the goal resource shows each list the form sends.
LINKS = {"account_uuids": "accounts", "visible_to_circles_uuids": "visible_to_circles"}
# The form's fields in the order it shows them (its summary of errors follows it).
ORDER = (
    "name",
    "account_uuids",
    "description",
    "target_amount",
    "progress",
    "timeframe",
    "complete_goal_by",
    "priority",
    "visible_to_circles_uuids",
    "show_on_circles",
)
MONEY = "The target amount field must be an amount such as 2500 or 2500.50."
_AMOUNT = re.compile(r"^[+-]?[0-9]{1,20}(\.[0-9]*)?\Z")

Values = dict[str, Any]
Errors = dict[str, list[str]]


def _major(amount: str, currency: str) -> str:
    """Minor units (the API's `amount`) as the form shows them: 250050 as 2500.50."""
    places = int(get_currency_precision(currency))
    return f"{Decimal(amount).scaleb(-places):.{places}f}"


def _minor(text: str, currency: str) -> int | None:
    """The form's amount (in pounds, or the firm's currency) in minor units; None when it
    is not an amount of that currency (more decimals than it has, or not a number)."""
    if not _AMOUNT.match(text):
        return None
    places = int(get_currency_precision(currency))
    minor = Decimal(text).scaleb(places)
    return int(minor) if minor == minor.to_integral_value() else None


def _blank(client_uuid: str) -> Values:
    values: Values = dict.fromkeys((*TEXT, "target_amount"), "")
    return values | {
        "account_uuids": [client_uuid] if client_uuid else [],
        "visible_to_circles_uuids": [],
        "show_on_circles": False,
    }


def _of_goal(goal: dict[str, Any], currency: str) -> Values:
    amount = goal["target_amount"]
    values: Values = {name: goal[name] or "" for name in TEXT}
    return values | {
        "complete_goal_by": (goal["complete_goal_by"] or "")[:10],
        "target_amount": _major(amount["amount"], currency) if amount else "",
        "account_uuids": [a["uuid"] for a in goal["accounts"]],
        "visible_to_circles_uuids": [c["uuid"] for c in goal["visible_to_circles"]],
        "show_on_circles": goal["show_on_circles"],
    }


def _of_form(fields: dict[str, list[str]]) -> Values:
    values: Values = {name: fields.get(name, [""])[0] for name in (*TEXT, "target_amount")}
    values |= {name: fields.get(name, []) for name in LISTS}
    return values | {"show_on_circles": "show_on_circles" in fields}


def _body(values: Values, currency: str) -> tuple[dict[str, Any], Errors]:
    """The API request the form's values stand for, and the errors of the one field the
    form reads differently: its amount is in pounds, the API's in pence. An empty field
    is null, as Laravel reads an empty form field."""
    body: dict[str, Any] = {n: values[n] if values[n].strip() else None for n in TEXT}
    body |= {name: values[name] for name in (*LISTS, "show_on_circles")}
    amount, errors = values["target_amount"].strip(), {}
    minor = _minor(amount, currency) if amount else None
    if amount and minor is None:
        errors["target_amount"] = [MONEY]
    else:
        body["target_amount"] = minor
    return body, errors


async def _saved(
    conn: AsyncConnection,
    adapter: TypeAdapter[Any],
    body: dict[str, Any],
    own: Errors,
    write: Callable[[Any], Awaitable[dict[str, Any]]],
) -> tuple[dict[str, Any] | None, Errors]:
    """The goal as the service wrote it, or every error the API finds in the body with
    the form's own: then nothing the write did is kept."""

    async def checked() -> dict[str, Any]:
        try:
            shown = await write(adapter.validate_python(body))
        except ValidationError as error:  # a body refused as a whole (the API's 422 too)
            raise ValidationFailed(to_laravel(error.errors(), strip=0)) from None
        if own:
            raise ValidationFailed({})  # the API's rules passed; the form's did not
        return shown

    shown, found = await forms.attempt(conn, checked)
    if shown is not None:
        return shown, {}
    merged: Errors = {}
    for key, messages in found.items():
        merged.setdefault(key.split(".")[0], []).extend(messages)
    for key, messages in own.items():
        merged.setdefault(key, []).extend(messages)
    rank = {name: i for i, name in enumerate(ORDER)}
    return None, dict(sorted(merged.items(), key=lambda item: rank.get(item[0], len(ORDER))))


async def _choices(
    conn: AsyncConnection, principal: Principal, ctx: Ctx, values: Values
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The clients and households the form offers: those it names (in its order, if the
    principal may see them), then the first others by name."""
    found = []
    for resource, field in ((CLIENTS, "account_uuids"), (CIRCLES, "visible_to_circles_uuids")):
        named = [u for u in (path_uuid(str(v)) for v in values[field]) if u is not None][:50]
        chosen: list[dict[str, Any]] = []
        if named:
            query = ListQuery(1, 50, "name", False, {"uuid": named})
            chosen, _ = await resource_service.listing(conn, principal, resource, query, ctx)
            order = {str(u): i for i, u in enumerate(named)}
            chosen.sort(key=lambda row: order[row["uuid"]])
        query = ListQuery(1, CHOICES, "name", False)
        first, _ = await resource_service.listing(conn, principal, resource, query, ctx)
        taken = {row["uuid"] for row in chosen}
        rows = chosen + [row for row in first if row["uuid"] not in taken]
        detail = _members if resource is CIRCLES else _email
        found.append([{"uuid": r["uuid"], "name": r["name"], "detail": detail(r)} for r in rows])
    return found[0], found[1]


# What tells apart two choices of one name: a client's email, a household's members.
def _email(client: dict[str, Any]) -> str:
    return str(client["email"] or "")


def _members(circle: dict[str, Any]) -> str:
    members = [str(a["name"]) for a in circle["accounts"]]
    more = f" and {len(members) - 3} more" if len(members) > 3 else ""
    return f"with {', '.join(members[:3])}{more}" if members else "no members"


async def _form(
    request: Request,
    acting: Acting,
    conn: AsyncConnection,
    values: Values,
    client_uuid: str,
    goal: dict[str, Any] | None = None,
    errors: Errors | None = None,
) -> Response:
    ctx = acting.ctx
    clients, circles = await _choices(conn, acting.principal, ctx, values)
    names = {row["uuid"]: row["name"] for row in clients}
    back = f"/clients/{client_uuid}" if client_uuid in names else "/clients"
    return page(
        request,
        "goal_form.html",
        acting.session,
        status=422 if errors else 200,
        goal=goal,
        action=f"/goals/{goal['uuid']}/edit" if goal else "/goals/new",
        values=values,
        errors=errors or {},
        clients=clients,
        circles=circles,
        client_uuid=client_uuid if client_uuid in names else "",
        back=back,
        back_name=names.get(client_uuid, "All clients"),
        symbol=get_currency_symbol(ctx.currency, locale="en_GB"),
    )


def _refused(request: Request, acting: Acting, status: int) -> Response:
    if status == 404:
        return not_found(request, acting.session)
    return page(
        request,
        "message.html",
        acting.session,
        status=403,
        title="Not allowed",
        message=Forbidden.default_message,
    )


async def _may_write(principal: Principal) -> bool:
    """The goal routes' own permission: any account of the firm with the write flag."""
    return await forms.may(principal, "write", "anyone")


def _landing(shown: dict[str, Any], client_uuid: str) -> str:
    """The page a saved goal is shown on: the client the form came from if it still owns
    the goal, else its first owner the principal sees."""
    owners = [a["uuid"] for a in shown["accounts"]]
    if client_uuid in owners:
        return f"/clients/{client_uuid}"
    return f"/clients/{owners[0]}" if owners else "/clients"


@router.get("/goals/new")
async def new_goal(request: Request, acting: ActingAs, conn: WebConn) -> Response:
    client_uuid = request.query_params.get("client", "")
    if client_uuid and await record(conn, acting, CLIENTS, client_uuid) is None:
        return _refused(request, acting, 404)
    if not await _may_write(acting.principal):
        return _refused(request, acting, 403)
    return await _form(request, acting, conn, _blank(client_uuid), client_uuid)


@router.post("/goals/new")
async def create_goal(request: Request, acting: ActingAs, conn: WebConn) -> Response:
    fields = await forms.fields(request, acting, MOST_VALUES)
    if not await _may_write(acting.principal):
        return _refused(request, acting, 403)
    values, client_uuid = _of_form(fields), fields.get("client", [""])[0]
    principal, ctx = acting.principal, acting.ctx
    body, own = _body(values, ctx.currency)

    async def write(parsed: GoalCreate) -> dict[str, Any]:
        return await goals_service.create(conn, principal, parsed, ctx)

    shown, errors = await _saved(conn, CREATE, body, own, write)
    if shown is None:
        return await _form(request, acting, conn, values, client_uuid, errors=errors)
    return redirect(_landing(shown, client_uuid))


@router.get("/goals/{goal_uuid}/edit")
async def edit_goal(request: Request, goal_uuid: str, acting: ActingAs, conn: WebConn) -> Response:
    principal, ctx = acting.principal, acting.ctx
    row = await record(conn, acting, GOALS, goal_uuid, loaded=True)
    if row is None:
        return _refused(request, acting, 404)
    if not await _may_write(principal):
        return _refused(request, acting, 403)
    goal = await resource_service.show(conn, principal, GOALS, row, ctx)
    client_uuid = request.query_params.get("client", "")
    return await _form(request, acting, conn, _of_goal(goal, ctx.currency), client_uuid, goal)


@router.post("/goals/{goal_uuid}/edit")
async def update_goal(
    request: Request, goal_uuid: str, acting: ActingAs, conn: WebConn
) -> Response:
    fields = await forms.fields(request, acting, MOST_VALUES)
    principal, ctx = acting.principal, acting.ctx
    parsed = path_uuid(goal_uuid)
    goal_id = None
    if parsed is not None:
        goal_id = await goals_service.find_locked(conn, principal, parsed)
    if goal_id is None:
        return _refused(request, acting, 404)
    if not await _may_write(principal):
        return _refused(request, acting, 403)
    found: int = goal_id
    goal = (await resource_service.render(conn, principal, GOALS, [found], ctx))[0]
    values, client_uuid = _of_form(fields), fields.get("client", [""])[0]
    body, own = _body(values, ctx.currency)
    # Owners and households left as they were are not sent: the goal keeps those the
    # principal may not see, as a PUT without these fields keeps them.
    for field, shown in LINKS.items():
        if values[field] == [row["uuid"] for row in goal[shown]]:
            del body[field]

    async def write(parsed: GoalUpdate) -> dict[str, Any]:
        return await goals_service.update(conn, principal, found, parsed, ctx)

    saved, errors = await _saved(conn, UPDATE, body, own, write)
    if saved is None:
        return await _form(request, acting, conn, values, client_uuid, goal, errors)
    return redirect(_landing(saved, client_uuid))

"""People: the firm's staff with their role and whether they can sign in; a new person
made as the API's account route makes one (with a login, if asked), and an account's
logins listed, made and expired as its login routes do (`logins.router`)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from advisercrm.accounts import service as accounts_service
from advisercrm.accounts.description import ACCOUNTS
from advisercrm.accounts.schemas import AccountCreate
from advisercrm.kit.errors import Forbidden
from advisercrm.kit.fields import path_uuid
from advisercrm.kit.listing import ListQuery
from advisercrm.logins import service as logins_service
from advisercrm.logins.repository import LoginRepository
from advisercrm.logins.schemas import LoginCreate
from advisercrm.resource import service
from advisercrm.web.guard import Acting, Interrupt, WebConn, record
from advisercrm.web.settings.common import (
    Manager,
    allowed,
    attempt,
    body,
    forbidden,
    form,
    one,
)
from advisercrm.web.settings.groups import staff
from advisercrm.web.templating import not_found, page, redirect

router = APIRouter(include_in_schema=False)
HERE = "/settings/people"
PERMISSIONS = ("has_write_permission", "has_delete_permission")
# An account's logins: few; one page holds them.
MOST_LOGINS = 100


def _roles(acting: Acting) -> list[tuple[str, str]]:
    """The roles this account may give: only owners make owners."""
    roles = ["member", "admin", *(["owner"] if acting.principal.role == "owner" else [])]
    return [(role, role.capitalize()) for role in roles]


def _names(fields: dict[str, list[str]]) -> dict[str, Any]:
    raw: dict[str, Any] = {"first_name": one(fields, "first_name")}
    raw["last_name"] = one(fields, "last_name")
    if email := one(fields, "email").strip():
        raw["email"] = email
    return raw


async def _list_page(
    request: Request,
    acting: Acting,
    conn: WebConn,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    entered: dict[str, Any] | None = None,
) -> Response:
    people = await staff(request, acting, conn)
    repo = LoginRepository(conn, acting.principal.firm_id)
    counts = await repo.live_counts([uuid.UUID(p["uuid"]) for p in people])
    return page(
        request,
        "settings/people.html",
        acting.session,
        status=status,
        people=people,
        logins=counts,
        roles=_roles(acting),
        errors=errors or {},
        entered=entered or {"role": "member"},
    )


@router.get(HERE)
async def people(request: Request, acting: Manager, conn: WebConn) -> Response:
    return await _list_page(request, acting, conn)


@router.post(HERE)
async def create(request: Request, acting: Manager, conn: WebConn) -> Response:
    fields = await form(request, acting)
    await allowed(request, acting, "write", "staff")
    names = _names(fields)
    raw: dict[str, Any] = {"type": "employee", "role": one(fields, "role"), **names}
    # A password given asks for a login with it, as the API's `login` object does.
    if password := one(fields, "password"):
        raw["login"] = {"password": password}

    async def work() -> dict[str, Any]:
        made = body(AccountCreate, raw)
        return await accounts_service.create(conn, acting.principal, made, acting.ctx)

    made, errors = await attempt(request, acting, conn, work, HERE)
    if errors or made is None:
        entered = {key: value for key, value in raw.items() if key != "login"}
        return await _list_page(request, acting, conn, 422, errors, entered)
    return redirect(f"{HERE}/{made['uuid']}")


async def _account(request: Request, acting: Acting, conn: WebConn, raw: str) -> Any:
    """The account the path names as the API's login routes find it (404), and may
    manage (403: only owners manage an owner's logins)."""
    row = await record(conn, acting, ACCOUNTS, raw)
    if row is None:
        raise Interrupt(not_found(request, acting.session))
    try:
        accounts_service.check_may_manage(acting.principal, row["type"], row["role"])
    except Forbidden:
        message = "Only the firm's owners manage an owner's logins."
        raise Interrupt(forbidden(request, acting, message)) from None
    return row


async def _person_page(
    request: Request,
    acting: Acting,
    conn: WebConn,
    row: Any,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    entered: dict[str, Any] | None = None,
) -> Response:
    here = acting.ctx
    person = await service.show(conn, acting.principal, ACCOUNTS, row, here)
    query = ListQuery(1, MOST_LOGINS, "created_at", False, {})
    logins, _ = await logins_service.listing(conn, acting.principal, row, query, here)
    names = {key: person[key] or "" for key in ("first_name", "last_name")}
    return page(
        request,
        "settings/person.html",
        acting.session,
        status=status,
        person=person,
        logins=logins,
        errors=errors or {},
        entered=entered
        or {**names, "email": person["email"] or "", **dict.fromkeys(PERMISSIONS, 1)},
    )


@router.get(HERE + "/{account_uuid}")
async def person(request: Request, account_uuid: str, acting: Manager, conn: WebConn) -> Response:
    row = await _account(request, acting, conn, account_uuid)
    return await _person_page(request, acting, conn, row)


@router.post(HERE + "/{account_uuid}/logins")
async def add_login(
    request: Request, account_uuid: str, acting: Manager, conn: WebConn
) -> Response:
    fields = await form(request, acting)
    row = await _account(request, acting, conn, account_uuid)
    await allowed(request, acting, "write", "manager")
    raw = {**_names(fields), **{flag: flag in fields for flag in PERMISSIONS}}

    async def work() -> dict[str, Any]:
        made = body(LoginCreate, raw)
        return await logins_service.create(conn, acting.principal, row, made, acting.ctx)

    back = f"{HERE}/{account_uuid}"
    _, errors = await attempt(request, acting, conn, work, back)
    if errors:
        return await _person_page(request, acting, conn, row, 422, errors, raw)
    return redirect(back)


@router.post(HERE + "/{account_uuid}/logins/{login_uuid}/expire")
async def expire_login(
    request: Request, account_uuid: str, login_uuid: str, acting: Manager, conn: WebConn
) -> Response:
    await form(request, acting)
    row = await _account(request, acting, conn, account_uuid)
    await allowed(request, acting, "write", "manager")
    parsed = path_uuid(login_uuid)
    repo = LoginRepository(conn, acting.principal.firm_id)
    login = await repo.find(row["id"], parsed) if parsed is not None else None
    if login is None:
        return not_found(request, acting.session)
    back = f"{HERE}/{account_uuid}"

    async def work() -> dict[str, Any]:
        return await logins_service.expire(conn, acting.principal, login, acting.ctx)

    await attempt(request, acting, conn, work, back)
    return redirect(back)

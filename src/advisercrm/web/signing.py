"""Signing in and out, and choosing the account a session acts as."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from advisercrm.auth import repository as auth_repository
from advisercrm.auth.credentials import verify_password
from advisercrm.ratelimit import attempts
from advisercrm.web import repository, sessions
from advisercrm.web.guard import SignedIn, WebConn
from advisercrm.web.sessions import COOKIE, GUEST_COOKIE, csrf_ok, csrf_token, read_form
from advisercrm.web.templating import local_path, page, redirect

router = APIRouter(include_in_schema=False)

FAILED = "These credentials do not match our records."
THROTTLED = "Too many login attempts. Please try again in {seconds} seconds."
EXPIRED = "This page has expired. Go back, reload the page and try again."


def login_keys(email: str, address: str) -> list[str]:
    """The sign-in throttle's keys: the email from this address, then the address."""
    return [attempts.key("login", email, address), attempts.key("login", address)]


def expired(request: Request) -> Response:
    """A form sent without its CSRF token (or with another session's): refused, as it
    may have been sent by another site."""
    return page(request, "message.html", status=403, title="Page expired", message=EXPIRED)


def _sign_in_form(
    request: Request, next_path: str, email: str = "", status: int = 200, **extra: Any
) -> Response:
    token, new = sessions.guest_token(request)
    context: dict[str, Any] = {"errors": {}, "headers": None, **extra}
    headers = context.pop("headers")
    response = page(
        request,
        "login.html",
        status=status,
        headers=headers,
        csrf=csrf_token(request, token),
        next_path=next_path,
        email=email,
        **context,
    )
    if new:
        sessions.set_cookie(request, response, GUEST_COOKIE, token)
    return response


@router.get("/login")
async def sign_in_form(request: Request, conn: WebConn) -> Response:
    next_path = local_path(request.query_params.get("next"))
    if await sessions.current(request, conn) is not None:
        return redirect(next_path)
    return _sign_in_form(request, next_path)


@router.post("/login")
async def sign_in(request: Request, conn: WebConn) -> Response:
    form = await read_form(request)
    if not csrf_ok(request, request.cookies.get(GUEST_COOKIE), form):
        return expired(request)
    email, password = form.get("email", "").strip(), form.get("password", "")
    next_path = local_path(form.get("next"))
    errors = {}
    if not email:
        errors["email"] = "The email field is required."
    if not password:
        errors["password"] = "The password field is required."  # noqa: S105
    if errors:
        return _sign_in_form(request, next_path, email, 422, errors=errors)
    throttle: attempts.Attempts = request.app.state.attempts
    keys = login_keys(email, request.client.host if request.client else "unknown")
    wait = await throttle.locked_for(keys)
    if wait:
        errors["email"] = THROTTLED.format(seconds=wait)
        headers = {"Retry-After": str(wait)}
        return _sign_in_form(request, next_path, email, 429, errors=errors, headers=headers)
    user = await auth_repository.find_user_by_email(conn, email) if len(email) <= 255 else None
    # Checked even without a user (against a dummy hash), so an unknown email takes as
    # long as a wrong password; argon2 takes a good part of a second: off the event loop.
    stored = user["password_hash"] if user else None
    verified = await asyncio.to_thread(verify_password, stored, password)
    if user is None or not verified:
        await throttle.failed(keys)
        return _sign_in_form(request, next_path, email, 422, errors={"password": FAILED})
    await throttle.clear(keys[0])
    token = await sessions.start(request, conn, user["id"])
    choices = await repository.accounts_of(conn, user["id"])
    if len(choices) == 1:
        await repository.choose(conn, sessions.digest(request, token), *_ids(choices[0]))
        target = next_path
    else:
        target = "/account?" + urlencode({"next": next_path})
    response = redirect(target)
    sessions.set_cookie(request, response, COOKIE, token)
    sessions.drop_cookie(request, response, GUEST_COOKIE)
    return response


def _ids(choice: Any) -> tuple[int, int]:
    return int(choice["firm_id"]), int(choice["account_id"])


@router.post("/logout")
async def sign_out(request: Request, conn: WebConn) -> Response:
    session = await sessions.current(request, conn)
    form = await read_form(request)
    if session is not None:
        if not csrf_ok(request, session.token, form):
            return expired(request)
        await sessions.end(request, conn, session)
    response = redirect("/login")
    sessions.drop_cookie(request, response, COOKIE)
    return response


@router.get("/account")
async def account_form(request: Request, session: SignedIn, conn: WebConn) -> Response:
    choices = await repository.accounts_of(conn, session.user_id)
    next_path = local_path(request.query_params.get("next"))
    return page(request, "account.html", session, choices=choices, next_path=next_path, error="")


@router.post("/account")
async def choose_account(request: Request, session: SignedIn, conn: WebConn) -> Response:
    form = await read_form(request)
    if not csrf_ok(request, session.token, form):
        return expired(request)
    choices = await repository.accounts_of(conn, session.user_id)
    next_path = local_path(form.get("next"))
    wanted = form.get("account_uuid", "")
    chosen = [c for c in choices if str(c["account_uuid"]) == wanted]
    if not chosen:
        error = "Choose one of your accounts." if wanted else "The account field is required."
        return page(
            request,
            "account.html",
            session,
            status=422,
            choices=choices,
            next_path=next_path,
            error=error,
        )
    await repository.choose(conn, sessions.digest(request, session.token), *_ids(chosen[0]))
    return redirect(next_path)

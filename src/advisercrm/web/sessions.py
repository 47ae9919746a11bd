"""Who is signed in to the workspace: a server-side session named by a random token in
an HttpOnly cookie (the database keeps only its HMAC), and the CSRF token every form
carries. Before signing in, a guest cookie plays the session's part for the sign-in
form's CSRF token."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth.credentials import token_hash
from advisercrm.auth.principal import Principal
from advisercrm.web import repository

COOKIE = "advisercrm_session"
GUEST_COOKIE = "advisercrm_guest"
CSRF_FIELD = "_token"
# A form bigger than this is no form of ours; it is read as empty (and so fails CSRF).
MAX_FORM_BYTES = 64 * 1024


@dataclass(frozen=True)
class Session:
    token: str
    user_id: int
    email: str
    # The account the session acts as, with its name and its firm's; None until chosen
    # (or once the login on it has expired or gone).
    principal: Principal | None
    account_name: str
    firm_name: str


def digest(request: Request, token: str) -> bytes:
    """What the database keeps of a session token."""
    return token_hash(token, request.app.state.secret_key)


def csrf_token(request: Request, token: str) -> str:
    """The CSRF token of a session (or guest) token: derived, so nothing more is stored."""
    key = request.app.state.secret_key
    return hmac.new(key, b"csrf|" + token.encode(), hashlib.sha256).hexdigest()


def csrf_ok(request: Request, token: str | None, form: dict[str, str]) -> bool:
    given = form.get(CSRF_FIELD, "")
    return bool(token) and hmac.compare_digest(csrf_token(request, token or ""), given)


async def read_form(request: Request) -> dict[str, str]:
    """An urlencoded form's fields (the first value of each); anything else reads as
    empty."""
    return {name: values[0] for name, values in (await read_fields(request)).items()}


async def read_fields(request: Request, most: int = 50) -> dict[str, list[str]]:
    """An urlencoded form's fields with every value of each (checkboxes of one name),
    at most `most` values in all; anything else reads as empty."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return {}
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=most)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {name: [v.replace("\x00", "") for v in values] for name, values in parsed.items()}


async def current(request: Request, conn: AsyncConnection) -> Session | None:
    """The signed-in session of the request's cookie, if it is live."""
    token = request.cookies.get(COOKIE, "")
    if not token or len(token) > 128:
        return None
    hashed = digest(request, token)
    row = await repository.find(conn, hashed)
    if row is None:
        return None
    if row["stale"]:
        await repository.touch(conn, hashed)
    principal = None
    if row["account_id"] is not None:
        principal = Principal.of(row)
    return Session(
        token=token,
        user_id=row["user_id"],
        email=row["email"],
        principal=principal,
        account_name=row["account_name"] or "",
        firm_name=row["firm_name"] or "",
    )


async def start(request: Request, conn: AsyncConnection, user_id: int) -> str:
    """A new session for the user; its token, for the cookie."""
    token = secrets.token_urlsafe(32)
    await repository.start(conn, user_id, digest(request, token))
    return token


async def end(request: Request, conn: AsyncConnection, session: Session) -> None:
    await repository.end(conn, digest(request, session.token))


def set_cookie(request: Request, response: Response, name: str, token: str) -> None:
    response.set_cookie(
        name,
        token,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def drop_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(
        name, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https"
    )


def guest_token(request: Request) -> tuple[str, bool]:
    """The guest cookie's token, or a new one (True: it must be set)."""
    token = request.cookies.get(GUEST_COOKIE, "")
    if token and len(token) <= 128:
        return token, False
    return secrets.token_urlsafe(32), True

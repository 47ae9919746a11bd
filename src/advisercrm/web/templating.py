"""Pages from the package's Jinja2 templates, with the headers every workspace page
carries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from advisercrm.kit.listing import MAX_PAGE
from advisercrm.web.sessions import CSRF_FIELD, Session, csrf_token

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
# Pages hold client data: never cached; scripts, styles and forms only from here.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
        "form-action 'self'; base-uri 'none'"
    ),
}


def _date(value: str | None) -> str:
    """An ISO date (or the date of a timestamp) as `28 Apr 2027`."""
    if not value:
        return ""
    day = dt.date.fromisoformat(value[:10])
    return f"{day.day} {day:%b %Y}"


_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["date"] = _date


def page_number(raw: str | None) -> int:
    """The `page` asked for; anything but a page number shows the first page."""
    if raw and raw.isdigit() and len(raw) <= 10:
        return max(1, min(int(raw), MAX_PAGE))
    return 1


def not_found(request: Request, session: Session | None) -> HTMLResponse:
    return page(request, "not_found.html", session, status=404)


def page(
    request: Request,
    template: str,
    session: Session | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    csrf: str = "",
    **context: Any,
) -> HTMLResponse:
    """The template rendered for the request. A signed-in page's forms carry the
    session's CSRF token; the sign-in form passes its guest one."""
    if session is not None:
        csrf = csrf_token(request, session.token)
    html = _env.get_template(template).render(
        request=request, session=session, csrf=csrf, csrf_field=CSRF_FIELD, **context
    )
    return HTMLResponse(html, status_code=status, headers={**PAGE_HEADERS, **(headers or {})})


def local_path(raw: str | None, default: str = "/clients") -> str:
    """`raw` if it is a path on this site (`/...`, not `//host` or `/\\host`), else the
    default: a `next` parameter never sends anyone elsewhere."""
    if not raw or not raw.startswith("/") or raw.startswith(("//", "/\\")):
        return default
    if any(c in raw for c in "\r\n\t\\") or len(raw) > 2048:
        return default
    return raw


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def to_sign_in(request: Request) -> RedirectResponse:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return redirect(f"/login?next={quote(here, safe='/')}")

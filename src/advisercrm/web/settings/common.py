"""What every settings page shares: who may open it, the checked form of a POST, and a
write run as the API runs it, its 422 errors kept for the form."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth.access import Action, Who
from advisercrm.kit.body import ALL_RULES, Body
from advisercrm.kit.errors import ApiError, ValidationFailed
from advisercrm.kit.fields import to_laravel
from advisercrm.kit.listing import MAX_PER_PAGE, ListQuery
from advisercrm.resource import service
from advisercrm.resource.description import Resource
from advisercrm.web import forms
from advisercrm.web.guard import Acting, ActingAs, Interrupt, record
from advisercrm.web.templating import not_found, page, redirect

T = TypeVar("T")
NOT_ALLOWED = "Only the firm's owners and admins can change its settings."
# A settings form names at most the fields it shows; the event checkboxes are the most.
MAX_FIELDS = 60


def forbidden(request: Request, acting: Acting, message: str = NOT_ALLOWED) -> Response:
    return page(
        request, "message.html", acting.session, status=403, title="Not allowed", message=message
    )


async def _manager(request: Request, acting: ActingAs) -> Acting:
    if not acting.principal.sees_whole_firm:
        raise Interrupt(forbidden(request, acting))
    return acting


# A settings page's acting account: an owner or admin of the firm, else the 403 page.
Manager = Annotated[Acting, Depends(_manager)]


async def allowed(request: Request, acting: Acting, action: Action, who: Who) -> None:
    """The API's own permission check of a route (`auth.access.Allowed`): the 403 page
    when it refuses."""
    if not await forms.may(acting.principal, action, who):
        message = f"Your login does not have the {action} permission."
        raise Interrupt(forbidden(request, acting, message))


async def listed(
    conn: AsyncConnection, acting: Acting, described: Resource, sort: str, **filters: Any
) -> tuple[list[dict[str, Any]], int]:
    """The records of `described` the acting account may see, by `sort`, as many as the
    API's largest page holds (a settings list is short), and how many there are."""
    query = ListQuery(1, MAX_PER_PAGE, sort, False, filters)
    return await service.listing(conn, acting.principal, described, query, acting.ctx)


async def found(
    request: Request,
    acting: Acting,
    conn: AsyncConnection,
    described: Resource,
    raw: str,
    lock: bool = False,
) -> Any:
    """The record of `described` the path names, as the API finds it (`lock`: a
    delete's), else the 404 page."""
    row = await record(conn, acting, described, raw, lock=lock)
    if row is None:
        raise Interrupt(not_found(request, acting.session))
    return row


async def form(request: Request, acting: Acting) -> dict[str, list[str]]:
    """The POST's fields, every value of each, once its CSRF token is checked."""
    return await forms.fields(request, acting, MAX_FIELDS)


def one(fields: dict[str, list[str]], name: str) -> str:
    return fields.get(name, [""])[0]


@functools.cache
def _all_rules(model: type[Body]) -> TypeAdapter[Any]:
    return TypeAdapter(Annotated[model, ALL_RULES])  # type: ignore[arg-type]


def body(model: type[BaseModel], raw: dict[str, Any]) -> Any:
    """The request model of the API's route read from `raw` as the route reads a JSON
    body: a `Body` model (declared with `ALL_RULES` there) keeps its well-formed fields
    and its shape errors for the service to report with its own; any other raises its
    422 at once."""
    try:
        if issubclass(model, Body):
            return _all_rules(model).validate_python(raw)
        return model.model_validate(raw)
    except ValidationError as error:
        raise ValidationFailed(to_laravel(list(error.errors()), strip=0)) from None


async def delete_record(
    request: Request,
    acting: Acting,
    conn: AsyncConnection,
    described: Resource,
    raw: str,
    back: str,
) -> Response:
    """A delete form's POST: the API's delete of the record the path names, then `back`."""
    await form(request, acting)
    await allowed(request, acting, "delete", described.who)

    async def work() -> None:
        row = await found(request, acting, conn, described, raw, lock=True)
        await service.delete(conn, acting.principal, described, row, acting.ctx)

    await attempt(request, acting, conn, work, back)
    return redirect(back)


def refused(request: Request, acting: Acting, error: ApiError, back: str) -> Response:
    """The page of a write the API refuses with an error other than 422 (404, 409, 429):
    its status, headers and message."""
    return page(
        request,
        "settings/refused.html",
        acting.session,
        status=error.status,
        headers=error.headers,
        message=error.message,
        back=back,
    )


async def attempt(
    request: Request,
    acting: Acting,
    conn: AsyncConnection,
    work: Callable[[], Awaitable[T]],
    back: str,
) -> tuple[T | None, dict[str, list[str]]]:
    """Run a write in a savepoint: its result, or (rolled back) the API's 422 errors by
    field. Any other error of the API's is its page, `back` linking to the page to return
    to."""
    try:
        return await forms.attempt(conn, work)
    except ApiError as error:
        raise Interrupt(refused(request, acting, error, back)) from None

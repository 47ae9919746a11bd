"""List requests: page, per_page, filter[...], sort and include, each checked against the
list's whitelist; the paginated body they answer with."""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from fastapi import Request
from pydantic import BaseModel, Field

from advisercrm.kit.errors import BadRequest, Errors
from advisercrm.kit.fields import DATE_RE, UUID_RE, clean_text
from advisercrm.kit.render import JSON

T = TypeVar("T")
_DIGITS = re.compile(r"^[0-9]{1,18}\Z")
MAX_PAGE = 10**9
MAX_PER_PAGE = 500
DEFAULT_PER_PAGE = 15


class InvalidValue(ValueError):
    pass


@dataclass(frozen=True)
class Filter:
    """A filter's parser, with the JSON schema and words /openapi.json shows for its value
    (an array is sent comma-separated)."""

    parse: Callable[[str], Any]
    schema: Mapping[str, Any]
    description: str

    def __call__(self, raw: str) -> Any:
        return self.parse(raw)


def _array(items: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": dict(items), "minItems": 1}


def _text(raw: str) -> str:
    try:
        return clean_text(raw)
    except Exception:
        raise InvalidValue(
            "The :attribute filter must be valid text without NUL characters."
        ) from None


def _uuid_list(raw: str) -> list[uuid.UUID]:
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if not parts or not all(UUID_RE.match(p) for p in parts):
        raise InvalidValue("The :attribute filter must be a comma-separated list of UUIDs.")
    return [uuid.UUID(p) for p in parts]


def _date(raw: str) -> dt.date:
    try:
        if DATE_RE.match(raw):
            return dt.date.fromisoformat(raw)
    except ValueError:
        pass
    raise InvalidValue("The :attribute filter must match the format Y-m-d.")


def _bool(raw: str) -> bool:
    if raw in ("true", "1"):
        return True
    if raw in ("false", "0"):
        return False
    raise InvalidValue("The :attribute filter must be true or false.")


text_filter = Filter(_text, {"type": "string"}, "Text the value contains (case-insensitive).")
uuid_list_filter = Filter(
    _uuid_list, _array({"type": "string", "format": "uuid"}), "Comma-separated UUIDs: any of."
)
date_filter = Filter(_date, {"type": "string", "format": "date"}, "A date, Y-m-d.")
bool_filter = Filter(_bool, {"type": "boolean"}, "true or false (or 1 or 0).")


def int_list_filter(low: int, high: int) -> Filter:
    def parse(raw: str) -> list[int]:
        parts = [p.strip() for p in raw.split(",") if p.strip()]
        if parts and all(_DIGITS.match(p) and low <= int(p) <= high for p in parts):
            return [int(p) for p in parts]
        raise InvalidValue(f"The :attribute filter must be integers between {low} and {high}.")

    schema = _array({"type": "integer", "minimum": low, "maximum": high})
    return Filter(parse, schema, f"Comma-separated integers from {low} to {high}: any of.")


def choice_list_filter(choices: tuple[str, ...]) -> Filter:
    def parse(raw: str) -> list[str]:
        parts = [p.strip() for p in raw.split(",") if p.strip()]
        if parts and all(p in choices for p in parts):
            return parts
        raise InvalidValue(f"The :attribute filter must be one of: {', '.join(choices)}.")

    schema = _array({"type": "string", "enum": list(choices)})
    return Filter(parse, schema, "Comma-separated values: any of.")


def choice_filter(choices: tuple[str, ...]) -> Filter:
    def parse(raw: str) -> str:
        if raw in choices:
            return raw
        raise InvalidValue(f"The :attribute filter must be one of: {', '.join(choices)}.")

    return Filter(parse, {"type": "string", "enum": list(choices)}, "One of the values.")


@dataclass(frozen=True)
class ListSpec:
    filters: Mapping[str, Callable[[str], Any]]
    sorts: tuple[str, ...]
    default_sort: str = "created_at"
    includes: tuple[str, ...] = ()


# An endpoint built with its spec at hand carries it here, for the API docs.
LIST_SPEC_ATTRIBUTE = "list_spec"


@dataclass
class ListQuery:
    page: int
    per_page: int
    sort: str
    descending: bool
    filters: dict[str, Any] = field(default_factory=dict)
    includes: set[str] = field(default_factory=set)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def _not_allowed(kind: str, unknown: list[str], allowed: Any) -> BadRequest:
    verb = "is" if kind == "sort" and len(unknown) == 1 else "are"
    return BadRequest(
        f"Requested {kind}(s) `{', '.join(unknown)}` {verb} not allowed. "
        f"Allowed {kind}(s) are `{', '.join(allowed)}`."
    )


def _positive_int(raw: str, name: str, high: int, errors: Errors) -> int | None:
    if _DIGITS.match(raw) and 1 <= int(raw) <= high:
        return int(raw)
    errors.add(name, f"The :attribute field must be an integer between 1 and {high}.")
    return None


def family(name: str) -> str:
    """The whitelist entry of a filter named with a key, `custom_field:pet_name` ->
    `custom_field:*` (a name without a key is its own)."""
    prefix, colon, key = name.partition(":")
    return f"{prefix}:*" if colon and key else name


def parse_list_query(request: Request, spec: ListSpec) -> ListQuery:
    params = request.query_params
    filter_names = [k[7:-1] for k in params if k.startswith("filter[") and k.endswith("]")]
    known = {n: n if n in spec.filters else family(n) for n in filter_names}
    unknown = [n for n in filter_names if known[n] not in spec.filters]
    if unknown:
        raise _not_allowed("filter", unknown, spec.filters)

    sort_raw = params.get("sort") or spec.default_sort
    descending = sort_raw.startswith("-")
    sort = sort_raw[1:] if descending else sort_raw
    if sort not in spec.sorts:
        raise _not_allowed("sort", [sort], spec.sorts)

    includes = {i.strip() for i in (params.get("include") or "").split(",") if i.strip()}
    bad_includes = sorted(includes - set(spec.includes))
    if bad_includes:
        raise _not_allowed("include", bad_includes, spec.includes)

    errors = Errors()
    page = _positive_int(params.get("page", "1"), "page", MAX_PAGE, errors)
    per_page = _positive_int(
        params.get("per_page", str(DEFAULT_PER_PAGE)), "per_page", MAX_PER_PAGE, errors
    )
    filters: dict[str, Any] = {}
    for name in filter_names:
        raw = params[f"filter[{name}]"]
        try:
            filters[name] = spec.filters[known[name]](raw)
        except InvalidValue as exc:
            errors.add(f"filter.{name}", str(exc))
    errors.raise_if_any()
    assert page is not None and per_page is not None
    return ListQuery(page, per_page, sort, descending, filters, includes)


# Laravel's page window: 3 pages each side of the current one; a list of fewer than 14
# pages shows every page.
_ON_EACH_SIDE = 3


def page_window(current: int, last: int) -> list[int | None]:
    """The page numbers Laravel's `UrlWindow` shows, None for each "..." gap."""
    window = _ON_EACH_SIDE + 4
    if last < _ON_EACH_SIDE * 2 + 8:
        return list(range(1, last + 1))
    if current <= window:
        return [*range(1, window + _ON_EACH_SIDE + 1), None, last - 1, last]
    if current > last - window:
        return [1, 2, None, *range(last - (window + _ON_EACH_SIDE - 1), last + 1)]
    middle = range(current - _ON_EACH_SIDE, current + _ON_EACH_SIDE + 1)
    return [1, 2, None, *middle, None, last - 1, last]


def page_links(link: Callable[[int], str], current: int, last: int) -> list[dict[str, Any]]:
    """`meta.links`: the paginator's previous link, each page of the window (a gap as
    "..."), then the next link, as Laravel's `linkCollection()` lists them."""
    pages = [
        {"url": None, "label": "...", "active": False}
        if page is None
        else {"url": link(page), "label": str(page), "active": page == current}
        for page in page_window(current, last)
    ]
    previous = link(current - 1) if current > 1 else None
    following = link(current + 1) if current < last else None
    return [
        {"url": previous, "label": "&laquo; Previous", "active": False},
        *pages,
        {"url": following, "label": "Next &raquo;", "active": False},
    ]


def paginated(request: Request, query: ListQuery, data: list[Any], total: int) -> JSON:
    """Laravel's paginated resource body: data, links and meta."""
    path = str(request.url.replace(query="", fragment=""))
    last_page = max(1, math.ceil(total / query.per_page))
    kept = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "page"])
    # The query without the page, encoded once: a page of links names up to 15 pages.
    prefix = f"{path}?{kept}&page=" if kept else f"{path}?page="

    def link(page: int) -> str:
        return f"{prefix}{page}"

    start = query.offset + 1
    return JSON(
        {
            "data": data,
            "links": {
                "first": link(1),
                "last": link(last_page),
                "prev": link(query.page - 1) if query.page > 1 else None,
                "next": link(query.page + 1) if query.page < last_page else None,
            },
            "meta": {
                "current_page": query.page,
                "from": start if data else None,
                "last_page": last_page,
                "links": page_links(link, query.page, last_page),
                "path": path,
                "per_page": query.per_page,
                "to": start + len(data) - 1 if data else None,
                "total": total,
            },
        }
    )


class PageLinks(BaseModel):
    first: str
    last: str
    prev: str | None
    next: str | None


class PageLink(BaseModel):
    url: str | None
    label: str
    active: bool


class PageMeta(BaseModel):
    current_page: int
    from_: int | None = Field(alias="from")
    last_page: int
    links: list[PageLink]
    path: str
    per_page: int
    to: int | None
    total: int


class Page(BaseModel, Generic[T]):
    """The documented shape of every list response."""

    data: list[T]
    links: PageLinks
    meta: PageMeta

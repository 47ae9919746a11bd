"""Shared by the task-status, custom-field, case and plan suites: a firm with one login per
kind of caller, fixed error bodies, the 422 body builder and list helpers."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts.support import (
    COMPACT_KEYS,
    DUPLICATE,
    HAS_NUL,
    INVALID,
    META_KEYS,
    NOT_ARRAY,
    NOT_BOOL,
    NOT_FOUND,
    NOT_STRING,
    NOT_UUID,
    PAGE_KEYS,
    REQUIRED,
    TIMESTAMP,
    UNAUTHORIZED,
    UUID,
    Cast,
    assert_body,
    cast,
    compact_of,
    photo_url,
    say,
    total,
    unknown,
)
from tests.helpers import Actor

# The accounts suites' helpers, used by these suites under the same names.
__all__ = [
    "COMPACT_KEYS",
    "DUPLICATE",
    "HAS_NUL",
    "INVALID",
    "META_KEYS",
    "NOT_ARRAY",
    "NOT_BOOL",
    "NOT_FOUND",
    "NOT_STRING",
    "NOT_UUID",
    "PAGE_KEYS",
    "REQUIRED",
    "TIMESTAMP",
    "UNAUTHORIZED",
    "UUID_RE",
    "Cast",
    "assert_body",
    "cast",
    "compact_of",
    "photo_url",
    "say",
    "total",
    "unknown",
]
UUID_RE = UUID

TASK_STATUSES = "/api/v1/task-status"
CUSTOM_FIELDS = "/api/v1/custom-field"
CASES = "/api/v1/cases"
PLANS = "/api/v1/plans"


NOT_INT = "The :a field must be an integer."
TOO_LONG_255 = "The :a field must not be greater than 255 characters."


def invalid(errors: dict[str, list[str]]) -> dict[str, Any]:
    """The 422 body for these errors: the first message and a count of the rest."""
    messages = [m for field in errors.values() for m in field]
    rest = len(messages) - 1
    suffix = f" (and {rest} more error{'s' if rest > 1 else ''})" if rest else ""
    return {"message": messages[0] + suffix, "errors": errors}


def one_error(field: str, template: str) -> dict[str, Any]:
    return invalid({field: [say(template, field)]})


def not_allowed(kind: str, names: str, allowed: str) -> dict[str, str]:
    verb = "is" if kind == "sort" else "are"
    return {
        "message": f"Requested {kind}(s) `{names}` {verb} not allowed. "
        f"Allowed {kind}(s) are `{allowed}`."
    }


async def listed(actor: Actor, path: str, **params: str) -> list[str]:
    """UUIDs the actor sees in a list (one big page, in list order)."""
    response = await actor.get(path, params={"per_page": "500", **params})
    assert response.status_code == 200, response.text
    return [item["uuid"] for item in response.json()["data"]]


async def assert_rejected(
    actor: Actor, response: httpx.Response, status: int, body: Any, path: str, before: int
) -> None:
    """The exact status and body, and the collection unchanged in size."""
    assert_body(response, status, body)
    assert await total(actor, path) == before


def assert_meta(body: dict[str, Any], *, total: int, page: int, per_page: int) -> None:
    assert set(body) == PAGE_KEYS
    assert set(body["meta"]) == META_KEYS
    count = max(0, min(per_page, total - (page - 1) * per_page))
    meta = body["meta"]
    assert (meta["current_page"], meta["per_page"], meta["total"]) == (page, per_page, total)
    assert meta["last_page"] == max(1, -(-total // per_page))
    assert meta["from"] == ((page - 1) * per_page + 1 if count else None)
    assert meta["to"] == ((page - 1) * per_page + count if count else None)
    assert len(body["data"]) == count

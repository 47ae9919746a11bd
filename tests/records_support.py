"""Shared by the task-status, custom-field, case and plan suites: a firm with one login per
kind of caller, fixed error bodies, the 422 body builder and list helpers."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

import httpx
from fastapi import FastAPI

from tests.helpers import Actor, Firm, new_firm

TASK_STATUSES = "/api/v1/task-status"
CUSTOM_FIELDS = "/api/v1/custom-field"
CASES = "/api/v1/cases"
PLANS = "/api/v1/plans"

UNAUTHORIZED = {"message": "This action is unauthorized."}
NOT_FOUND = {"message": "Not found."}
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
COMPACT_KEYS = {"uuid", "type", "role", "first_name", "last_name", "name", "email", "photo_url"}
PAGE_KEYS = {"data", "links", "meta"}
META_KEYS = {"current_page", "from", "last_page", "path", "per_page", "to", "total"}

REQUIRED = "The :a field is required."
INVALID = "The selected :a is invalid."
DUPLICATE = "The :a field has a duplicate value."
NOT_UUID = "The :a field must be a valid UUID."
NOT_STRING = "The :a field must be a string."
NOT_ARRAY = "The :a field must be an array."
NOT_BOOL = "The :a field must be true or false."
NOT_INT = "The :a field must be an integer."
HAS_NUL = "The :a field must not contain NUL characters."
TOO_LONG_255 = "The :a field must not be greater than 255 characters."


def say(template: str, field: str) -> str:
    """A Laravel sentence for a field: underscores read as spaces."""
    return template.replace(":a", field.replace("_", " "))


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


def assert_body(response: httpx.Response, status: int, body: Any) -> None:
    assert response.status_code == status, response.text
    assert response.json() == body


def photo_url(name: str) -> str:
    return f"http://test/avatar.svg?name={quote_plus(name)}"


def compact_of(resource: dict[str, Any]) -> dict[str, Any]:
    """The compact account expected for a full account resource."""
    return {k: resource[k] for k in COMPACT_KEYS}


def unknown() -> str:
    return str(uuid.uuid4())


async def listed(actor: Actor, path: str, **params: str) -> list[str]:
    """UUIDs the actor sees in a list (one big page, in list order)."""
    response = await actor.get(path, params={"per_page": "500", **params})
    assert response.status_code == 200, response.text
    return [item["uuid"] for item in response.json()["data"]]


async def total(actor: Actor, path: str) -> int:
    response = await actor.get(path, params={"per_page": "1"})
    assert response.status_code == 200, response.text
    return int(response.json()["meta"]["total"])


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


@dataclass
class Cast:
    """A firm shared by a test package, with one login per kind of caller."""

    firm: Firm
    admin: Actor
    member: Actor
    readonly: Actor  # an admin whose login has neither write nor delete permission
    nodelete: Actor  # an admin whose login may write but not delete
    client: Actor  # a client account with a login

    @property
    def owner(self) -> Actor:
        return self.firm.owner


async def cast(app: FastAPI, http: httpx.AsyncClient) -> Cast:
    firm = await new_firm(app, http)
    return Cast(
        firm,
        admin=await firm.actor(role="admin"),
        member=await firm.actor(role="member"),
        readonly=await firm.actor(role="admin", write=False, delete=False),
        nodelete=await firm.actor(role="admin", write=True, delete=False),
        client=await firm.actor(type="client", role="individual"),
    )

"""Expectations shared by the accounts, circles, groups and auth suites: resource key
sets, fixed error bodies, the 422 body builder and list helpers."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

import httpx
from fastapi import FastAPI
from sqlalchemy import func, text, update

from advisercrm.tables import personal_access_tokens
from tests.helpers import Actor, Firm, auth_settled, new_firm

ACCOUNTS = "/api/v1/account"
CLIENTS = "/api/v1/client"
CIRCLES = "/api/v1/circles"
GROUPS = "/api/v1/group"
LOGINS = "/api/v1/logins"
TOKENS = "/api/v1/personal-access-tokens"

ACCOUNT_KEYS = {
    "uuid",
    "created_at",
    "updated_at",
    "type",
    "role",
    "first_name",
    "last_name",
    "name",
    "email",
    "photo_url",
    "assigned_adviser",
    "assigned_administrator",
    "assigned_paraplanner",
    "introduced_by",
    "client_status",
    "owners",
    "circles",
    "inactive_at",
}
COMPACT_KEYS = {"uuid", "type", "role", "first_name", "last_name", "name", "email", "photo_url"}
CIRCLE_KEYS = {"uuid", "name", "accounts", "groups", "created_at", "updated_at"}
GROUP_KEYS = {
    "uuid",
    "name",
    "slug",
    "participants",
    "participants_count",
    "created_at",
    "updated_at",
}
LOGIN_FLAGS = (
    "receives_unread_notifications_email",
    "wealth_enabled",
    "goals_enabled",
    "factfind_enabled",
    "tasks_enabled",
    "welcome_enabled",
)
LOGIN_KEYS = {
    "uuid",
    "created_at",
    "updated_at",
    "has_write_permission",
    "has_delete_permission",
    "primary",
    "expires_at",
    *LOGIN_FLAGS,
    "first_name",
    "last_name",
    "email",
    "user_type",
    "is_impersonated",
    "preferred_account_uuid",
    "account",
    "firm",
}
FIRM_KEYS = {"uuid", "name", "currency", "timezone"}
TOKEN_KEYS = {"uuid", "name", "token", "account_uuid", "expires_at", "created_at"}
PAGE_KEYS = {"data", "links", "meta"}
LINK_KEYS = {"first", "last", "prev", "next"}
META_KEYS = {"links", "current_page", "from", "last_page", "path", "per_page", "to", "total"}

UNAUTHENTICATED = {"message": "Unauthenticated."}
UNAUTHORIZED = {"message": "This action is unauthorized."}
NOT_FOUND = {"message": "Not found."}
HEADER_REQUIRED = {"message": "The X-PLANNR-ACCOUNT-UUID header is required."}
NOT_YOUR_ACCOUNT = {
    "message": "The X-PLANNR-ACCOUNT-UUID header does not name an account this token may act as."
}

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

REQUIRED = "The :a field is required."
INVALID = "The selected :a is invalid."
DUPLICATE = "The :a field has a duplicate value."
NOT_UUID = "The :a field must be a valid UUID."
NOT_STRING = "The :a field must be a string."
NOT_ARRAY = "The :a field must be an array."
NOT_BOOL = "The :a field must be true or false."
HAS_NUL = "The :a field must not contain NUL characters."


def say(template: str, field: str) -> str:
    """A Laravel sentence for a field: underscores read as spaces."""
    return template.replace(":a", field.replace("_", " "))


def errors_of(*pairs: tuple[str, str]) -> dict[str, list[str]]:
    """{field: [sentence]} from (field, template) pairs, in order."""
    out: dict[str, list[str]] = {}
    for field, template in pairs:
        out.setdefault(field, []).append(say(template, field))
    return out


def message_of(errors: dict[str, list[str]]) -> str:
    messages = [m for ms in errors.values() for m in ms]
    rest = len(messages) - 1
    if rest == 0:
        return messages[0]
    return f"{messages[0]} (and {rest} more error{'s' if rest > 1 else ''})"


def assert_422(response: httpx.Response, errors: dict[str, list[str]]) -> None:
    assert response.status_code == 422, response.text
    assert response.json() == {"message": message_of(errors), "errors": errors}


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


def assert_page(
    body: dict[str, Any], *, total: int, path: str, page: int = 1, per_page: int = 15
) -> None:
    """The paginated body: data, links and meta, checked key by key."""
    assert set(body) == PAGE_KEYS
    assert set(body["links"]) == LINK_KEYS
    assert set(body["meta"]) == META_KEYS
    last_page = max(1, -(-total // per_page))
    count = max(0, min(per_page, total - (page - 1) * per_page))
    meta = body["meta"]
    assert meta["current_page"] == page
    assert meta["per_page"] == per_page
    assert meta["total"] == total
    assert meta["last_page"] == last_page
    assert meta["path"] == f"http://test{path}"
    assert meta["from"] == ((page - 1) * per_page + 1 if count else None)
    assert meta["to"] == ((page - 1) * per_page + count if count else None)
    assert len(body["data"]) == count
    assert body["links"]["first"].endswith("page=1")
    assert body["links"]["last"].endswith(f"page={last_page}")
    assert (body["links"]["prev"] is None) == (page == 1)
    assert (body["links"]["next"] is None) == (page >= last_page)
    pages = [link for link in meta["links"][1:-1] if link["url"]]
    assert [link["label"] for link in pages] == [str(n) for n in range(1, last_page + 1)]
    assert [link["label"] for link in pages if link["active"]] == [str(page)][: page <= last_page]
    assert meta["links"][0]["url"] == body["links"]["prev"]
    assert meta["links"][-1]["url"] == body["links"]["next"]


async def listed(actor: Actor, path: str, **params: str) -> list[str]:
    """UUIDs the actor sees in a list (one big page)."""
    response = await actor.get(path, params={"per_page": "500", **params})
    assert response.status_code == 200, response.text
    return [item["uuid"] for item in response.json()["data"]]


async def total(actor: Actor, path: str) -> int:
    response = await actor.get(path, params={"per_page": "1"})
    assert response.status_code == 200, response.text
    return int(response.json()["meta"]["total"])


async def employee(actor: Actor, role: str = "member", **extra: Any) -> dict[str, Any]:
    body = {"type": "employee", "role": role, "first_name": "Emp", "last_name": role, **extra}
    return await actor.created(ACCOUNTS, body)


async def joint(firm: Firm, owners: list[str], **extra: Any) -> dict[str, Any]:
    body = {"role": "joint", "name": "Joint Household", "owner_uuids": owners, **extra}
    return await firm.owner.created(CLIENTS, body)


def with_account(actor: Actor, account_uuid: str) -> Actor:
    """The same token acting as another account."""
    return Actor(actor.client, actor.token, account_uuid)


def with_token(actor: Actor, token: str) -> Actor:
    return Actor(actor.client, token, actor.account_uuid)


async def set_token_expiry(app: FastAPI, token_uuid: str, seconds_from_now: int) -> None:
    t = personal_access_tokens
    async with app.state.engine.begin() as conn:
        moment = func.now() + text(f"interval '{int(seconds_from_now)} seconds'")
        await conn.execute(update(t).where(t.c.uuid == token_uuid).values(expires_at=moment))
    await auth_settled(app)


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

"""Account requests and the account resource."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Annotated, Any, Literal
from urllib.parse import quote_plus

from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import PydanticCustomError

from advisercrm.kit.fields import Bool, DateStr, RecordUUID, Required, Str, UUIDStr
from advisercrm.kit.render import Ctx, date, timestamp
from advisercrm.tags.schemas import TagOut

ROLES: dict[str, tuple[str, ...]] = {
    "client": ("individual", "joint", "trust", "business"),
    "employee": ("owner", "admin", "member"),
    "external": ("introducer",),
}
SHARED_ROLES = ("joint", "trust", "business")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+\Z")
PASSWORD_MIN = 8


def is_email(value: str) -> bool:
    return bool(_EMAIL_RE.match(value)) and len(value) <= 255


def _email(value: str) -> str:
    if not is_email(value):
        raise PydanticCustomError("laravel", "The :attribute field must be a valid email address.")
    return value


Name = Annotated[Str, Field(max_length=255)]
Email = Annotated[Str, Field(max_length=255), AfterValidator(_email)]
AccountType = Literal["client", "employee", "external"]
Role = Literal["individual", "joint", "trust", "business", "owner", "admin", "member", "introducer"]


class LoginCreate(BaseModel):
    password: Annotated[Str, Field(min_length=PASSWORD_MIN, max_length=255)]
    has_write_permission: Bool = True
    has_delete_permission: Bool = True


class AccountFields(BaseModel):
    first_name: Name | None = None
    last_name: Name | None = None
    name: Name | None = None
    email: Email | None = None
    assigned_adviser_uuid: UUIDStr | None = None
    assigned_administrator_uuid: UUIDStr | None = None
    assigned_paraplanner_uuid: UUIDStr | None = None
    # An introducer (an external account) of the firm, and a client status of the firm.
    introduced_by_uuid: UUIDStr | None = None
    client_status_uuid: UUIDStr | None = None
    owner_uuids: Annotated[list[UUIDStr], Field(max_length=10)] | None = None
    inactive_at: DateStr | None = None
    # The groups the account takes part in, replaced as a whole (null on update: none).
    groups: Annotated[list[RecordUUID], Field(max_length=500)] | None = None


class AccountCreate(AccountFields):
    type: AccountType
    role: Role
    login: LoginCreate | None = None


class ClientCreate(AccountFields):
    role: Literal["individual", "joint", "trust", "business"] = "individual"
    login: LoginCreate | None = None


class AccountUpdate(AccountFields):
    # Absent keeps the role; an explicit null is refused like any other required field.
    role: Annotated[Role | None, Required] = None


# The same few names recur on every page (advisers, owners): quoting one costs more than
# the rest of its photo URL, so each is quoted once (bounded: names come from clients).
_quoted = lru_cache(maxsize=4096)(quote_plus)


def photo_url(name: str, ctx: Ctx) -> str:
    return f"{ctx.base_url}avatar.svg?name={_quoted(name)}"


def compact(row: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    return {
        "uuid": str(row["uuid"]),
        "type": row["type"],
        "role": row["role"],
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "name": row["name"],
        "email": row["email"],
        "photo_url": photo_url(row["name"], ctx),
    }


def _maybe_compact(row: dict[str, Any] | None, ctx: Ctx) -> dict[str, Any] | None:
    return compact(row, ctx) if row else None


def _moment(value: Any) -> dt.datetime:
    # An embedded client status arrives as JSON, its times as seconds since the epoch.
    return dt.datetime.fromtimestamp(float(value), dt.UTC)


def _client_status(row: dict[str, Any] | None, ctx: Ctx) -> dict[str, Any] | None:
    """The client status as /api/v1/client-status shows it."""
    if row is None:
        return None
    return {
        "name": row["name"],
        "uuid": str(row["uuid"]),
        "colour": row["colour"],
        "created_at": timestamp(_moment(row["created_at"]), ctx),
        "updated_at": timestamp(_moment(row["updated_at"]), ctx),
    }


def account(row: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    """The account resource, from a row its description loads (`ACCOUNTS.load`)."""
    return {
        "uuid": str(row["uuid"]),
        "created_at": timestamp(row["created_at"], ctx),
        "updated_at": timestamp(row["updated_at"], ctx),
        "type": row["type"],
        "role": row["role"],
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "name": row["name"],
        "email": row["email"],
        "photo_url": photo_url(row["name"], ctx),
        "assigned_adviser": _maybe_compact(row["assigned_adviser"], ctx),
        "assigned_administrator": _maybe_compact(row["assigned_administrator"], ctx),
        "assigned_paraplanner": _maybe_compact(row["assigned_paraplanner"], ctx),
        "introduced_by": _maybe_compact(row["introduced_by"], ctx),
        "client_status": _client_status(row["client_status"], ctx),
        "owners": [compact(o, ctx) for o in row["owners"]],
        "circles": [
            {
                "uuid": str(c["uuid"]),
                "name": c["name"],
                "login_access_level": c["login_access_level"],
            }
            for c in row["circles"]
        ],
        "inactive_at": date(row["inactive_at"]),
    }


class CompactAccountOut(BaseModel):
    uuid: str
    type: str
    role: str
    first_name: str | None
    last_name: str | None
    name: str
    email: str | None
    photo_url: str


class ClientStatusOut(BaseModel):
    name: str
    uuid: str
    colour: str
    created_at: str
    updated_at: str


class CompactCircleOut(BaseModel):
    uuid: str
    name: str
    login_access_level: Literal["read", "write"] | None


class AccountOut(BaseModel):
    uuid: str
    created_at: str
    updated_at: str
    type: str
    role: str
    first_name: str | None
    last_name: str | None
    name: str
    email: str | None
    photo_url: str
    assigned_adviser: CompactAccountOut | None
    assigned_administrator: CompactAccountOut | None
    assigned_paraplanner: CompactAccountOut | None
    introduced_by: CompactAccountOut | None
    client_status: ClientStatusOut | None
    owners: list[CompactAccountOut]
    circles: list[CompactCircleOut]
    inactive_at: dt.date | None = Field(description="YYYY-MM-DD")
    tags: list[TagOut] | None = Field(None, description="Only with include=tags (lists)")

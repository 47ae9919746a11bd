"""Login and personal-access-token requests and resources."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import PydanticCustomError

from advisercrm.kit.fields import Str, UUIDStr
from advisercrm.kit.render import Ctx, timestamp


def _future_date(value: Any) -> dt.datetime:
    parsed: dt.datetime | None = None
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            parsed = None
    if parsed is None:
        raise PydanticCustomError("laravel", "The :attribute field must be a valid date.")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    if parsed <= dt.datetime.now(dt.UTC):
        raise PydanticCustomError("laravel", "The :attribute field must be a date after now.")
    return parsed


class TokenCreate(BaseModel):
    name: Annotated[Str, Field(min_length=1, max_length=255)]
    password: Annotated[Str, Field(min_length=1, max_length=1024)]
    account_uuid: UUIDStr | None = None
    expires_at: Annotated[Str, AfterValidator(_future_date)] | None = None


class TokenOut(BaseModel):
    uuid: str
    name: str
    token: str | None = Field(description="The plain token: shown in the create response only.")
    account_uuid: str | None
    expires_at: str | None
    created_at: str


def token(row: dict[str, Any], plain: str | None, account_uuid: Any, ctx: Ctx) -> dict[str, Any]:
    return {
        "uuid": str(row["uuid"]),
        "name": row["name"],
        "token": plain,
        "account_uuid": str(account_uuid) if account_uuid else None,
        "expires_at": timestamp(row["expires_at"], ctx),
        "created_at": timestamp(row["created_at"], ctx),
    }

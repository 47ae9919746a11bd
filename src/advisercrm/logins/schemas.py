"""Login requests and the login resource (an account's logins, and the caller's own)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from advisercrm.accounts.repository import COMPACT
from advisercrm.accounts.schemas import CompactAccountOut, Email, Name, compact
from advisercrm.kit.body import Body
from advisercrm.kit.render import Ctx, timestamp
from advisercrm.kit.times import parse_datetime
from advisercrm.tables import LOGIN_FLAGS

# Laravel's `boolean` rule: these and nothing else (Plannr's own examples send "1").
_BOOLEANS: dict[str, bool] = {"1": True, "0": False, "true": True, "false": False}


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return value == 1
    if isinstance(value, str) and value in _BOOLEANS:
        return _BOOLEANS[value]
    raise PydanticCustomError("laravel", "The :attribute field must be true or false.")


def _required_flag(value: Any) -> bool:
    if value is None:
        raise PydanticCustomError("laravel", "The :attribute field is required.")
    return _flag(value)


def _moment(value: Any) -> dt.datetime | None:
    """Laravel's `nullable|date`: blank or null is no expiry; a naive moment is the
    firm's wall-clock time (`kit.times.in_zone`, where the firm is known)."""
    if value is None or value == "":
        return None
    return parse_datetime(value)


Flag = Annotated[bool, BeforeValidator(_flag)]
RequiredFlag = Annotated[bool, BeforeValidator(_required_flag)]
# Absent leaves the value as it is; null, like any value but a boolean, is refused.
MaybeFlag = Annotated[bool | None, BeforeValidator(_flag)]
Moment = Annotated[dt.datetime | None, BeforeValidator(_moment)]
RequiredName = Annotated[Name, Field(min_length=1)]


class LoginCreate(Body):
    first_name: RequiredName
    last_name: RequiredName
    email: Email
    expires_at: Moment = None
    has_write_permission: Flag = True
    has_delete_permission: Flag = True
    receives_unread_notifications_email: Flag = False
    wealth_enabled: Flag = False
    goals_enabled: Flag = False
    factfind_enabled: Flag = False
    tasks_enabled: Flag = False
    welcome_enabled: Flag = False


class LoginUpdate(Body):
    # Absent leaves the expiry as it is; blank or null removes it.
    expires_at: Moment = None
    # true makes this the account's one primary login; absent leaves it as it is.
    primary: MaybeFlag = None
    has_write_permission: RequiredFlag
    has_delete_permission: RequiredFlag
    wealth_enabled: RequiredFlag
    goals_enabled: RequiredFlag
    factfind_enabled: RequiredFlag
    tasks_enabled: RequiredFlag
    welcome_enabled: MaybeFlag = None
    receives_unread_notifications_email: MaybeFlag = None


class FirmOut(BaseModel):
    uuid: str
    name: str
    currency: str
    timezone: str


class LoginOut(BaseModel):
    uuid: str
    created_at: str
    updated_at: str
    expires_at: str | None
    has_write_permission: bool
    has_delete_permission: bool
    primary: bool
    receives_unread_notifications_email: bool
    wealth_enabled: bool
    goals_enabled: bool
    factfind_enabled: bool
    tasks_enabled: bool
    welcome_enabled: bool
    first_name: str | None
    last_name: str | None
    email: str
    user_type: str = Field(description="The type of the account the login acts as.")
    is_impersonated: bool
    preferred_account_uuid: str = Field(
        description="The account to name in X-PLANNR-ACCOUNT-UUID when acting through it."
    )
    account: CompactAccountOut
    firm: FirmOut


def login(row: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    """A login, from a row of `logins.repository.COLUMNS`."""
    account = compact({key: row[f"account_{key}"] for key in COMPACT}, ctx)
    return {
        "uuid": str(row["uuid"]),
        "created_at": timestamp(row["created_at"], ctx),
        "updated_at": timestamp(row["updated_at"], ctx),
        "expires_at": timestamp(row["expires_at"], ctx),
        "has_write_permission": row["has_write_permission"],
        "has_delete_permission": row["has_delete_permission"],
        "primary": row["is_primary"],
        **{flag: row[flag] for flag in LOGIN_FLAGS},
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "email": row["email"],
        "user_type": row["account_type"],
        "is_impersonated": False,
        "preferred_account_uuid": account["uuid"],
        "account": account,
        "firm": {
            "uuid": str(row["firm_uuid"]),
            "name": row["firm_name"],
            "currency": row["currency"],
            "timezone": row["timezone"],
        },
    }

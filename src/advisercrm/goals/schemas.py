"""Goal requests and the goal resource (docs/API.md, Goals)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, Strict

from advisercrm.accounts.schemas import SHARED_ROLES, AccountOut
from advisercrm.circles.schemas import CircleOut
from advisercrm.kit.body import Body
from advisercrm.kit.fields import Bool, DateStr, Int, Pennies, Required, UUIDStr, clean_text
from advisercrm.kit.render import Ctx, MoneyOut, day_start, money, timestamp


def _clean(value: Any) -> Any:
    """NUL bytes and lone surrogates get their own message (PostgreSQL stores neither);
    other types fall through to the strict string check."""
    return clean_text(value) if isinstance(value, str) else value


# The text check runs before, and the length rules on, the string itself: they then fail
# as string_too_short/_long, which read "characters", not as a generic "items" rule, and
# a lone surrogate never reaches pydantic's own (untranslated) unicode error.
Text = BeforeValidator(_clean)
GoalName = Annotated[str, Strict(), Field(min_length=1, max_length=255), Text]
Description = Annotated[str, Strict(), Field(max_length=5000), Text]
Timeframe = Annotated[str, Strict(), Field(max_length=255), Text]
Owners = Annotated[list[UUIDStr], Field(min_length=1, max_length=50)]
Amount = Annotated[Pennies, Field(ge=0, le=10**15)]
Progress = Annotated[Int, Field(ge=0, le=100)]
Priority = Annotated[Int, Field(ge=1, le=5)]


CircleUuids = Annotated[list[UUIDStr], Field(max_length=50)]
# A read shows complete_goal_by as the start of that day in the firm's zone: written
# back, it is that day.
_DAY_START = re.compile(r"^(\d{4}-\d{2}-\d{2})T00:00:00[+-]\d{2}:\d{2}$")


def _day_shown(value: Any) -> Any:
    match = _DAY_START.match(value) if isinstance(value, str) else None
    return match.group(1) if match else value


GoalDay = Annotated[DateStr, BeforeValidator(_day_shown)]


class _GoalFields(Body):
    # Fields in the documented order, which is the order their errors are reported in.
    account_uuids: Annotated[Owners | None, Required] = None
    name: Annotated[GoalName | None, Required] = None
    description: Description | None = None
    target_amount: Amount | None = None
    progress: Progress | None = None
    timeframe: Timeframe | None = None
    complete_goal_by: GoalDay | None = None
    priority: Priority | None = None
    show_on_circles: Bool | None = None
    visible_to_circles_uuids: CircleUuids | None = None


class GoalCreate(_GoalFields):
    # Redeclared fields keep their place in _GoalFields' order.
    account_uuids: Annotated[Owners, Required]
    name: Annotated[GoalName, Required]
    show_on_circles: Bool = False


class GoalUpdate(_GoalFields):
    shown_on_circles: Bool | None = Field(
        default=None, description="Accepted spelling of show_on_circles."
    )


COLUMNS = (
    "name",
    "description",
    "target_amount",
    "progress",
    "timeframe",
    "complete_goal_by",
    "priority",
)


class ClientGoalUpdate(Body):
    """PUT /api/v1/client/{client_uuid}/goal/{uuid}: the goal's own columns, by the
    rules of the v2 body (owners and circles change through v2)."""

    name: Annotated[GoalName | None, Required] = None
    description: Description | None = None
    target_amount: Amount | None = None
    progress: Progress | None = None
    timeframe: Timeframe | None = None
    complete_goal_by: GoalDay | None = None
    priority: Priority | None = None
    shared_owner_uuid: UUIDStr | None = None


class GoalOut(BaseModel):
    uuid: str
    created_at: str
    updated_at: str
    name: str
    description: str | None
    target_amount: MoneyOut | None
    progress: str | None
    timeframe: str | None
    complete_goal_by: str | None
    priority: str | None
    shared_owner_type: str
    shared_owner: AccountOut | None
    show_on_circles: bool
    accounts: list[AccountOut]
    visible_to_circles: list[CircleOut]


def shared_owner_type(owners: list[dict[str, Any]], owner_count: int) -> str:
    """From all the goal's owners, shown or not: a goal owned by one account the viewer
    may not open would not be visible, so a sole owner is always among `owners`."""
    if owner_count != 1:
        return "shared"
    role = str(owners[0]["role"])
    return role if role in SHARED_ROLES else "individual"


def _text(value: int | None) -> str | None:
    return str(value) if value is not None else None


def goal(
    row: dict[str, Any], owners: list[dict[str, Any]], circles: list[dict[str, Any]], ctx: Ctx
) -> dict[str, Any]:
    """The goal resource; owners and circles are the already-rendered resources the viewer
    may open, `row["owner_ids"]` all the goal's owners."""
    complete_by: dt.date | None = row["complete_goal_by"]
    return {
        "uuid": str(row["uuid"]),
        "created_at": timestamp(row["created_at"], ctx),
        "updated_at": timestamp(row["updated_at"], ctx),
        "name": row["name"],
        "description": row["description"],
        "target_amount": money(row["target_amount"], ctx.currency),
        "progress": _text(row["progress"]),
        "timeframe": row["timeframe"],
        "complete_goal_by": day_start(complete_by, ctx),
        "priority": _text(row["priority"]),
        "shared_owner_type": shared_owner_type(owners, len(row["owner_ids"])),
        "shared_owner": owners[0] if len(row["owner_ids"]) == 1 else None,
        "show_on_circles": row["show_on_circles"],
        "accounts": owners,
        "visible_to_circles": circles,
    }

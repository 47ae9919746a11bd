"""Circle requests and the circle resource."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from advisercrm.accounts.schemas import CompactAccountOut, compact, photo_url
from advisercrm.kit.body import Body
from advisercrm.kit.fields import Str, UUIDStr
from advisercrm.kit.render import Ctx, timestamp
from advisercrm.task_statuses.description import PALETTE
from advisercrm.task_statuses.schemas import Colour

# The most accounts a circle holds.
MOST = 100

Members = Annotated[list[UUIDStr], Field(min_length=1, max_length=MOST)]
Groups = Annotated[list[UUIDStr], Field(max_length=500)]
CircleName = Annotated[Str, Field(min_length=1, max_length=255)]


class Member(BaseModel):
    """A member as `accounts` names it. Other keys are ignored, so the accounts a circle
    shows can be written back as they are (each keeping its access level)."""

    uuid: UUIDStr
    login_access_level: Literal["read", "write"] | None = None


MemberObjects = Annotated[list[Member], Field(min_length=1, max_length=MOST)]


class CircleCreate(Body):
    name: CircleName
    bg_colour: Colour | None = None
    account_uuids: Members | None = None
    accounts: MemberObjects | None = None
    group_uuids: Groups = Field(default_factory=list)
    current_life_stage_uuid: UUIDStr | None = None


class CircleUpdate(Body):
    name: CircleName | None = None
    bg_colour: Colour | None = None
    account_uuids: Members | None = None
    accounts: MemberObjects | None = None
    group_uuids: Groups | None = None
    current_life_stage_uuid: UUIDStr | None = None


class CompactGroupOut(BaseModel):
    uuid: str
    name: str
    slug: str


class FirmOut(BaseModel):
    uuid: str
    name: str
    currency: str
    timezone: str
    created_at: str
    updated_at: str


class CircleOut(BaseModel):
    uuid: str
    name: str
    photo_url: str
    bg_colour: str = Field(examples=["#DDDDDD"])
    accounts: list[CompactAccountOut]
    groups: list[CompactGroupOut]
    joint_account_uuid: str | None
    external_references: list[dict[str, Any]]
    current_life_stage_uuid: str | None
    created_at: str
    updated_at: str
    firm: FirmOut | None = Field(None, description="Only with include=firm")


def bg_colour(row: dict[str, Any]) -> str:
    """The colour given, or (none given, or null) one of the palette's, by the circle."""
    return str(row["bg_colour"] or PALETTE[uuid.UUID(str(row["uuid"])).int % len(PALETTE)])


def circle(row: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    members = sorted(row["accounts"], key=lambda a: (a["name"], a["uuid"]))
    # The household's joint client, among the members the viewer may open.
    joint = next((str(a["uuid"]) for a in members if a["role"] == "joint"), None)
    return {
        "uuid": str(row["uuid"]),
        "name": row["name"],
        "photo_url": photo_url(row["name"], ctx),
        "bg_colour": bg_colour(row),
        "accounts": [compact(a, ctx) for a in members],
        "groups": [
            {"uuid": str(g["uuid"]), "name": g["name"], "slug": g["slug"]}
            for g in sorted(row["groups"], key=lambda g: (g["name"], g["uuid"]))
        ],
        "joint_account_uuid": joint,
        # No external system references circles here.
        "external_references": [],
        "current_life_stage_uuid": _text(row["current_life_stage_uuid"]),
        "created_at": timestamp(row["created_at"], ctx),
        "updated_at": timestamp(row["updated_at"], ctx),
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def firm(row: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    """The circle's firm (`include=firm`), its times as seconds since the epoch."""
    return {
        "uuid": str(row["uuid"]),
        "name": row["name"],
        "currency": row["currency"],
        "timezone": row["timezone"],
        "created_at": timestamp(_moment(row["created_at"]), ctx),
        "updated_at": timestamp(_moment(row["updated_at"]), ctx),
    }


def _moment(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(float(seconds), dt.UTC)

"""Circle requests and the circle resource."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import BaseModel, Field

from advisercrm.accounts.schemas import CompactAccountOut, compact, photo_url
from advisercrm.kit.body import Body
from advisercrm.kit.fields import Str, UUIDStr
from advisercrm.kit.render import Ctx, timestamp
from advisercrm.task_statuses.description import PALETTE
from advisercrm.task_statuses.schemas import Colour

Members = Annotated[list[UUIDStr], Field(min_length=2, max_length=50)]
Groups = Annotated[list[UUIDStr], Field(max_length=500)]
CircleName = Annotated[Str, Field(min_length=1, max_length=255)]


class CircleCreate(Body):
    name: CircleName
    bg_colour: Colour | None = None
    account_uuids: Members
    group_uuids: Groups = Field(default_factory=list)


class CircleUpdate(Body):
    name: CircleName | None = None
    bg_colour: Colour | None = None
    account_uuids: Members | None = None
    group_uuids: Groups | None = None


class CompactGroupOut(BaseModel):
    uuid: str
    name: str
    slug: str


class CircleOut(BaseModel):
    uuid: str
    name: str
    photo_url: str
    bg_colour: str = Field(examples=["#DDDDDD"])
    accounts: list[CompactAccountOut]
    groups: list[CompactGroupOut]
    joint_account_uuid: str | None
    external_references: list[dict[str, Any]]
    created_at: str
    updated_at: str


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
        "created_at": timestamp(row["created_at"], ctx),
        "updated_at": timestamp(row["updated_at"], ctx),
    }

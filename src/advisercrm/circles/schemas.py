"""Circle requests and the circle resource."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from advisercrm.accounts.schemas import CompactAccountOut, compact
from advisercrm.kit.body import Body
from advisercrm.kit.fields import Str, UUIDStr
from advisercrm.kit.render import Ctx, timestamp

Members = Annotated[list[UUIDStr], Field(min_length=2, max_length=50)]
Groups = Annotated[list[UUIDStr], Field(max_length=500)]
CircleName = Annotated[Str, Field(min_length=1, max_length=255)]


class CircleCreate(Body):
    name: CircleName
    account_uuids: Members
    group_uuids: Groups = Field(default_factory=list)


class CircleUpdate(Body):
    name: CircleName | None = None
    account_uuids: Members | None = None
    group_uuids: Groups | None = None


class CompactGroupOut(BaseModel):
    uuid: str
    name: str
    slug: str


class CircleOut(BaseModel):
    uuid: str
    name: str
    accounts: list[CompactAccountOut]
    groups: list[CompactGroupOut]
    created_at: str
    updated_at: str


def circle(row: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    return {
        "uuid": str(row["uuid"]),
        "name": row["name"],
        "accounts": [
            compact(a, ctx) for a in sorted(row["accounts"], key=lambda a: (a["name"], a["uuid"]))
        ],
        "groups": [
            {"uuid": str(g["uuid"]), "name": g["name"], "slug": g["slug"]}
            for g in sorted(row["groups"], key=lambda g: (g["name"], g["uuid"]))
        ],
        "created_at": timestamp(row["created_at"], ctx),
        "updated_at": timestamp(row["updated_at"], ctx),
    }

"""Group requests and the group resource."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from advisercrm.accounts.schemas import CompactAccountOut, compact
from advisercrm.kit.body import Body
from advisercrm.kit.fields import RecordUUID, Str
from advisercrm.kit.render import Ctx

Participants = Annotated[list[RecordUUID], Field(max_length=500)]


class GroupCreate(Body):
    name: Annotated[Str, Field(min_length=1, max_length=255)]
    participants: Participants = Field(default_factory=list)


class GroupUpdate(Body):
    name: Annotated[Str, Field(min_length=1, max_length=255)] | None = None
    participants: Participants | None = None


class GroupOut(BaseModel):
    uuid: str
    name: str
    slug: str
    participants: list[CompactAccountOut]
    participants_count: int


def group(row: dict[str, Any], ctx: Ctx) -> dict[str, Any]:
    participants = sorted(row["participants"], key=lambda p: (p["name"], p["uuid"]))
    return {
        "uuid": str(row["uuid"]),
        "name": row["name"],
        "slug": row["slug"],
        "participants": [compact(p, ctx) for p in participants],
        "participants_count": len(participants),
    }

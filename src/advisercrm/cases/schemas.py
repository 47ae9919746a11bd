"""Case requests and the case resource (docs/API.md, Cases; also a task's `taskable`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, Strict

from advisercrm.accounts.schemas import CompactAccountOut, compact
from advisercrm.case_lookups import case_fields
from advisercrm.case_lookups.schemas import CaseStatusOut, CaseTypeOut, Named
from advisercrm.kit.body import Body
from advisercrm.kit.fields import Pennies, RecordUUID, Required, UUIDStr, clean_text
from advisercrm.kit.render import Ctx, MoneyOut, money, timestamp
from advisercrm.kit.times import parse_datetime
from advisercrm.tags.schemas import TagOut

# Length rules sit on the string itself so they fail as string_too_short/_long.
CaseName = Annotated[str, Strict(), Field(min_length=1, max_length=255), AfterValidator(clean_text)]
Participants = Annotated[list[RecordUUID], Field(min_length=1, max_length=50)]
Assignees = Annotated[list[UUIDStr], Field(max_length=50)]
Groups = Annotated[list[UUIDStr], Field(max_length=50)]
Plans = Annotated[list[Named], Field(max_length=100)]
Value = Annotated[Pennies, Field(ge=0, le=10**15, description="Pennies (minor units).")]
Moment = Annotated[
    dt.datetime,
    BeforeValidator(parse_datetime),
    Field(description="YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or ISO 8601; read in the firm's zone"),
]


class _CaseFields(Body):
    # Fields in the documented order, which is the order their errors are reported in.
    name: Annotated[CaseName | None, Required] = None
    participants: Annotated[Participants | None, Required] = None
    assigned_to_uuids: Assignees | None = None
    group_uuids: Groups | None = None
    status: Named | None = None
    review_at: Moment | None = None
    type: Named | None = None
    value: Value | None = None
    plans: Plans | None = None


class CaseCreate(_CaseFields):
    name: Annotated[CaseName, Required]
    participants: Annotated[Participants, Required]


class CaseUpdate(_CaseFields):
    """Every field optional; only the given ones change (null clears a nullable one)."""


class CasePlanOut(BaseModel):
    uuid: str
    name: str
    type: str
    status: str
    policy_number: str | None
    created_at: str
    updated_at: str


class CaseOut(BaseModel):
    uuid: str
    name: str
    value: MoneyOut | None
    review_at: str | None
    participants: list[CompactAccountOut]
    participants_count: int
    assigned_to_uuids: list[str]
    group_uuids: list[str]
    status: CaseStatusOut | None
    type: CaseTypeOut | None
    completed_at: str | None
    plans: list[CasePlanOut]
    created_at: str
    updated_at: str
    tags: list[TagOut] | None = Field(None, description="Only with include=tags (lists)")


def case(row: Mapping[Any, Any], ctx: Ctx) -> dict[str, Any]:
    """The case resource, from a row loaded by CaseRepository.load."""
    participants = row["participants"]
    return {
        "uuid": str(row["uuid"]),
        "name": row["name"],
        "value": money(row["value"], ctx.currency),
        "review_at": timestamp(row["review_at"], ctx),
        "participants": [compact(p, ctx) for p in participants],
        "participants_count": len(participants),
        "assigned_to_uuids": [str(u) for u in row["assigned_to_uuids"]],
        "group_uuids": [str(u) for u in row["group_uuids"]],
        **case_fields.render(row, ctx),
        "created_at": timestamp(row["created_at"], ctx),
        "updated_at": timestamp(row["updated_at"], ctx),
    }

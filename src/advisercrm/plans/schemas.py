"""Plan requests and the plan resource (docs/API.md, Plans)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, Strict

from advisercrm.accounts.schemas import CompactAccountOut, compact
from advisercrm.kit.body import Body
from advisercrm.kit.fields import RecordUUID, Required, clean_text
from advisercrm.kit.render import Ctx, timestamp
from advisercrm.tags.schemas import TagOut

PLAN_TYPES = (
    "annuity",
    "cash_account",
    "fixed_asset",
    "general_insurance",
    "group_protection",
    "investment",
    "loan_credit",
    "mortgage",
    "pension",
    "protection_policy",
)
STATUSES = ("active", "inactive", "proposed")
PlanType = Literal[
    "annuity",
    "cash_account",
    "fixed_asset",
    "general_insurance",
    "group_protection",
    "investment",
    "loan_credit",
    "mortgage",
    "pension",
    "protection_policy",
]
PlanStatus = Literal["active", "inactive", "proposed"]


# Length rules sit on the string itself so they fail as string_too_short/_long.
PlanName = Annotated[str, Strict(), Field(min_length=1, max_length=255), AfterValidator(clean_text)]
PolicyNumber = Annotated[str, Strict(), Field(max_length=255), AfterValidator(clean_text)]
Owners = Annotated[
    list[RecordUUID], Field(min_length=1, max_length=10, description="Client account UUIDs.")
]


class _PlanFields(Body):
    # Fields in the documented order, which is the order their errors are reported in.
    name: Annotated[PlanName | None, Required] = None
    type: Annotated[PlanType | None, Required] = None
    accounts: Annotated[Owners | None, Required] = None
    policy_number: PolicyNumber | None = None
    status: Annotated[PlanStatus | None, Required] = None


class PlanCreate(_PlanFields):
    name: Annotated[PlanName, Required]
    type: Annotated[PlanType, Required]
    accounts: Annotated[Owners, Required]
    status: Annotated[PlanStatus, Required] = "active"


class PlanUpdate(_PlanFields):
    """Every field optional; only the given ones change (null clears policy_number)."""


class PlanOut(BaseModel):
    uuid: str
    name: str
    type: PlanType
    policy_number: str | None
    status: PlanStatus
    accounts: list[CompactAccountOut]
    created_at: str
    updated_at: str
    tags: list[TagOut] | None = Field(None, description="Only with include=tags (lists)")


def plan(row: Mapping[Any, Any], ctx: Ctx) -> dict[str, Any]:
    """The plan resource, from a row loaded by PlanRepository.load."""
    return {
        "uuid": str(row["uuid"]),
        "name": row["name"],
        "type": row["type"],
        "policy_number": row["policy_number"],
        "status": row["status"],
        "accounts": [compact(a, ctx) for a in row["accounts"]],
        "created_at": timestamp(row["created_at"], ctx),
        "updated_at": timestamp(row["updated_at"], ctx),
    }

"""Plan requests and the plan resource (docs/API.md, Plans)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, Strict
from pydantic_core import PydanticCustomError

from advisercrm.accounts.schemas import CompactAccountOut, compact
from advisercrm.kit.body import Body
from advisercrm.kit.fields import Number, Required, UUIDStr, clean_text, parse_uuid
from advisercrm.kit.render import Ctx, timestamp
from advisercrm.tags.schemas import TagOut

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
PLAN_TYPES: tuple[str, ...] = get_args(PlanType)
PlanStatus = Literal["active", "inactive", "proposed"]
STATUSES: tuple[str, ...] = get_args(PlanStatus)


# Length rules sit on the string itself so they fail as string_too_short/_long.
PlanName = Annotated[str, Strict(), Field(min_length=1, max_length=255), AfterValidator(clean_text)]
PolicyNumber = Annotated[str, Strict(), Field(max_length=255), AfterValidator(clean_text)]
HUNDRED, HUNDREDTH = Decimal(100), Decimal("0.01")


def _fail(template: str) -> PydanticCustomError:
    return PydanticCustomError("laravel", template)


def _percentage(value: Decimal) -> Decimal:
    if not 0 <= value <= HUNDRED:
        raise _fail("The :attribute field must be between 0 and 100.")
    # Compared exactly (normalize() would round 35 digits to 28 and let them through);
    # kept in hundredths, the column's own form ("0e-99999" would not fit it as written).
    hundredths = value.quantize(HUNDREDTH)
    if value != hundredths:
        raise _fail("The :attribute field must have 0-2 decimal places.")
    return hundredths


Percentage = Annotated[Number, AfterValidator(_percentage)]


class Owner(BaseModel):
    """An owner of the plan and its share in percent (None: an equal part of what the
    other owners' shares leave)."""

    uuid: Annotated[UUIDStr, Required]
    percentage: Percentage | None = None


def _owner(value: Any) -> Any:
    """An owner given by its UUID alone, or as an object: `{uuid, percentage}`, or the
    account a plan shows (its other keys ignored), so a plan read can be written back."""
    if isinstance(value, dict):
        return value
    parse_uuid(value)  # a bad one is reported as the item itself (`accounts.1`)
    return {"uuid": value}


def _shares(owners: list[Owner]) -> list[Owner]:
    """Every owner's share: those given none split equally what the others leave, in
    hundredths, the first of them taking the hundredths left over; the shares then add
    up to exactly 100, or the list is refused."""
    unset = [i for i, owner in enumerate(owners) if owner.percentage is None]
    left = HUNDRED - sum(o.percentage for o in owners if o.percentage is not None)
    if left < 0 or (left > 0 and not unset):
        raise _fail("The :attribute percentages must add up to 100.")
    if unset:
        base, spare = divmod(int(left * 100), len(unset))
        for k, i in enumerate(unset):
            share = Decimal(base + (k < spare)) / 100
            owners[i] = owners[i].model_copy(update={"percentage": share})
    return owners


Owners = Annotated[
    list[Annotated[Owner, BeforeValidator(_owner, json_schema_input_type=uuid.UUID | Owner)]],
    Field(
        min_length=1,
        max_length=10,
        description="Client accounts: each a UUID, or {uuid, percentage} (0..100, at most "
        "2 decimals); owners without a percentage share equally what the others leave, "
        "and the shares add up to 100.",
    ),
    AfterValidator(_shares),
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


class PlanOwnerOut(CompactAccountOut):
    percentage: float = Field(examples=[50], description="The owner's share, in percent")
    ownership_percentage: float = Field(examples=[50], description="The same share")


class PlanOut(BaseModel):
    uuid: str
    name: str
    type: PlanType
    policy_number: str | None
    status: PlanStatus
    accounts: list[PlanOwnerOut]
    created_at: str
    updated_at: str
    tags: list[TagOut] | None = Field(None, description="Only with include=tags (lists)")


def _share(value: Any) -> int | float | None:
    """A share as a JSON number: 50, 33.33."""
    if value is None:
        return None
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number)


def owner(row: Mapping[str, Any], ctx: Ctx) -> dict[str, Any]:
    """An owner as a plan shows it: the compact account and its share, under the name the
    plan's bodies use and under the name Plannr's account resource gives it."""
    share = _share(row["percentage"])
    return compact(dict(row), ctx) | {"percentage": share, "ownership_percentage": share}


def plan(row: Mapping[Any, Any], ctx: Ctx) -> dict[str, Any]:
    """The plan resource, from a row loaded by PlanRepository.load."""
    return {
        "uuid": str(row["uuid"]),
        "name": row["name"],
        "type": row["type"],
        "policy_number": row["policy_number"],
        "status": row["status"],
        "accounts": [owner(a, ctx) for a in row["accounts"]],
        "created_at": timestamp(row["created_at"], ctx),
        "updated_at": timestamp(row["updated_at"], ctx),
    }

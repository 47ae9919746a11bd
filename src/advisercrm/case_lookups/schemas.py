"""Case-status and case-type requests and resources (docs/API.md, Case statuses and types)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, Strict

from advisercrm.kit.body import Body
from advisercrm.kit.fields import Bool, Int, Required, UUIDStr, clean_text
from advisercrm.kit.render import Ctx, timestamp
from advisercrm.task_statuses.schemas import Colour

# Length rules sit on the string itself so they fail as string_too_short/_long.
LookupName = Annotated[
    str, Strict(), Field(min_length=1, max_length=255), AfterValidator(clean_text)
]
Position = Annotated[Int, Field(ge=1, le=100_000)]


def _uuid_of(value: Any) -> Any:
    """A record as the case shows it (an object with its `uuid`) names that record, so a
    case read can be written back as it is."""
    if isinstance(value, dict) and "uuid" in value:
        return value["uuid"]
    return value


# A case's status, type or plan: its UUID, or the record as the case shows it.
Named = Annotated[UUIDStr, BeforeValidator(_uuid_of)]


class CaseStatusCreate(Body):
    name: Annotated[LookupName, Required]
    colour: Colour | None = None
    # Beyond Plannr's documented body: how a firm marks the status that completes a case.
    is_type_completed: Bool = False


class CaseStatusUpdate(Body):
    """Every field optional; only the given ones change (null leaves a field unchanged)."""

    name: Annotated[LookupName | None, Required] = None
    colour: Colour | None = None
    position: Position | None = None
    is_type_completed: Bool | None = None


class CaseStatusOut(BaseModel):
    name: str
    uuid: str
    colour: str = Field(examples=["#23852B"])
    position: int
    created_at: str
    updated_at: str
    is_type_completed: bool


def case_status(row: Mapping[Any, Any], ctx: Ctx) -> dict[str, Any]:
    """The case-status resource, in the key order of Plannr's documented example."""
    return {
        "name": row["name"],
        "uuid": str(row["uuid"]),
        "colour": row["colour"],
        "position": row["position"],
        "created_at": timestamp(row["created_at"], ctx),
        "updated_at": timestamp(row["updated_at"], ctx),
        "is_type_completed": row["is_type_completed"],
    }


class CaseTypeCreate(Body):
    name: Annotated[LookupName, Required]


class CaseTypeUpdate(Body):
    name: Annotated[LookupName | None, Required] = None


class CaseTypeOut(BaseModel):
    name: str
    uuid: str
    created_at: str
    updated_at: str


def case_type(row: Mapping[Any, Any], ctx: Ctx) -> dict[str, Any]:
    return {
        "name": row["name"],
        "uuid": str(row["uuid"]),
        "created_at": timestamp(row["created_at"], ctx),
        "updated_at": timestamp(row["updated_at"], ctx),
    }

"""Task-status requests and the task-status resource (docs/API.md, Task statuses)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, Strict
from pydantic_core import PydanticCustomError

from advisercrm.kit.body import Body
from advisercrm.kit.fields import Bool, Int, Required, clean_text
from advisercrm.kit.render import Ctx, timestamp

_COLOUR_RE = re.compile(r"^#[0-9A-Fa-f]{6}\Z")


def _colour(value: str) -> str:
    if not _COLOUR_RE.match(value):
        raise PydanticCustomError(
            "laravel", "The :attribute field must be a valid hexadecimal color."
        )
    return value


# Length rules sit on the string itself so they fail as string_too_short/_long.
StatusName = Annotated[
    str, Strict(), Field(min_length=1, max_length=255), AfterValidator(clean_text)
]
Colour = Annotated[
    str,
    Strict(),
    AfterValidator(_colour),
    Field(description="#RRGGBB; a colour is chosen when absent or null", examples=["#398898"]),
]


class TaskStatusCreate(Body):
    name: Annotated[StatusName, Required]
    colour: Colour | None = None
    is_type_completed: Bool = False
    is_archived: Bool = False
    is_not_started: Bool = False


class TaskStatusUpdate(Body):
    """Every field optional; only the given ones change (null leaves a flag unchanged)."""

    name: Annotated[StatusName | None, Required] = None
    colour: Colour | None = None
    is_type_completed: Bool | None = None
    is_archived: Bool | None = None
    is_not_started: Bool | None = None
    # Moves the status to this place on the board (past the last: last).
    position: Annotated[Int, Field(ge=1)] | None = None


class TaskStatusOut(BaseModel):
    name: str
    uuid: str
    colour: str = Field(examples=["#398898"])
    position: int
    created_at: str
    updated_at: str
    is_archived: bool
    is_not_started: bool
    is_type_completed: bool


def task_status(row: Mapping[Any, Any], ctx: Ctx) -> dict[str, Any]:
    """The task-status resource, in the key order of Plannr's documented example."""
    return {
        "name": row["name"],
        "uuid": str(row["uuid"]),
        "colour": row["colour"],
        "position": row["position"],
        "created_at": timestamp(row["created_at"], ctx),
        "updated_at": timestamp(row["updated_at"], ctx),
        "is_archived": row["is_archived"],
        "is_not_started": row["is_not_started"],
        "is_type_completed": row["is_type_completed"],
    }

"""Life stages (/api/v1/life-stage): the stages a firm plans its clients' expenditure
over (Current Lifestyle, Retirement...), in the firm's order. Everyone in the firm reads
them, managers write; a new stage goes last. Plannr documents no delete, so none is
served. A circle names its current stage (`current_life_stage_uuid`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from asyncpg import Record
from pydantic import AfterValidator, BaseModel, Field, Strict
from sqlalchemy import true
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth.principal import Principal
from advisercrm.kit.body import Body
from advisercrm.kit.errors import Errors, attribute
from advisercrm.kit.fields import Int, Required, clean_text
from advisercrm.kit.listing import uuid_list_filter
from advisercrm.kit.render import Ctx, timestamp
from advisercrm.kit.repository import FirmRepository
from advisercrm.resource.description import Resource, Where, any_of, contains
from advisercrm.tables import life_stages as ls

StageName = Annotated[
    str, Strict(), Field(min_length=1, max_length=255), AfterValidator(clean_text)
]
# Plannr gives no bounds; these keep an age a person's (and within the column's range).
Age = Annotated[Int, Field(ge=0, le=150)]
# Each age is required when the other is given (Laravel's required_with, both ways).
PAIRED = (("start_age", "end_age"), ("end_age", "start_age"))


class LifeStageCreate(Body):
    name: Annotated[StageName, Required]
    start_age: Age | None = None
    end_age: Age | None = None


class LifeStageUpdate(Body):
    """`name` is required, as Plannr's update page says; an age left out stays as it is
    and null clears it."""

    name: Annotated[StageName, Required]
    start_age: Age | None = None
    end_age: Age | None = None


class LifeStageOut(BaseModel):
    name: str
    uuid: str
    end_age: str | None = Field(examples=["28"])
    position: str = Field(examples=["1"])
    sections: list[Any] = Field(description="Always empty: sections are not served yet")
    start_age: str | None = Field(examples=["21"])
    created_at: str
    updated_at: str


def _text(value: int | None) -> str | None:
    return None if value is None else str(value)


def life_stage(row: Mapping[Any, Any], ctx: Ctx) -> dict[str, Any]:
    """The life-stage resource, in the key order of Plannr's documented example, its
    numbers as strings as that example shows them. Its `sections` are written by
    operations this server does not serve yet, so a stage has none."""
    return {
        "name": row["name"],
        "uuid": str(row["uuid"]),
        "end_age": _text(row["end_age"]),
        "position": str(row["position"]),
        "sections": [],
        "start_age": _text(row["start_age"]),
        "created_at": timestamp(row["created_at"], ctx),
        "updated_at": timestamp(row["updated_at"], ctx),
    }


async def _check(
    conn: AsyncConnection,
    principal: Principal,
    current: Record | None,
    values: dict[str, Any],
    errors: Errors,
) -> dict[str, Any]:
    """Both ages or neither, as the body gives them; a new stage goes last (concurrent
    creates of one firm are serialised, so two never share a position)."""
    for field, other in PAIRED:
        if values.get(other) is not None and values.get(field) is None:
            errors.add(
                field, f"The :attribute field is required when {attribute(other)} is present."
            )
    if current is None and not errors:
        repo = FirmRepository(conn, principal.firm_id)
        await repo.lock("life_stages")
        values["position"] = await repo.next_position(ls)
    return values


LIFE_STAGES = Resource(
    name="life_stages",
    one="life_stage",
    table=ls,
    visible=lambda principal: true(),
    render=life_stage,
    sorts={
        "position": ls.c.position,
        "name": ls.c.name,
        "created_at": ls.c.created_at,
        "updated_at": ls.c.updated_at,
    },
    default_sort="position",
    filters={"uuid": Where(uuid_list_filter, any_of(ls.c.uuid)), "name": contains(ls.c.name)},
    columns=frozenset({"name", "start_age", "end_age"}),
    check=_check,
    who="manager",
    path="/api/v1/life-stage",
    create=LifeStageCreate,
    update=LifeStageUpdate,
    out=LifeStageOut,
)

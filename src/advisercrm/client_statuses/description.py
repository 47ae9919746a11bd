"""Client statuses (/api/v1/client-status), the labels a firm gives its clients' standing:
everyone in the firm reads them, managers write; a status made without a colour takes the
palette's next one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from asyncpg import Record
from pydantic import AfterValidator, BaseModel, Field, Strict
from sqlalchemy import func, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth.principal import Principal
from advisercrm.kit.body import Body
from advisercrm.kit.errors import Errors
from advisercrm.kit.fields import Required, clean_text
from advisercrm.kit.listing import uuid_list_filter
from advisercrm.kit.render import Ctx, timestamp
from advisercrm.kit.repository import FirmRepository
from advisercrm.resource.description import Resource, Where, any_of
from advisercrm.tables import client_statuses as cs
from advisercrm.task_statuses.description import default_colour
from advisercrm.task_statuses.schemas import Colour

StatusName = Annotated[
    str, Strict(), Field(min_length=1, max_length=255), AfterValidator(clean_text)
]


class ClientStatusCreate(Body):
    name: Annotated[StatusName, Required]
    colour: Colour | None = None


class ClientStatusUpdate(Body):
    """Every field optional; only the given ones change (null leaves a field unchanged)."""

    name: Annotated[StatusName | None, Required] = None
    colour: Colour | None = None


class ClientStatusOut(BaseModel):
    name: str
    uuid: str
    colour: str = Field(examples=["#FFFFFF"])
    created_at: str
    updated_at: str


def client_status(row: Mapping[Any, Any], ctx: Ctx) -> dict[str, Any]:
    """The client-status resource, in the key order of Plannr's documented example."""
    return {
        "name": row["name"],
        "uuid": str(row["uuid"]),
        "colour": row["colour"],
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
    if current is None and "colour" not in values and not errors:
        repo = FirmRepository(conn, principal.firm_id)
        count = await repo.scalar(select(func.count()).select_from(cs).where(repo.scoped(cs)))
        values["colour"] = default_colour(int(count) + 1)
    return values


CLIENT_STATUSES = Resource(
    name="client_statuses",
    one="client_status",
    table=cs,
    visible=lambda principal: true(),
    render=client_status,
    sorts={"name": cs.c.name, "created_at": cs.c.created_at, "updated_at": cs.c.updated_at},
    default_sort="name",
    filters={"uuid": Where(uuid_list_filter, any_of(cs.c.uuid))},
    columns=frozenset({"name", "colour"}),
    check=_check,
    who="manager",
    path="/api/v1/client-status",
    create=ClientStatusCreate,
    update=ClientStatusUpdate,
    out=ClientStatusOut,
)

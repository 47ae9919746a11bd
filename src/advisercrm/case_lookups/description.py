"""Case statuses (/api/v1/cases-status), the columns of a firm's case board, and case types
(/api/v1/cases-type): everyone in the firm reads them, managers write. A new status goes
last, in the palette's next colour; deleting one leaves its cases without a status (and
likewise for types)."""

from __future__ import annotations

from typing import Any

from asyncpg import Record
from sqlalchemy import true
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth.principal import Principal
from advisercrm.case_lookups.schemas import (
    CaseStatusCreate,
    CaseStatusOut,
    CaseStatusUpdate,
    CaseTypeCreate,
    CaseTypeOut,
    CaseTypeUpdate,
    case_status,
    case_type,
)
from advisercrm.kit.errors import Errors
from advisercrm.kit.listing import bool_filter, uuid_list_filter
from advisercrm.kit.repository import FirmRepository
from advisercrm.resource.description import Resource, Where, any_of, contains
from advisercrm.tables import case_statuses as cs
from advisercrm.tables import case_types as ct
from advisercrm.task_statuses.description import default_colour


async def _check_status(
    conn: AsyncConnection,
    principal: Principal,
    current: Record | None,
    values: dict[str, Any],
    errors: Errors,
) -> dict[str, Any]:
    """A new status goes last (concurrent creates of one
    firm are serialised, so two never share a position)."""
    if current is None and not errors:
        repo = FirmRepository(conn, principal.firm_id)
        await repo.lock("case_statuses")
        values["position"] = await repo.next_position(cs)
        values.setdefault("colour", default_colour(values["position"]))
    return values


CASE_STATUSES = Resource(
    name="case_statuses",
    one="case_status",
    table=cs,
    visible=lambda principal: true(),
    render=case_status,
    sorts={
        "position": cs.c.position,
        "created_at": cs.c.created_at,
        "updated_at": cs.c.updated_at,
        "name": cs.c.name,
    },
    default_sort="position",
    filters={
        "uuid": Where(uuid_list_filter, any_of(cs.c.uuid)),
        "name": contains(cs.c.name),
        "is_type_completed": Where(bool_filter, cs.c.is_type_completed.__eq__),
    },
    columns=frozenset({"name", "colour", "position", "is_type_completed"}),
    check=_check_status,
    who="manager",
    path="/api/v1/cases-status",
    create=CaseStatusCreate,
    update=CaseStatusUpdate,
    out=CaseStatusOut,
)

CASE_TYPES = Resource(
    name="case_types",
    one="case_type",
    table=ct,
    visible=lambda principal: true(),
    render=case_type,
    sorts={"name": ct.c.name, "created_at": ct.c.created_at, "updated_at": ct.c.updated_at},
    default_sort="name",
    filters={"uuid": Where(uuid_list_filter, any_of(ct.c.uuid)), "name": contains(ct.c.name)},
    columns=frozenset({"name"}),
    who="manager",
    path="/api/v1/cases-type",
    create=CaseTypeCreate,
    update=CaseTypeUpdate,
    out=CaseTypeOut,
)

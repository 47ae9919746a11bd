"""Circles (/api/v1/circles), a firm's households: 1 to 100 distinct client accounts,
each with a login access level, a current life stage, and groups of the firm. Managers
see every circle; members those with a client they reach or a group of theirs; client
accounts the circles they belong to."""

from __future__ import annotations

from typing import Any

from asyncpg import Record
from sqlalchemy import and_, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.accounts.references import clients
from advisercrm.accounts.references import resolve as accounts_named
from advisercrm.accounts.repository import linked_accounts
from advisercrm.auth.principal import Principal
from advisercrm.auth.visibility import circle_visible, client_visible, shown
from advisercrm.circles.schemas import MOST, CircleCreate, CircleOut, CircleUpdate, circle, firm
from advisercrm.groups.description import visible as group_visible
from advisercrm.groups.references import resolve as groups_named
from advisercrm.kit.errors import Errors
from advisercrm.kit.listing import uuid_list_filter
from advisercrm.kit.references import INVALID
from advisercrm.kit.repository import FirmRepository
from advisercrm.resource.description import (
    Include,
    Link,
    Resource,
    Where,
    any_of,
    contains,
    linked_to,
)
from advisercrm.tables import (
    accounts,
    circle_accounts,
    circle_groups,
    circles,
    firms,
    groups,
    life_stages,
)

ca, cg = circle_accounts, circle_groups


visible = circle_visible


def _embeds(viewer: Principal, firm_id: Any, circle_id: Any) -> dict[str, Any]:
    """The members and groups the viewer may open."""
    g = groups
    pairs = ("uuid", g.c.uuid, "name", g.c.name, "slug", g.c.slug)
    group_list = (
        select(
            func.coalesce(
                func.json_agg(func.json_build_object(*pairs)), literal_column("'[]'::json")
            )
        )
        .join(cg, and_(cg.c.firm_id == g.c.firm_id, cg.c.group_id == g.c.id))
        .where(
            cg.c.firm_id == firm_id, cg.c.circle_id == circle_id, *shown(viewer, group_visible, g)
        )
        .scalar_subquery()
    )
    members = linked_accounts(ca, ca.c.circle_id, circle_id, firm_id, viewer)
    return {"accounts": members, "groups": group_list, "current_life_stage_uuid": _stage_uuid}


# The UUID of the circle's current life stage (one of the firm's, which anyone may name).
_stage_uuid = (
    select(life_stages.c.uuid)
    .where(
        life_stages.c.firm_id == circles.c.firm_id,
        life_stages.c.id == circles.c.current_life_stage_id,
    )
    .scalar_subquery()
)


def _firm(viewer: Principal, firm_id: Any, circle_id: Any) -> Any:
    """`include=firm`: the circle's firm, the caller's own."""
    f = firms
    epoch = func.extract("epoch", f.c.created_at), func.extract("epoch", f.c.updated_at)
    item = func.json_build_object(
        "uuid", f.c.uuid,
        "name", f.c.name,
        "currency", f.c.currency,
        "timezone", f.c.timezone,
        "created_at", epoch[0],
        "updated_at", epoch[1],
    )  # fmt: skip
    return select(item).where(f.c.id == firm_id).scalar_subquery()


async def _unseen(conn: AsyncConnection, principal: Principal, circle_id: int) -> list[int]:
    """The circle's members the writer cannot see: a write of its accounts keeps them."""
    if principal.sees_whole_firm:
        return []
    repo = FirmRepository(conn, principal.firm_id)
    hidden = select(ca.c.account_id).where(
        repo.scoped(ca),
        ca.c.circle_id == circle_id,
        ~client_visible(principal, ca.c.account_id),
    )
    return [int(row["account_id"]) for row in await repo.all(hidden)]


async def _check(
    conn: AsyncConnection,
    principal: Principal,
    current: Record | None,
    values: dict[str, Any],
    errors: Errors,
) -> dict[str, Any]:
    """`current_life_stage_uuid` names one of the firm's life stages, or null (none)."""
    if "current_life_stage_uuid" not in values:
        return values
    stage = values.pop("current_life_stage_uuid")
    stage_id = None
    if stage is not None:
        repo = FirmRepository(conn, principal.firm_id)
        named = select(life_stages.c.id).where(
            repo.scoped(life_stages), life_stages.c.uuid == stage
        )
        stage_id = await repo.first(named)
        if stage_id is None:
            errors.add("current_life_stage_uuid", INVALID)
    values["current_life_stage_id"] = None if stage_id is None else stage_id["id"]
    return values


CIRCLES = Resource(
    name="circles",
    event="circle",
    table=circles,
    visible=visible,
    render=circle,
    embeds=_embeds,
    sorts={
        "created_at": circles.c.created_at,
        "updated_at": circles.c.updated_at,
        "name": circles.c.name,
    },
    filters={
        "uuid": Where(uuid_list_filter, any_of(circles.c.uuid)),
        "name": contains(circles.c.name),
        "account_uuids": Where(uuid_list_filter, linked_to(circles, ca, accounts)),
        "group_uuids": Where(uuid_list_filter, linked_to(circles, cg, groups)),
    },
    # A circle always shows its accounts and groups: asking for them changes nothing.
    includes=("accounts", "groups"),
    loaded_includes={"firm": Include(_firm, firm)},
    # The life stage is stored through `_check`, as its id.
    columns=frozenset({"name", "bg_colour", "current_life_stage_uuid"}),
    links=(
        Link(
            "account_uuids",
            ca,
            "circle_id",
            "account_id",
            accounts_named,
            clients,
            objects="accounts",
            most=MOST,
            unseen=_unseen,
        ),
        Link("group_uuids", cg, "circle_id", "group_id", groups_named),
    ),
    check=_check,
    path="/api/v1/circles",
    create=CircleCreate,
    update=CircleUpdate,
    out=CircleOut,
)

"""A subscription's deliveries: the list of what was sent (each delivery's last attempt)
and sending one again. Owners and admins only, like the subscriptions."""

# No `from __future__ import annotations`: FastAPI reads the handlers' annotations.

import uuid
from typing import Annotated, Any

from asyncpg import Record
from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel
from sqlalchemy import BigInteger, Integer, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth.access import Allowed, ManagerWrite
from advisercrm.auth.deps import CurrentPrincipal, RenderCtx
from advisercrm.auth.principal import Principal
from advisercrm.db import Conn
from advisercrm.idempotency.route import ApiRoute
from advisercrm.kit.errors import NotFound
from advisercrm.kit.fields import path_uuid
from advisercrm.kit.listing import ListQuery, ListSpec, Page, paginated, parse_list_query
from advisercrm.kit.render import JSON, Ctx, timestamp
from advisercrm.kit.sql import FIRM, Query
from advisercrm.resource.router import path_row
from advisercrm.tables import events
from advisercrm.tables import webhook_deliveries as wd
from advisercrm.webhooks.description import SUBSCRIPTIONS

router = APIRouter(route_class=ApiRoute, prefix=SUBSCRIPTIONS.path, tags=["webhook deliveries"])
Subscription = Annotated[Record, path_row(SUBSCRIPTIONS)]
Manager = Annotated[Principal, Depends(Allowed("read", "manager"))]
SPEC = ListSpec(filters={}, sorts=("created_at",))
SUBSCRIPTION = bindparam("subscription_id", type_=BigInteger)


class DeliveryOut(BaseModel):
    uuid: str
    event: str
    event_id: str
    status: str
    status_code: int | None
    error: str | None
    duration_ms: int | None
    attempts: int
    next_attempt_at: str | None
    created_at: str
    delivered_at: str | None


def _page(descending: bool) -> Query:
    order = (wd.c.created_at.desc(), wd.c.id.desc()) if descending else (wd.c.created_at, wd.c.id)
    return Query(
        select(wd, events.c.uuid.label("event_id"), events.c.name)
        .join(events, (events.c.firm_id == FIRM) & (events.c.cursor == wd.c.event_cursor))
        .where(wd.c.firm_id == FIRM, wd.c.subscription_id == SUBSCRIPTION)
        .order_by(*order)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )


_PAGES = {False: _page(False), True: _page(True)}
_COUNT = Query(
    select(func.count())
    .select_from(wd)
    .where(wd.c.firm_id == FIRM, wd.c.subscription_id == SUBSCRIPTION)
)
# Pending again, due now; an attempt under way keeps its lease (no two at once). The
# worker is woken at commit.
_REDELIVER = Query(
    text(
        """
        WITH again AS (
            UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now()
            WHERE firm_id = :firm_id AND id = :id
            RETURNING *
        )
        SELECT again.*, e.uuid AS event_id, e.name, pg_notify('advisercrm_webhooks', '')
        FROM again JOIN events AS e ON e.firm_id = :firm_id AND e.cursor = again.event_cursor
        """
    ).bindparams(FIRM, bindparam("id", type_=BigInteger))
)
_FIND = Query(
    select(wd.c.id).where(
        wd.c.firm_id == FIRM,
        wd.c.subscription_id == SUBSCRIPTION,
        wd.c.uuid == bindparam("uuid", type_=UUID(as_uuid=True)),
    )
)


def delivery(row: Record, ctx: Ctx) -> dict[str, Any]:
    pending = row["status"] == "pending"
    return {
        "uuid": str(row["uuid"]),
        "event": row["name"],
        "event_id": str(row["event_id"]),
        "status": row["status"],
        "status_code": row["status_code"],
        "error": row["error"],
        "duration_ms": row["duration_ms"],
        "attempts": row["attempts"],
        "next_attempt_at": timestamp(row["next_attempt_at"], ctx) if pending else None,
        "created_at": timestamp(row["created_at"], ctx),
        "delivered_at": timestamp(row["delivered_at"], ctx),
    }


async def deliveries(
    conn: AsyncConnection, principal: Principal, subscription_id: int, query: ListQuery, ctx: Ctx
) -> tuple[list[dict[str, Any]], int]:
    """A page of the subscription's deliveries, and their total."""
    keys = {"firm_id": principal.firm_id, "subscription_id": subscription_id}
    rows = await _PAGES[query.descending].all(
        conn, **keys, limit=query.per_page, offset=query.offset
    )
    total = await _COUNT.scalar(conn, **keys)
    return [delivery(r, ctx) for r in rows], total


async def find_delivery(
    conn: AsyncConnection, principal: Principal, subscription_id: int, wanted: uuid.UUID
) -> Record | None:
    """The subscription's delivery of this UUID, if there is one."""
    return await _FIND.first(
        conn, firm_id=principal.firm_id, subscription_id=subscription_id, uuid=wanted
    )


async def send_again(
    conn: AsyncConnection, principal: Principal, delivery_id: int, ctx: Ctx
) -> dict[str, Any]:
    """Make the delivery pending again, due now; 404 if it went meanwhile."""
    again = await _REDELIVER.first(conn, firm_id=principal.firm_id, id=delivery_id)
    if again is None:  # its subscription was deleted meanwhile
        raise NotFound()
    return delivery(again, ctx)


@router.get(
    "/{uuid}/deliveries",
    response_model=Page[DeliveryOut],
    summary="A subscription's deliveries, each with its last attempt",
)
async def list_deliveries(
    request: Request, row: Subscription, principal: Manager, conn: Conn, ctx: RenderCtx
) -> JSON:
    query = parse_list_query(request, SPEC)
    data, total = await deliveries(conn, principal, row["id"], query, ctx)
    return paginated(request, query, data, total)


async def _delivery(
    row: Subscription,
    conn: Conn,
    principal: CurrentPrincipal,
    delivery_uuid: Annotated[str, Path()],
) -> Record:
    """The subscription's delivery the path names, or 404 (before any 403, as for the
    subscription)."""
    wanted = path_uuid(delivery_uuid)
    found = None
    if wanted is not None:
        found = await find_delivery(conn, principal, row["id"], wanted)
    if found is None:
        raise NotFound()
    return found


@router.post(
    "/{uuid}/deliveries/{delivery_uuid}/redeliver",
    status_code=202,
    response_model=DeliveryOut,
    summary="Send a delivery again",
)
async def redeliver(
    row: Subscription,  # first, so the path's parameters are documented in their order
    found: Annotated[Record, Depends(_delivery)],
    principal: ManagerWrite,
    conn: Conn,
    ctx: RenderCtx,
) -> JSON:
    return JSON(await send_again(conn, principal, found["id"], ctx), status_code=202)

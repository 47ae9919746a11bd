"""Webhook subscriptions: the firm's urls and their events, made, edited and deleted
through the API's own service calls and request models (`crud_router(SUBSCRIPTIONS)`);
a new subscription's signing secret shown once, on the page that answers its form; each
subscription's recent deliveries (as its deliveries route lists them), each sent again
on request."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from advisercrm.kit.fields import path_uuid
from advisercrm.kit.listing import ListQuery
from advisercrm.resource import service
from advisercrm.web.guard import Acting, WebConn
from advisercrm.web.settings.common import (
    Manager,
    allowed,
    attempt,
    body,
    delete_record,
    form,
    found,
    listed,
    one,
)
from advisercrm.web.templating import not_found, page, redirect
from advisercrm.webhooks import history
from advisercrm.webhooks.description import SUBSCRIPTIONS
from advisercrm.webhooks.names import EVENT_NAMES
from advisercrm.webhooks.schemas import SubscriptionCreate, SubscriptionUpdate

router = APIRouter(include_in_schema=False)
HERE = "/settings/webhooks"
R = SUBSCRIPTIONS
# The deliveries a subscription's page shows: the newest.
RECENT = 25


def _events(fields: dict[str, list[str]]) -> list[str]:
    return fields.get("events", [])


async def _list_page(
    request: Request,
    acting: Acting,
    conn: WebConn,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    entered: dict[str, Any] | None = None,
) -> Response:
    rows, total = await listed(conn, acting, R, "created_at")
    return page(
        request,
        "settings/webhooks.html",
        acting.session,
        status=status,
        subscriptions=rows,
        total=total,
        event_names=EVENT_NAMES,
        errors=errors or {},
        entered=entered or {"url": "", "events": []},
    )


@router.get(HERE)
async def subscriptions(request: Request, acting: Manager, conn: WebConn) -> Response:
    return await _list_page(request, acting, conn)


@router.post(HERE)
async def create(request: Request, acting: Manager, conn: WebConn) -> Response:
    fields = await form(request, acting)
    await allowed(request, acting, "write", R.who)
    raw = {"url": one(fields, "url").strip(), "events": _events(fields)}

    async def work() -> dict[str, Any]:
        made = body(SubscriptionCreate, raw)
        return await service.create(conn, acting.principal, R, made, acting.ctx)

    made, errors = await attempt(request, acting, conn, work, HERE)
    if errors or made is None:
        return await _list_page(request, acting, conn, 422, errors, raw)
    # Answered here, not after a redirect: the secret is on this response only.
    return page(request, "settings/webhook_created.html", acting.session, subscription=made)


async def _subscription_page(
    request: Request,
    acting: Acting,
    conn: WebConn,
    row: Any,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    entered: list[str] | None = None,
) -> Response:
    here = acting.ctx
    shown = await service.show(conn, acting.principal, R, row, here)
    recent = ListQuery(1, RECENT, "created_at", True, {})
    deliveries, total = await history.deliveries(conn, acting.principal, row["id"], recent, here)
    return page(
        request,
        "settings/webhook.html",
        acting.session,
        status=status,
        subscription=shown,
        deliveries=deliveries,
        total=total,
        event_names=EVENT_NAMES,
        errors=errors or {},
        entered=shown["events"] if entered is None else entered,
    )


@router.get(HERE + "/{subscription_uuid}")
async def subscription(
    request: Request, subscription_uuid: str, acting: Manager, conn: WebConn
) -> Response:
    row = await found(request, acting, conn, R, subscription_uuid)
    return await _subscription_page(request, acting, conn, row)


@router.post(HERE + "/{subscription_uuid}")
async def update(
    request: Request, subscription_uuid: str, acting: Manager, conn: WebConn
) -> Response:
    fields = await form(request, acting)
    await allowed(request, acting, "write", R.who)
    row = await found(request, acting, conn, R, subscription_uuid)
    raw = {"events": _events(fields)}

    async def work() -> dict[str, Any]:
        changes = body(SubscriptionUpdate, raw)
        return await service.update_row(conn, acting.principal, R, row, changes, acting.ctx)

    _, errors = await attempt(request, acting, conn, work, HERE)
    if errors:
        return await _subscription_page(request, acting, conn, row, 422, errors, raw["events"])
    return redirect(f"{HERE}/{subscription_uuid}")


@router.post(HERE + "/{subscription_uuid}/delete")
async def delete(
    request: Request, subscription_uuid: str, acting: Manager, conn: WebConn
) -> Response:
    return await delete_record(request, acting, conn, R, subscription_uuid, HERE)


@router.post(HERE + "/{subscription_uuid}/deliveries/{delivery_uuid}/redeliver")
async def redeliver(
    request: Request, subscription_uuid: str, delivery_uuid: str, acting: Manager, conn: WebConn
) -> Response:
    await form(request, acting)
    await allowed(request, acting, "write", R.who)
    row = await found(request, acting, conn, R, subscription_uuid)
    wanted = path_uuid(delivery_uuid)
    delivery = None
    if wanted is not None:
        delivery = await history.find_delivery(conn, acting.principal, row["id"], wanted)
    if delivery is None:
        return not_found(request, acting.session)
    back = f"{HERE}/{subscription_uuid}"

    async def work() -> dict[str, Any]:
        return await history.send_again(conn, acting.principal, delivery["id"], acting.ctx)

    await attempt(request, acting, conn, work, back)
    return redirect(back)

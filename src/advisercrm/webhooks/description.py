"""Webhook subscriptions (/api/v2/webhook-subscriptions): a firm's urls and the events
each takes. Owners and admins only, for reading as for writing: the list shows the
signing secrets."""

from __future__ import annotations

from typing import Any

from asyncpg import Record
from sqlalchemy import true
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth.principal import Principal
from advisercrm.kit.errors import Errors
from advisercrm.kit.listing import uuid_list_filter
from advisercrm.resource.description import Resource, Where, any_of
from advisercrm.tables import webhook_subscriptions as ws
from advisercrm.webhooks.safety import url_problem
from advisercrm.webhooks.schemas import (
    SubscriptionCreate,
    SubscriptionOut,
    SubscriptionUpdate,
    signing_secret,
    subscription,
)

URL_FIXED = "The :attribute field cannot be changed: make a new subscription."


async def _check(
    conn: AsyncConnection,
    principal: Principal,
    current: Record | None,
    values: dict[str, Any],
    errors: Errors,
) -> dict[str, Any]:
    """A new subscription's url must be one webhooks may go to; it gets its secret. An
    update may not change the url. Events named twice are kept once."""
    if current is None and "url" in values:
        problem = await url_problem(values["url"])
        if problem is not None:
            errors.add("url", problem)
        values["signing_secret"] = signing_secret()
    elif current is not None and values.pop("url", None) is not None:
        errors.add("url", URL_FIXED)
    if values.get("events") is not None:
        values["events"] = list(dict.fromkeys(values["events"]))
    return values


SUBSCRIPTIONS = Resource(
    name="webhook_subscriptions",
    one="webhook_subscription",
    table=ws,
    visible=lambda principal: true(),
    render=subscription,
    sorts={"created_at": ws.c.created_at, "updated_at": ws.c.updated_at},
    filters={"uuid": Where(uuid_list_filter, any_of(ws.c.uuid))},
    columns=frozenset({"url", "events"}),
    check=_check,
    who="manager",
    readers="manager",
    path="/api/v2/webhook-subscriptions",
    create=SubscriptionCreate,
    update=SubscriptionUpdate,
    out=SubscriptionOut,
)

"""Webhook subscription requests and resources (docs/API.md, Webhooks and the change feed)."""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, Field, Strict

from advisercrm.kit.body import Body
from advisercrm.kit.fields import Required, Str
from advisercrm.kit.render import Ctx, timestamp
from advisercrm.webhooks.names import EventName

Url = Annotated[Str, Field(min_length=1, max_length=2048)]
Events = Annotated[list[EventName], Required]
_ALPHABET = string.ascii_letters + string.digits


def signing_secret() -> str:
    """60 random letters and digits, made once, when the subscription is."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(60))


class SubscriptionCreate(Body):
    url: Annotated[Url, Required]
    events: Events


class SubscriptionUpdate(Body):
    """Only the events change; a url given here is refused (make a new subscription)."""

    events: Events | None = None
    url: Annotated[str | None, Strict()] = None


class SubscriptionOut(BaseModel):
    uuid: str
    url: str
    events: list[str]
    signing_secret: str
    last_outgoing_webhook_call_at: str | None
    created_at: str
    updated_at: str


def subscription(row: Mapping[str, Any], ctx: Ctx) -> dict[str, Any]:
    return {
        "uuid": str(row["uuid"]),
        "url": row["url"],
        "events": list(row["events"]),
        "signing_secret": row["signing_secret"],
        "last_outgoing_webhook_call_at": timestamp(row["last_outgoing_webhook_call_at"], ctx),
        "created_at": timestamp(row["created_at"], ctx),
        "updated_at": timestamp(row["updated_at"], ctx),
    }

"""The tag resource (docs/API.md, Tags): as listed, as answered to a POST, and as a
record's `include=tags` embeds it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from advisercrm.kit.render import Ctx, timestamp


class TagOut(BaseModel):
    uuid: str
    name: str
    slug: str
    colour: str
    created_at: str
    updated_at: str


def _moment(value: Any) -> dt.datetime:
    # Embedded tags arrive as JSON, their times as seconds since the epoch.
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromtimestamp(float(value), dt.UTC)


def tag(row: Mapping[str, Any], ctx: Ctx) -> dict[str, Any]:
    return {
        "uuid": str(row["uuid"]),
        "name": row["name"],
        "slug": row["slug"],
        "colour": row["colour"],
        "created_at": timestamp(_moment(row["created_at"]), ctx),
        "updated_at": timestamp(_moment(row["updated_at"]), ctx),
    }


def tag_list(rows: list[Mapping[str, Any]] | None, ctx: Ctx) -> list[dict[str, Any]]:
    return [tag(row, ctx) for row in rows or []]

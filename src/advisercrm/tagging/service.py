"""POST /api/v1/tag: find or make the tags a body names, and put them on a record, take
them off it, make its tags exactly these, or (mode create) only make them.

Names find their tag by slug, so a name the firm already has (in any case or spacing) is
that tag and is never made twice; two requests making the same name at once both end with
the one tag (the insert skips a slug already there)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asyncpg import Record
from sqlalchemy import Table, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.accounts.description import ACCOUNTS
from advisercrm.accounts.service import check_may_manage
from advisercrm.auth.principal import Principal
from advisercrm.cases.description import CASES
from advisercrm.kit.body import BodyErrors
from advisercrm.kit.references import INVALID
from advisercrm.kit.render import Ctx
from advisercrm.kit.repository import FirmRepository
from advisercrm.plans.description import PLANS
from advisercrm.resource import service as resources
from advisercrm.resource.description import Resource
from advisercrm.tables import tags
from advisercrm.tagging.schemas import Entry, TagRequest
from advisercrm.tags.description import link_of
from advisercrm.tags.schemas import tag

REQUIRED_UNLESS_CREATE = "The :attribute field is required unless mode is in create."


def _staff_write(principal: Principal, row: Record) -> None:
    """Cases and plans: any staff member who sees the record may write it (the route
    already holds tagging to staff with write permission)."""


@dataclass(frozen=True)
class Taggable:
    resource: Resource
    # Raises Forbidden when the principal sees the record but may not change it.
    may_write: Callable[[Principal, Record], None]

    @property
    def link(self) -> Table:
        return link_of(self.resource.table)[0]

    @property
    def owner(self) -> str:
        return link_of(self.resource.table)[1]


TAGGABLES = {
    "account": Taggable(
        ACCOUNTS, lambda principal, row: check_may_manage(principal, row["type"], row["role"])
    ),
    "case": Taggable(CASES, _staff_write),
    "plan": Taggable(PLANS, _staff_write),
}
# Documented kinds of record this server keeps none of, by their plural.
UNSERVED = {
    "board": "boards",
    "board_task": "board tasks",
    "conversation": "conversations",
    "file": "files",
    "note": "notes",
}


def _unserved(kind: str) -> str:
    return (
        f"The :attribute {kind} is not supported: this server keeps no {UNSERVED[kind]}. "
        "Tags can be put on an account, a case or a plan."
    )


def _random_colour() -> str:
    return f"#{secrets.randbelow(0x1000000):06x}"


class TagRepository(FirmRepository):
    async def by_uuid_or_slug(
        self, uuids: list[uuid.UUID], slugs: list[str]
    ) -> list[dict[str, Any]]:
        t = tags
        found = t.c.uuid.in_(uuids) | t.c.slug.in_(slugs)
        return await self.all(select(t).where(self.scoped(t), found))

    async def make(self, entries: list[Entry]) -> list[dict[str, Any]]:
        """Insert the tags these name (one per slug, named by its first entry); the rows
        inserted. A slug another request has just taken is skipped, not refused."""
        rows: dict[str, dict[str, Any]] = {}
        # By slug (the first of a slug named wins): concurrent requests making the same
        # tags then take their keys in one order and cannot deadlock.
        for e in sorted(entries, key=lambda e: e.slug):
            colour = e.colour or _random_colour()
            values = {"firm_id": self.firm_id, "name": e.name, "slug": e.slug, "colour": colour}
            rows.setdefault(e.slug, values)
        statement = insert(tags).values(list(rows.values()))
        skip = statement.on_conflict_do_nothing(index_elements=["firm_id", "slug"])
        return await self.all(skip.returning(tags))

    async def attach(self, taggable: Taggable, row_id: int, tag_ids: list[int]) -> None:
        link = taggable.link
        if tag_ids:
            # In one order, so concurrent requests tagging one record cannot deadlock.
            owner = taggable.owner
            rows = [{"firm_id": self.firm_id, owner: row_id, "tag_id": i} for i in sorted(tag_ids)]
            await self.execute(insert(link).values(rows).on_conflict_do_nothing())

    async def detach(
        self, taggable: Taggable, row_id: int, tag_ids: list[int], keep: bool = False
    ) -> None:
        """Take these tags off the record (or, with `keep`, every tag but these)."""
        link = taggable.link
        named = link.c.tag_id.in_(tag_ids)
        await self.execute(
            delete(link).where(
                self.scoped(link), link.c[taggable.owner] == row_id, ~named if keep else named
            )
        )

    async def tags_of(self, taggable: Taggable, row_id: int) -> list[dict[str, Any]]:
        t, link = tags, taggable.link
        query = (
            select(t)
            .join(link, (link.c.firm_id == t.c.firm_id) & (link.c.tag_id == t.c.id))
            .where(self.scoped(link), link.c[taggable.owner] == row_id)
            .order_by(t.c.name, t.c.id)
        )
        return await self.all(query)


async def _record(
    conn: AsyncConnection, principal: Principal, body: TagRequest, errors: BodyErrors
) -> tuple[Taggable, Record] | None:
    """The record to tag, when the mode needs one and the body names one the principal
    sees (one it does not is reported as one that does not exist)."""
    if body.mode in (None, "create"):
        return None  # create puts the tags on nothing; no mode, nothing to check
    for name in ("taggable_type", "taggable_uuid"):
        if getattr(body, name) is None:
            errors.add(name, REQUIRED_UNLESS_CREATE)
    kind, named = body.taggable_type, body.taggable_uuid
    if kind in UNSERVED:
        errors.add("taggable_type", _unserved(kind))
        return None
    if kind is None or named is None:
        return None
    taggable = TAGGABLES[kind]
    row = await resources.find(conn, principal, taggable.resource, named)
    if row is None:
        errors.add("taggable_uuid", INVALID)
        return None
    taggable.may_write(principal, row)
    return taggable, row


async def tag_record(
    conn: AsyncConnection, principal: Principal, body: TagRequest, ctx: Ctx
) -> list[dict[str, Any]]:
    """Apply the body; the tags it named (mode create) or the record's tags after it."""
    errors = BodyErrors(body)
    target = await _record(conn, principal, body, errors)
    entries = body.tags or []
    repo = TagRepository(conn, principal.firm_id)
    uuids = [e.existing for e in entries if e.existing is not None]
    found = await repo.by_uuid_or_slug(uuids, [e.slug for e in entries if e.existing is None])
    known = {row["uuid"] for row in found}
    for i, entry in enumerate(entries):
        if entry.existing is not None and entry.existing not in known:
            errors.add(f"tags.{i}", INVALID)
    errors.raise_if_any()

    by_uuid = {row["uuid"]: row for row in found}
    by_slug = {row["slug"]: row for row in found}
    # A name the firm has no tag of is made, but not to be taken off a record.
    missing = [e for e in entries if e.existing is None and e.slug not in by_slug]
    if missing and body.mode != "detach":
        by_slug |= {row["slug"]: row for row in await repo.make(missing)}
        raced = [e.slug for e in missing if e.slug not in by_slug]
        if raced:  # made by another request since the lookup above
            by_slug |= {row["slug"]: row for row in await repo.by_uuid_or_slug([], raced)}
    named = [by_uuid.get(e.existing) if e.existing else by_slug.get(e.slug) for e in entries]
    # Each tag once, in the order the body first names it.
    chosen = list({row["id"]: row for row in named if row is not None}.values())
    ids = [row["id"] for row in chosen]

    if target is None:
        return [tag(row, ctx) for row in chosen]
    taggable, record = target
    if body.mode == "detach":
        await repo.detach(taggable, record["id"], ids)
    else:
        if body.mode == "sync":
            await repo.detach(taggable, record["id"], ids, keep=True)
        await repo.attach(taggable, record["id"], ids)
    return [tag(row, ctx) for row in await repo.tags_of(taggable, record["id"])]

"""Group rules: managers write; a slug derived from the name, unique in the firm."""

from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.accounts.repository import AccountRepository
from advisercrm.auth.principal import Principal
from advisercrm.groups import schemas
from advisercrm.groups.repository import GroupRepository
from advisercrm.groups.schemas import GroupCreate, GroupUpdate
from advisercrm.kit.errors import Errors, NotFound
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.references import check_uuid_list
from advisercrm.kit.render import Ctx


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "group"


async def _unique_slug(repo: GroupRepository, name: str, group_id: int | None) -> str:
    """The name's slug, suffixed -2, -3... past the ones the firm already uses."""
    base = slugify(name)[:280]
    await repo.lock_slugs()
    taken = await repo.slugs_like(base, group_id)
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


async def render(
    conn: AsyncConnection, principal: Principal, ids: list[int], ctx: Ctx
) -> list[dict[str, Any]]:
    loaded = await GroupRepository(conn, principal.firm_id).load(ids, principal)
    return [schemas.group(loaded[i], ctx) for i in ids if i in loaded]


async def _participant_ids(
    conn: AsyncConnection, principal: Principal, uuids: list[uuid.UUID]
) -> list[int]:
    found = await AccountRepository(conn, principal.firm_id).resolve(uuids, principal)
    errors = Errors()
    ids = check_uuid_list("participants", uuids, found, errors, lambda r: r["visible"])
    errors.raise_if_any()
    return ids


async def _find(repo: GroupRepository, principal: Principal, group_uuid: uuid.UUID | None) -> int:
    group_id = await repo.find_id(group_uuid, principal) if group_uuid else None
    if group_id is None:
        raise NotFound()
    return group_id


async def create(
    conn: AsyncConnection, principal: Principal, body: GroupCreate, ctx: Ctx
) -> dict[str, Any]:
    principal.require_manager()
    principal.require_write()
    repo = GroupRepository(conn, principal.firm_id)
    participant_ids = await _participant_ids(conn, principal, body.participants)
    group_id = await repo.insert(body.name, await _unique_slug(repo, body.name, None))
    await repo.replace_participants(group_id, participant_ids)
    return (await render(conn, principal, [group_id], ctx))[0]


async def get(
    conn: AsyncConnection, principal: Principal, group_uuid: uuid.UUID | None, ctx: Ctx
) -> dict[str, Any]:
    group_id = await _find(GroupRepository(conn, principal.firm_id), principal, group_uuid)
    return (await render(conn, principal, [group_id], ctx))[0]


async def update(
    conn: AsyncConnection,
    principal: Principal,
    group_uuid: uuid.UUID | None,
    body: GroupUpdate,
    ctx: Ctx,
) -> dict[str, Any]:
    repo = GroupRepository(conn, principal.firm_id)
    group_id = await _find(repo, principal, group_uuid)
    principal.require_manager()
    principal.require_write()
    participant_ids = None
    if body.participants is not None:
        participant_ids = await _participant_ids(conn, principal, body.participants)
    if body.name is not None:
        await repo.update(
            group_id, {"name": body.name, "slug": await _unique_slug(repo, body.name, group_id)}
        )
    if participant_ids is not None:
        await repo.replace_participants(group_id, participant_ids)
        await repo.update(group_id, {})
    return (await render(conn, principal, [group_id], ctx))[0]


async def delete(conn: AsyncConnection, principal: Principal, group_uuid: uuid.UUID | None) -> None:
    repo = GroupRepository(conn, principal.firm_id)
    group_id = await _find(repo, principal, group_uuid)
    principal.require_manager()
    principal.require_delete()
    await repo.delete(group_id)


async def list_groups(
    conn: AsyncConnection, principal: Principal, query: ListQuery, ctx: Ctx
) -> tuple[list[dict[str, Any]], int]:
    ids, total = await GroupRepository(conn, principal.firm_id).page(query, principal)
    return await render(conn, principal, ids, ctx), total

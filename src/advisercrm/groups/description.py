"""Groups (/api/v1/group): staff see every group of the firm, other accounts the groups
they take part in; managers write; a slug derived from the name, unique in the firm."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from asyncpg import Record
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.accounts.references import resolve as accounts_named
from advisercrm.accounts.repository import linked_accounts
from advisercrm.auth.principal import Principal
from advisercrm.auth.visibility import group_visible
from advisercrm.groups.repository import GroupRepository
from advisercrm.groups.schemas import GroupCreate, GroupOut, GroupUpdate, group
from advisercrm.kit.errors import Errors
from advisercrm.kit.listing import uuid_list_filter
from advisercrm.resource.description import Link, Resource, Where, any_of, contains
from advisercrm.tables import group_participants as gp
from advisercrm.tables import groups

# Who may see a group: the rule lives with the other visibility rules (accounts embed
# groups too).
visible = group_visible


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "group"


async def _slug(
    conn: AsyncConnection,
    principal: Principal,
    current: Record | None,
    values: dict[str, Any],
    errors: Errors,
) -> dict[str, Any]:
    """A new name brings its slug, suffixed -2, -3... past the ones the firm already uses
    (null leaves the name as it is)."""
    if values.get("name") is None:
        return {}
    repo = GroupRepository(conn, principal.firm_id)
    base = slugify(values["name"])[:280]
    # Concurrent creates of one name then get -2, -3... instead of colliding on the key.
    await repo.lock("groups.slug")
    taken = await repo.slugs_like(base, current["id"] if current else None)
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return {"name": values["name"], "slug": slug}


GROUPS = Resource(
    name="groups",
    table=groups,
    visible=visible,
    render=group,
    embeds=lambda viewer, firm_id, group_id: {
        "participants": linked_accounts(gp, gp.c.group_id, group_id, firm_id, viewer)
    },
    sorts={
        "created_at": groups.c.created_at,
        "updated_at": groups.c.updated_at,
        "name": groups.c.name,
    },
    filters={
        "uuid": Where(uuid_list_filter, any_of(groups.c.uuid)),
        "name": contains(groups.c.name),
    },
    columns=frozenset({"name"}),
    links=(Link("participants", gp, "group_id", "account_id", accounts_named),),
    check=_slug,
    who="manager",
    path="/api/v1/group",
    create=GroupCreate,
    update=GroupUpdate,
    out=GroupOut,
)

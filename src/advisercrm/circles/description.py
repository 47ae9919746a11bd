"""Circles (/api/v1/circles), a firm's households: 2 to 50 distinct client accounts the
writer sees, and groups of the firm. Managers see every circle; members those with a
client they reach or a group of theirs; client accounts the circles they belong to."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, literal_column, select

from advisercrm.accounts.references import clients
from advisercrm.accounts.references import resolve as accounts_named
from advisercrm.accounts.repository import linked_accounts
from advisercrm.auth.principal import Principal
from advisercrm.auth.visibility import circle_visible, shown
from advisercrm.circles.schemas import CircleCreate, CircleOut, CircleUpdate, circle
from advisercrm.groups.description import visible as group_visible
from advisercrm.groups.references import resolve as groups_named
from advisercrm.kit.listing import uuid_list_filter
from advisercrm.resource.description import Link, Resource, Where, any_of, contains, linked_to
from advisercrm.tables import accounts, circle_accounts, circle_groups, circles, groups

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
    return {"accounts": members, "groups": group_list}


CIRCLES = Resource(
    name="circles",
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
    columns=frozenset({"name"}),
    links=(
        Link("account_uuids", ca, "circle_id", "account_id", accounts_named, clients),
        Link("group_uuids", cg, "circle_id", "group_id", groups_named),
    ),
    path="/api/v1/circles",
    create=CircleCreate,
    update=CircleUpdate,
    out=CircleOut,
)

"""SQL for circles (households), their accounts and groups."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    any_,
    delete,
    exists,
    func,
    insert,
    literal_column,
    select,
    true,
    update,
)

from advisercrm.accounts.repository import linked_accounts
from advisercrm.auth.principal import Principal, template
from advisercrm.auth.visibility import circle_visible, shown
from advisercrm.groups.repository import visible as group_visible
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.repository import FirmRepository, find_query
from advisercrm.kit.sql import FIRM, Query, ids_param, uuids_param
from advisercrm.tables import accounts, circle_accounts, circle_groups, circles, groups

SORTS = {
    "created_at": circles.c.created_at,
    "updated_at": circles.c.updated_at,
    "name": circles.c.name,
}


# The circles' rule lives with the other visibility rules: accounts, below circles, embed
# an account's circles by it too.
visible = circle_visible


def _json_list(*pairs: Any) -> Any:
    return func.coalesce(
        func.json_agg(func.json_build_object(*pairs)), literal_column("'[]'::json")
    )


@functools.cache
def _load_query(reach: str) -> Query:
    """Everything the circle resource renders, with whether the viewer may open each
    circle (`visible`); its accounts and groups are those the viewer may open."""
    viewer = template(reach)
    ca, g, cg = circle_accounts, groups, circle_groups
    members = linked_accounts(ca, ca.c.circle_id, circles.c.id, circles.c.firm_id, viewer)
    group_list = (
        select(_json_list("uuid", g.c.uuid, "name", g.c.name, "slug", g.c.slug))
        .join(cg, and_(cg.c.firm_id == g.c.firm_id, cg.c.group_id == g.c.id))
        .where(
            cg.c.firm_id == circles.c.firm_id,
            cg.c.circle_id == circles.c.id,
            *shown(viewer, group_visible, g),
        )
        .scalar_subquery()
    )
    shown_itself = and_(true(), *shown(viewer, visible, circles))
    return Query(
        select(
            circles,
            members.label("accounts"),
            group_list.label("groups"),
            shown_itself.label("visible"),
        ).where(circles.c.firm_id == FIRM, circles.c.id == any_(ids_param("ids")))
    )


@functools.cache
def _resolve_query(reach: str) -> Query:
    c = circles
    return Query(
        select(c.c.id, c.c.uuid).where(
            c.c.firm_id == FIRM, c.c.uuid == any_(uuids_param("uuids")), visible(template(reach))
        )
    )


@functools.cache
def _find_query(reach: str) -> Query:
    return find_query(circles, visible(template(reach)))


class CircleRepository(FirmRepository):
    async def resolve(
        self, uuids: Iterable[uuid.UUID], principal: Principal
    ) -> dict[uuid.UUID, dict[str, Any]]:
        return await self.by_uuid(_resolve_query(principal.reach), uuids, **principal.viewer())

    async def find_id(self, circle_uuid: uuid.UUID, principal: Principal) -> int | None:
        query = _find_query(principal.reach)
        return await self.id_of(query, uuid=circle_uuid, **principal.viewer())

    async def load(self, ids: Iterable[int], principal: Principal) -> dict[int, dict[str, Any]]:
        """Everything the circle resource renders, as the principal may see it."""
        return await self.by_id(_load_query(principal.reach), ids, **principal.viewer())

    async def page(self, query: ListQuery, principal: Principal) -> tuple[list[int], int]:
        c, ca = circles, circle_accounts
        conditions: list[ColumnElement[bool]] = [self.scoped(c), visible(principal)]
        f = query.filters
        if "uuid" in f:
            conditions.append(c.c.uuid.in_(f["uuid"]))
        if "name" in f:
            conditions.append(c.c.name.icontains(f["name"], autoescape=True))
        if "account_uuids" in f:
            account_ids = select(accounts.c.id).where(
                self.scoped(accounts), accounts.c.uuid.in_(f["account_uuids"])
            )
            conditions.append(
                exists().where(
                    ca.c.firm_id == c.c.firm_id,
                    ca.c.circle_id == c.c.id,
                    ca.c.account_id.in_(account_ids),
                )
            )
        return await self.page_ids(c, conditions, SORTS[query.sort], query)

    async def insert(self, name: str) -> int:
        query = insert(circles).values(firm_id=self.firm_id, name=name).returning(circles.c.id)
        return int(await self.scalar(query))

    async def update(self, circle_id: int, values: dict[str, Any]) -> None:
        query = (
            update(circles)
            .where(self.scoped(circles), circles.c.id == circle_id)
            .values(**values, updated_at=func.now())
        )
        await self.execute(query)

    async def replace_accounts(self, circle_id: int, account_ids: list[int]) -> None:
        await self.replace_links(circle_accounts, "circle_id", circle_id, "account_id", account_ids)

    async def replace_groups(self, circle_id: int, group_ids: list[int]) -> None:
        await self.replace_links(circle_groups, "circle_id", circle_id, "group_id", group_ids)

    async def delete(self, circle_id: int) -> None:
        await self.execute(delete(circles).where(self.scoped(circles), circles.c.id == circle_id))

"""Tags (/api/v1/tag): the firm's tags as a list, and the one POST that makes tags and
puts them on records or takes them off."""

# No `from __future__ import annotations`: FastAPI reads the body model from the handler's
# annotations.

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from advisercrm.auth.access import Allowed
from advisercrm.auth.deps import CurrentPrincipal, RenderCtx
from advisercrm.auth.principal import Principal
from advisercrm.db import Conn, one_statement
from advisercrm.idempotency.route import ApiRoute
from advisercrm.kit.body import ALL_RULES
from advisercrm.kit.listing import LIST_SPEC_ATTRIBUTE, Page, paginated, parse_list_query
from advisercrm.kit.render import JSON
from advisercrm.resource import service as resources
from advisercrm.tagging import service
from advisercrm.tagging.schemas import TagRequest
from advisercrm.tags.description import TAGS
from advisercrm.tags.schemas import TagOut

router = APIRouter(route_class=ApiRoute, prefix=TAGS.path, tags=["tags"])
SPEC = TAGS.list_spec
# Tagging is staff work: a tag is the firm's own note about a record.
StaffWrite = Annotated[Principal, Depends(Allowed("write", "staff"))]


class TagList(BaseModel):
    data: list[TagOut]


@router.get("", response_model=Page[TagOut], name="list_tags")
@one_statement()
async def list_tags(
    request: Request, conn: Conn, principal: CurrentPrincipal, ctx: RenderCtx
) -> JSON:
    query = parse_list_query(request, SPEC)
    data, total = await resources.listing(conn, principal, TAGS, query, ctx)
    return paginated(request, query, data, total)


setattr(list_tags, LIST_SPEC_ATTRIBUTE, SPEC)


@router.post("", response_model=TagList, name="tag_record")
async def tag_record(
    principal: StaffWrite,
    body: Annotated[TagRequest, ALL_RULES],
    conn: Conn,
    ctx: RenderCtx,
) -> JSON:
    """Make the tags named (`create`), or put them on the record (`attach`), make them its
    only tags (`sync`) or take them off it (`detach`). Answers with the tags named
    (`create`) or the record's tags after the change, by name."""
    return JSON({"data": await service.tag_record(conn, principal, body, ctx)})

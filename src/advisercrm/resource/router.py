"""The routes of a described resource: list, create, show, update and delete, under one
path. A resource with no rules of its own needs nothing more than its description and its
request and response models."""

# No `from __future__ import annotations`: FastAPI reads the body models from the
# handlers' annotations, which name this function's arguments.

import uuid
from typing import Annotated, Any

from asyncpg import Record
from fastapi import APIRouter, Depends, Path, Request, Response
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth.access import Allowed, Found
from advisercrm.auth.deps import CurrentPrincipal, RenderCtx
from advisercrm.auth.principal import Principal
from advisercrm.db import Conn, one_statement
from advisercrm.idempotency.route import ApiRoute
from advisercrm.kit.body import ALL_RULES
from advisercrm.kit.errors import NotFound
from advisercrm.kit.fields import path_uuid
from advisercrm.kit.listing import LIST_SPEC_ATTRIBUTE, Page, paginated, parse_list_query
from advisercrm.kit.render import JSON
from advisercrm.resource import service
from advisercrm.resource.description import Resource


def path_row(
    resource: Resource, loaded: bool = False, name: str = "uuid", lock: bool = False
) -> Any:
    """The dependency that finds the record the path parameter `name` names as the
    principal sees it (404 when it cannot): `Annotated[Record, path_row(...)]`, declared
    before the permission and the body. `loaded`, with all a show renders; `lock`, held
    until commit (a delete's)."""

    async def find(
        conn: AsyncConnection, principal: Principal, row_uuid: uuid.UUID
    ) -> Record | None:
        return await service.find(conn, principal, resource, row_uuid, loaded, lock=lock)

    return Depends(Found(find, name))


def asked_includes(request: Request, resource: Resource) -> frozenset[str]:
    """The relations a show's `include` asks for among those the resource loads when
    asked; a show ignores other names, as it ignores its other query parameters."""
    named = (request.query_params.get("include") or "").split(",")
    return frozenset(resource.loaded_includes.keys() & {name.strip() for name in named})


def shown_row(resource: Resource) -> Any:
    """`path_row(resource, loaded=True)` with the `asked_includes`: one statement."""

    async def find(
        request: Request, conn: Conn, principal: CurrentPrincipal, uuid: Annotated[str, Path()]
    ) -> Record:
        parsed = path_uuid(uuid)
        includes = asked_includes(request, resource)
        found = None
        if parsed is not None:
            found = await service.find(conn, principal, resource, parsed, True, includes)
        if found is None:
            raise NotFound()
        return found

    return Depends(find)


def crud_router(resource: Resource, delete: bool = True) -> APIRouter:
    """The resource's routes; `delete=False` leaves out its DELETE (a resource whose
    documentation has none)."""
    create, update, out = resource.create, resource.update, resource.out
    assert create and update and out, f"{resource.name}: no request or response models"
    router = APIRouter(
        route_class=ApiRoute, prefix=resource.path, tags=[resource.name.replace("_", " ")]
    )
    spec = resource.list_spec

    # Declared in this order, they answer 404 for the path, then 403, then 422 for the body.
    Row = Annotated[Record, path_row(resource)]
    Doomed = Annotated[Record, path_row(resource, lock=True)]
    Shown = Annotated[Record, shown_row(resource)]
    Writer = Annotated[Principal, Depends(Allowed("write", resource.who))]
    Deleter = Annotated[Principal, Depends(Allowed("delete", resource.who))]
    Reader = Annotated[Principal, Depends(Allowed("read", resource.readers))]

    async def create_one(
        principal: Writer,
        body: Annotated[create, ALL_RULES],  # type: ignore[valid-type]
        conn: Conn,
        ctx: RenderCtx,
    ) -> JSON:
        return JSON(await service.create(conn, principal, resource, body, ctx), status_code=201)

    async def list_all(request: Request, conn: Conn, principal: Reader, ctx: RenderCtx) -> JSON:
        query = parse_list_query(request, spec)
        data, total = await service.listing(conn, principal, resource, query, ctx)
        return paginated(request, query, data, total)

    setattr(list_all, LIST_SPEC_ATTRIBUTE, spec)
    one_statement()(list_all)

    @one_statement()
    async def show_one(
        request: Request, row: Shown, conn: Conn, principal: Reader, ctx: RenderCtx
    ) -> JSON:
        includes = asked_includes(request, resource)
        return JSON(await service.show(conn, principal, resource, row, ctx, includes))

    async def update_one(
        row: Row,
        principal: Writer,
        body: Annotated[update, ALL_RULES],  # type: ignore[valid-type]
        conn: Conn,
        ctx: RenderCtx,
    ) -> JSON:
        return JSON(await service.update_row(conn, principal, resource, row, body, ctx))

    async def delete_one(row: Doomed, principal: Deleter, conn: Conn, ctx: RenderCtx) -> Response:
        await service.delete(conn, principal, resource, row, ctx)
        return Response(status_code=204)

    routes: list[tuple[str, str, Any, dict[str, Any]]] = [
        ("POST", "", create_one, {"status_code": 201, "response_model": out}),
        ("GET", "", list_all, {"response_model": Page[out]}),  # type: ignore[valid-type]
        ("GET", "/{uuid}", show_one, {"response_model": out}),
        ("PUT", "/{uuid}", update_one, {"response_model": out}),
        ("DELETE", "/{uuid}", delete_one, {"status_code": 204}),
    ]
    names = ("create", "list", "show", "update", "delete")
    for (method, path, endpoint, options), verb in zip(routes, names, strict=True):
        if verb == "delete" and not delete:
            continue
        name = f"{verb}_{resource.name if verb == 'list' else resource.singular}"
        router.add_api_route(path, endpoint, methods=[method], name=name, **options)
    return router

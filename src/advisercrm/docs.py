"""The interactive API docs, and what /openapi.json says about credentials and lists.

/docs (Swagger UI) and /redoc load their scripts, styles and favicon from this server (the
files the fastapi-offline package ships), so they work without Internet access. Each
operation's `security` and each list's query parameters are read from the routes
themselves: the authenticating dependencies they use and the ListSpec they parse with."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute

from advisercrm.auth.deps import current_principal, current_user
from advisercrm.kit.listing import (
    DEFAULT_PER_PAGE,
    LIST_SPEC_ATTRIBUTE,
    MAX_PAGE,
    MAX_PER_PAGE,
    Filter,
    ListSpec,
)

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
ASSETS_URL = "/docs/assets"
ASSETS = Path(fastapi_offline.__file__).parent / "static"

SECURITY_SCHEMES: dict[str, Any] = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal access token: `Authorization: Bearer <token>`.",
    },
    "account": {
        "type": "apiKey",
        "in": "header",
        "name": "X-PLANNR-ACCOUNT-UUID",
        "description": "The UUID of the account the request acts as.",
    },
}
# What the two pages may load: from this server only (ReDoc's sidebar shows a logo from
# its vendor's host; the browser then never asks for it). Swagger UI starts inline.
PAGE_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
    ]
)
# The dependencies that authenticate, and the schemes each reads: all of them at once.
AUTHENTICATORS: tuple[tuple[Callable[..., Any], tuple[str, ...]], ...] = (
    (current_user, ("bearer",)),
    (current_principal, ("bearer", "account")),
)


def _calls(dependant: Dependant) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def security(dependant: Dependant) -> list[dict[str, list[str]]]:
    """One requirement naming every scheme the route's dependencies read (they are needed
    together, not as alternatives); none for a public route."""
    calls = list(_calls(dependant))
    names = {n for auth, schemes in AUTHENTICATORS if auth in calls for n in schemes}
    return [{n: [] for n in SECURITY_SCHEMES if n in names}] if names else []


def list_spec(endpoint: Callable[..., Any]) -> ListSpec | None:
    """The ListSpec the endpoint parses its query with. Endpoints call
    parse_list_query(request, LIST_SPEC) in their body, so it is the module-level ListSpec
    among the names the endpoint's code uses, unless the endpoint names it itself
    (`LIST_SPEC_ATTRIBUTE`, as the routes of described resources do)."""
    function = inspect.unwrap(endpoint)
    own = getattr(function, LIST_SPEC_ATTRIBUTE, None)
    if isinstance(own, ListSpec):
        return own
    names = function.__code__.co_names
    specs = {id(s): s for n in names if isinstance(s := function.__globals__.get(n), ListSpec)}
    if len(specs) > 1:
        raise RuntimeError(f"{function.__qualname__}: which of its ListSpecs does it parse with?")
    return next(iter(specs.values()), None)


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    parameter = {"name": name, "in": "query", "required": False, "schema": schema}
    if schema.get("type") == "array":  # sent as one comma-separated value
        parameter |= {"style": "form", "explode": False}
    return parameter | ({"description": description} if description else {})


def list_parameters(spec: ListSpec) -> list[dict[str, Any]]:
    sorts = [*spec.sorts, *(f"-{s}" for s in spec.sorts)]
    parameters = [
        _query(
            "page",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
            "The page, from 1.",
        ),
        _query(
            "per_page",
            {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
            f"Records per page, at most {MAX_PER_PAGE}.",
        ),
        _query(
            "sort",
            {"type": "string", "enum": sorts, "default": spec.default_sort},
            f"The field to sort by, {spec.default_sort} by default; a leading `-` sorts "
            "descending.",
        ),
    ]
    if spec.includes:
        includes = {"type": "array", "items": {"type": "string", "enum": list(spec.includes)}}
        parameters.append(_query("include", includes, "Related records to embed."))
    for name, parse in spec.filters.items():
        if isinstance(parse, Filter):
            parameters.append(_query(f"filter[{name}]", dict(parse.schema), parse.description))
        else:
            parameters.append(_query(f"filter[{name}]", {"type": "string"}, ""))
    return parameters


def _describe(document: dict[str, Any], routes: list[BaseRoute]) -> None:
    for route in iter_route_contexts(routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        requirement = security(route.dependant)
        spec = list_spec(route.endpoint) if route.endpoint else None
        for method in route.methods or ():
            operation = document["paths"][route.path_format][method.lower()]
            if requirement:
                operation["security"] = requirement
            if spec is not None:
                operation.setdefault("parameters", []).extend(list_parameters(spec))
    document.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES


def _complete_openapi(app: FastAPI) -> None:
    default = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _describe(default(), app.routes)
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _local(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = PAGE_POLICY
    return page


def install_docs(app: FastAPI) -> None:
    """Serve /docs and /redoc offline and complete /openapi.json; call it once every route
    is in place (the app is made with docs_url and redoc_url None)."""
    assert app.docs_url is None and app.redoc_url is None and app.openapi_url
    openapi_url = app.openapi_url
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _local(
            get_swagger_ui_html(
                openapi_url=root + openapi_url,
                title=f"{app.title} - Swagger UI",
                swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
                swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
                swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
                oauth2_redirect_url=OAUTH2_REDIRECT_URL,
                # The default validator badge is an image from a third-party host.
                swagger_ui_parameters={"validatorUrl": None},
            )
        )

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _local(
            get_redoc_html(
                openapi_url=root + openapi_url,
                title=f"{app.title} - ReDoc",
                redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
                redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
                with_google_fonts=False,
            )
        )

    _complete_openapi(app)

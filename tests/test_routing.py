"""Route matching that passes over routes which cannot serve a path (kit.routing): the
app answers every path exactly as FastAPI's full walk does, and tries few routes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import Scope

from advisercrm.app import create_app
from advisercrm.kit.routing import skip_unmatched

SAMPLE_UUID = "0b3f5c1e-1111-4222-8333-444455556666"


def _small_app(guarded: bool) -> FastAPI:
    app = FastAPI()
    first, second = APIRouter(), APIRouter(prefix="/v2")
    inner = APIRouter()

    @first.get("/things/{thing_id}")
    async def thing(thing_id: int) -> dict[str, int]:
        return {"thing": thing_id}

    @first.post("/things")
    async def make() -> dict[str, str]:
        return {"made": "yes"}

    @inner.get("/deep/{name}")
    async def deep(name: str) -> dict[str, str]:
        return {"deep": name}

    second.include_router(inner)

    @second.get("/items/")
    async def items() -> list[int]:
        return [1]

    app.include_router(first)
    app.include_router(second)

    @app.get("/healthz")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    if guarded:
        skip_unmatched(app)
    return app


REQUESTS = [
    ("GET", "/things/7"),
    ("GET", "/things/x"),  # matched by path, refused by its converter's type: 422
    ("DELETE", "/things/7"),  # a path served for another method: 405
    ("GET", "/things"),  # only POST: 405
    ("POST", "/things"),
    ("GET", "/v2/deep/x"),
    ("GET", "/v2/items"),  # the trailing-slash redirect
    ("GET", "/v2/items/"),
    ("GET", "/healthz"),
    ("GET", "/healthz/"),
    ("GET", "/nowhere"),
    ("GET", "/"),
]


async def _answers(app: FastAPI) -> list[tuple[int, str, str | None]]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answers = []
        for method, path in REQUESTS:
            response = await client.request(method, path)
            answers.append((response.status_code, response.text, response.headers.get("location")))
        return answers


async def test_every_answer_is_the_full_walks() -> None:
    assert await _answers(_small_app(guarded=True)) == await _answers(_small_app(guarded=False))


def _routes(routes: Iterable[Any]) -> Iterator[Any]:
    """Every route, those of included routers too, as the app serves them."""
    for route in routes:
        candidates = getattr(route, "effective_candidates", None)
        yield from _routes(candidates()) if candidates else [route]


def _app_paths(app: FastAPI) -> Iterator[tuple[str, str]]:
    for route in _routes(app.router.routes):
        if not getattr(route, "methods", None):
            continue
        path = re.sub(r"\{[^}]+\}", SAMPLE_UUID, route.path)
        for method in sorted(route.methods):
            yield method, path
            yield method, path + "/"


def _matched(app: FastAPI, method: str, path: str) -> tuple[Match, str | None]:
    scope: Scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    for route in app.router.routes:
        match, child = route.matches(dict(scope))
        if match == Match.FULL:
            return match, getattr(child.get("endpoint"), "__name__", None)
        if match == Match.PARTIAL:
            return match, None
    return Match.NONE, None


def test_the_apps_routes_are_chosen_as_before() -> None:
    plain, guarded = create_app(), create_app()
    # create_app guards its routes; the plain one is built the same way, then unguarded.
    for route in plain.router.routes:
        vars(route).pop("matches", None)
    paths = sorted(set(_app_paths(guarded)))
    assert len(paths) > 100
    for method, path in [*paths, ("GET", "/nowhere"), ("GET", "/static/app.css")]:
        assert _matched(guarded, method, path) == _matched(plain, method, path), (method, path)


@pytest.fixture
def tries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the API routes tried, as FastAPI walks them."""
    tried: list[str] = []
    original = APIRoute.matches

    def counting(self: APIRoute, scope: Scope) -> tuple[Match, Scope]:
        tried.append(self.path)
        return original(self, scope)

    monkeypatch.setattr(APIRoute, "matches", counting)
    return tried


async def test_routes_that_cannot_serve_a_path_are_not_tried(tries: list[str]) -> None:
    app = _small_app(guarded=True)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert tries == ["/healthz"]

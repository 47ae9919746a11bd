"""Laravel's order of checks on every route that names a record in its path or takes a
body: the path's record (404), then the acting account's permission (403), then the body
(400 for JSON that does not parse, 422 for its rules).

The routes are those of the route sweep's TABLE, which its own test holds equal to the
app's; `test_every_route_with_a_path_record_or_a_body_is_checked` holds this module to
every such route of the app, so a new route is covered without a new row here. Callers
and records come from tests/sweep_support.py: firm A's records in the paths, firm B's as
the foreign ones."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from tests.sweep_support import KINDS, Sweep, build_sweep
from tests.test_route_sweep import TABLE

NOT_FOUND = {"message": "Not found."}
FORBIDDEN = {"message": "This action is unauthorized."}
MALFORMED_JSON = {"message": "Malformed JSON body."}
# A path parameter whose 404 says which record it is (the task is looked up first).
MESSAGES = {"task_status_uuid": {"message": "Task status not found."}}
# Who lacks the permission a route needs, in the order tried: the first that TABLE says
# is refused (with a valid body) must be refused before any body is looked at.
REFUSED = ("no_write", "no_delete", "client", "member")
PARAMETER = re.compile(r"([^/]+)/\{([a-z_]+)\}")
BAD_JSON = b'{"name": '


def _api_routes(app: FastAPI) -> dict[tuple[str, str], APIRoute]:
    return {
        (method, context.path_format): context.original_route
        for context in iter_route_contexts(app.routes)
        # The API's routes: the workspace's pages (out of the schema) answer HTML.
        if isinstance(context.original_route, APIRoute) and context.original_route.include_in_schema
        for method in context.methods or ()
    }


def _checked(app: FastAPI) -> set[tuple[str, str]]:
    """The routes this module checks: those with a path parameter or a body."""
    return {key for key, route in _api_routes(app).items() if "{" in key[1] or route.body_field}


def _aim(path: str, records: dict[str, str], param: str | None = None, value: str = "") -> str:
    """The path with each parameter naming a record of its kind, but `param` `value`."""

    def one(match: re.Match[str]) -> str:
        chosen = value if match[2] == param else records[KINDS[match[1]]]
        return f"{match[1]}/{chosen}"

    return PARAMETER.sub(one, path)


def _invalid_body(route: APIRoute) -> dict[str, Any]:
    """Every field of the route's body of the wrong type (no field takes a float)."""
    assert route.body_field is not None
    model = route.body_field.field_info.annotation
    return dict.fromkeys(model.model_fields, 1.5)


@pytest.fixture(scope="module")
async def sweep(app: FastAPI) -> AsyncIterator[Sweep]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield await build_sweep(app, http)


async def _send(
    sweep: Sweep, caller: str, method: str, path: str, body: Any = None, raw: bytes | None = None
) -> httpx.Response:
    headers = dict(sweep.credentials[caller].headers)
    if raw is not None:
        headers["Content-Type"] = "application/json"
    return await sweep.http.request(method, path, json=body, content=raw, headers=headers)


def _answer(response: httpx.Response) -> tuple[int, Any]:
    return response.status_code, response.json()


ROUTES = [pytest.param(m, p, id=f"{m} {p}") for m, p in TABLE]


def test_every_route_with_a_path_record_or_a_body_is_checked(app: FastAPI) -> None:
    assert _checked(app) <= set(TABLE)
    assert len(_checked(app)) >= 40  # the filter has not gone blind


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_a_malformed_unknown_or_foreign_path_record_is_404_first(
    app: FastAPI, sweep: Sweep, method: str, path: str
) -> None:
    """Whatever the body and whoever asks (a read-only caller here), a path naming no
    record the caller sees is 404 before the permission and the body are looked at."""
    route = _api_routes(app)[(method, path)]
    params = PARAMETER.findall(path)
    if not params:
        pytest.skip("no record in the path")
    invalid = _invalid_body(route) if route.body_field else None
    for segment, param in params:
        foreign = sweep.b.records[KINDS[segment]]
        expected = (404, MESSAGES.get(param, NOT_FOUND))
        for value in (
            "not-a-uuid",
            sweep.a.records[KINDS[segment]][:-1],
            str(uuid.uuid4()),
            foreign,
        ):
            aimed = _aim(path, sweep.a.records, param, value)
            for caller in ("no_write", "owner"):
                response = await _send(sweep, caller, method, aimed, invalid)
                assert _answer(response) == expected, (caller, aimed, response.text)
            if route.body_field:
                response = await _send(sweep, "no_write", method, aimed, raw=BAD_JSON)
                assert _answer(response) == expected, (aimed, response.text)


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_the_permission_is_403_before_the_body(
    app: FastAPI, sweep: Sweep, method: str, path: str
) -> None:
    """A caller the route refuses gets 403 for a record it sees, however bad the body."""
    route = _api_routes(app)[(method, path)]
    row = TABLE[(method, path)]._asdict()
    refused = next((caller for caller in REFUSED if row[caller] == 403), None)
    if refused is None:
        pytest.skip("every caller may use this route")
    aimed = _aim(path, sweep.a.records)
    if route.body_field is None:
        response = await _send(sweep, refused, method, aimed)
        assert _answer(response) == (403, FORBIDDEN), response.text
        return
    for body in (_invalid_body(route), [], "text", None):
        response = await _send(sweep, refused, method, aimed, body)
        assert _answer(response) == (403, FORBIDDEN), (body, response.text)
    response = await _send(sweep, refused, method, aimed, raw=BAD_JSON)
    assert _answer(response) == (403, FORBIDDEN), response.text
    if method == "POST":  # the Idempotency-Key is looked at after the permission too
        headers = {**sweep.credentials[refused].headers, "Idempotency-Key": "not a key"}
        response = await sweep.http.post(aimed, json={}, headers=headers)
        assert _answer(response) == (403, FORBIDDEN), response.text


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_a_permitted_caller_gets_the_body_errors(
    app: FastAPI, sweep: Sweep, method: str, path: str
) -> None:
    """The owner, on a record it sees: every field of a wrong type is a 422 naming each
    field, and JSON that does not parse is a 400."""
    route = _api_routes(app)[(method, path)]
    if route.body_field is None:
        pytest.skip("no body")
    aimed = _aim(path, sweep.a.records)
    body = _invalid_body(route)
    response = await _send(sweep, "owner", method, aimed, body)
    assert response.status_code == 422, response.text
    answer = response.json()
    assert set(answer) == {"message", "errors"}
    assert list(answer["errors"]) == list(body), "one entry per field, in the model's order"
    messages = [m for field in answer["errors"].values() for m in field]
    rest = len(messages) - 1
    more = f" (and {rest} more error{'s' if rest > 1 else ''})" if rest else ""
    assert answer["message"] == messages[0] + more
    response = await _send(sweep, "owner", method, aimed, raw=BAD_JSON)
    assert _answer(response) == (400, MALFORMED_JSON), response.text


def test_the_openapi_document_lists_each_path_parameter_once(app: FastAPI) -> None:
    """The path parameters are declared by the record dependencies (a route may use one
    twice, as accounts do for their permission check): each is listed once, required."""
    for path, item in app.openapi()["paths"].items():
        wanted = sorted(PARAMETER.findall(path), key=lambda found: path.index(found[1]))
        for method, operation in item.items():
            listed = [p for p in operation.get("parameters", []) if p["in"] == "path"]
            assert [p["name"] for p in listed] == [name for _, name in wanted], (method, path)
            assert all(p["required"] for p in listed), (method, path)

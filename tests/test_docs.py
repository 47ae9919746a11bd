"""The API docs: /docs and /redoc load nothing from another host, and /openapi.json
declares the credentials each operation needs and every list's query parameters, as the
server enforces them (checked against the server's own answers, so the two cannot drift)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from advisercrm.docs import list_parameters, list_spec
from advisercrm.kit.listing import MAX_PER_PAGE, ListSpec, text_filter
from tests.helpers import Firm

JSON = {"Content-Type": "application/json"}

BOTH = [{"bearer": [], "account": []}]
ACCOUNT_MISSING = {"message": "The X-PLANNR-ACCOUNT-UUID header is required."}
LIST_KEYS = {"page", "per_page", "sort", "include"}


@pytest.fixture(scope="module")
def document(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


# Security ------------------------------------------------------------------------------


def test_the_two_schemes_are_declared(document: dict[str, Any]) -> None:
    assert document["components"]["securitySchemes"] == {
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


@pytest.mark.parametrize(
    "method,path,expected",
    [
        ("get", "/api/v2/goals", BOTH),
        ("post", "/api/v1/task", BOTH),
        ("delete", "/api/v1/personal-access-tokens/{uuid}", BOTH),
        ("get", "/api/v1/personal-access-tokens", BOTH),
        ("get", "/api/v1/logins", [{"bearer": []}]),
        ("get", "/healthz", None),
        ("get", "/readyz", None),
        ("get", "/avatar.svg", None),
    ],
)
def test_each_operation_needs_its_schemes_together(
    document: dict[str, Any], method: str, path: str, expected: Any
) -> None:
    assert document["paths"][path][method].get("security") == expected
    assert "security" not in document  # no default for the public routes to inherit


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)


async def test_every_operation_is_answered_as_its_security_says(
    firm: Firm, client: httpx.AsyncClient, document: dict[str, Any]
) -> None:
    """Without the account header: 400 where it is documented, served where only the
    bearer is; without any credentials, the public routes are served."""
    bearer = {"Authorization": f"Bearer {firm.owner.token}"}
    seen = set()
    for method, path, operation in operations(document):
        security = operation.get("security")
        seen.add(str(security))
        if security is None:
            response = await client.request(method, _concrete(path))
            assert response.status_code == 200, (method, path, response.text)
            continue
        response = await client.request(method, _concrete(path), headers=bearer, json={})
        if security == BOTH:
            assert response.status_code == 400, (method, path, response.text)
            assert response.json() == ACCOUNT_MISSING
        else:
            assert security == [{"bearer": []}]
            assert response.status_code == 200, (method, path, response.text)
        unauthenticated = await client.request(method, _concrete(path), json={})
        assert unauthenticated.status_code == 401, (method, path)
    assert seen == {str(BOTH), str([{"bearer": []}]), "None"}


# List parameters -----------------------------------------------------------------------


def _is_page(document: dict[str, Any], operation: dict[str, Any]) -> bool:
    content = operation["responses"].get("200", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    name = schema.get("$ref", "").rsplit("/", 1)[-1]
    properties = document["components"]["schemas"].get(name, {}).get("properties", {})
    return set(properties) == {"data", "links", "meta"}


def list_operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (path, op)
        for method, path, op in operations(document)
        if method == "GET" and _is_page(document, op)
    ]


def query_parameters(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}


def _allowed(response: httpx.Response, kind: str) -> list[str]:
    """The whitelist a 400 names: "... Allowed filter(s) are `a, b`." """
    assert response.status_code == 400, response.text
    found = re.search(rf"Allowed {kind}\(s\) are `([^`]*)`\.\Z", response.json()["message"])
    assert found, response.text
    return [n for n in found.group(1).split(", ") if n]


def _sample(schema: dict[str, Any]) -> str:
    """A valid value of a documented parameter, as it goes on the query string."""
    if schema["type"] == "array":
        return _sample(schema["items"])
    if "enum" in schema:
        return str(schema["enum"][0])
    if schema["type"] == "integer":
        return str(schema.get("minimum", 1))
    if schema["type"] == "boolean":
        return "true"
    return {"uuid": str(uuid.uuid4()), "date": "2030-01-31"}.get(schema.get("format", ""), "x")


def test_the_documented_lists_are_the_ones_expected(document: dict[str, Any]) -> None:
    # A new list route shows up here; the checks below then cover it with no change.
    assert {path for path, _ in list_operations(document)} == {
        "/api/v1/logins",
        "/api/v1/personal-access-tokens",
        "/api/v1/account",
        "/api/v1/account/{account_uuid}/login",
        "/api/v1/client",
        "/api/v1/cases",
        "/api/v1/cases-status",
        "/api/v1/cases-type",
        "/api/v1/circles",
        "/api/v1/client-status",
        "/api/v1/custom-field",
        "/api/v1/life-stage",
        "/api/v1/group",
        "/api/v1/plans",
        "/api/v1/tag",
        "/api/v1/task",
        "/api/v1/task-status",
        "/api/v2/goals",
        "/api/v1/client/{client_uuid}/goal",
        "/api/v2/webhook-subscriptions",
        "/api/v2/webhook-subscriptions/{uuid}/deliveries",
    }


async def test_each_list_documents_exactly_what_it_enforces(
    firm: Firm, document: dict[str, Any]
) -> None:
    owner = firm.owner
    client_uuid = (await firm.client_account())["uuid"]
    hooks = "/api/v2/webhook-subscriptions"
    made = await owner.created(
        hooks, {"url": "https://93.184.215.14/h", "events": ["goal.created"]}
    )
    checked = 0
    for template, operation in list_operations(document):
        named = made["uuid"] if template.startswith(hooks + "/") else client_uuid
        path = re.sub(r"\{[^}]+\}", named, template)
        params = query_parameters(operation)
        filters = [n[7:-1] for n in params if n.startswith("filter[") and n.endswith("]")]
        assert set(params) - {f"filter[{n}]" for n in filters} <= LIST_KEYS, template
        unknown = await owner.get(path, params={"filter[zz_unknown]": "1"})
        if unknown.status_code == 200:
            # Logins and tokens come whole: no whitelist, and nothing documented.
            assert params == {}, template
            continue
        assert filters == _allowed(unknown, "filter"), template

        sort = params["sort"]["schema"]
        enforced = _allowed(await owner.get(path, params={"sort": "zz_unknown"}), "sort")
        assert sort["enum"] == [*enforced, *(f"-{s}" for s in enforced)], template
        assert sort["default"] in enforced
        includes = _allowed(await owner.get(path, params={"include": "zz_unknown"}), "include")
        documented = params["include"]["schema"]["items"]["enum"] if "include" in params else []
        assert documented == includes, template

        per_page = params["per_page"]["schema"]
        assert per_page["maximum"] == MAX_PER_PAGE == 500
        top = await owner.get(path, params={"per_page": str(MAX_PER_PAGE)})
        assert top.status_code == 200, (template, top.text)
        over = await owner.get(path, params={"per_page": str(MAX_PER_PAGE + 1)})
        assert over.status_code == 422, (template, over.text)

        sent = [{"page": "2"}, *({"sort": s} for s in sort["enum"])]
        sent += [{"include": name} for name in documented]
        sent += [{f"filter[{n}]": _sample(params[f"filter[{n}]"]["schema"])} for n in filters]
        for query in sent:
            response = await owner.get(path, params=query)
            assert response.status_code == 200, (template, query, response.text)
        checked += 1
    assert checked == 19


def test_a_list_filter_is_documented_by_its_kind(document: dict[str, Any]) -> None:
    params = query_parameters(document["paths"]["/api/v2/goals"]["get"])
    assert params["filter[priority]"] == {
        "name": "filter[priority]",
        "in": "query",
        "required": False,
        "schema": {
            "type": "array",
            "items": {"type": "integer", "minimum": 1, "maximum": 5},
            "minItems": 1,
        },
        "style": "form",
        "explode": False,
        "description": "Comma-separated integers from 1 to 5: any of.",
    }
    assert params["filter[complete_goal_by_before]"]["schema"] == {
        "type": "string",
        "format": "date",
    }
    assert params["filter[name]"]["schema"] == {"type": "string"}
    tasks = query_parameters(document["paths"]["/api/v1/task"]["get"])
    assert tasks["filter[has_due_date]"]["schema"] == {"type": "boolean"}
    assert tasks["filter[subtask_visibility]"]["schema"] == {
        "type": "string",
        "enum": ["include", "exclude", "only"],
    }
    assert tasks["include"]["explode"] is False


def test_a_filter_of_its_own_is_documented_as_text() -> None:
    spec = ListSpec(
        filters={"code": str.strip, "name": text_filter}, sorts=("name",), default_sort="name"
    )
    params = {p["name"]: p for p in list_parameters(spec)}
    assert params["filter[code]"] == {
        "name": "filter[code]",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
    }
    assert params["sort"]["schema"] == {
        "type": "string",
        "enum": ["name", "-name"],
        "default": "name",
    }


ONE = ListSpec(filters={}, sorts=("name",))
TWO = ListSpec(filters={}, sorts=("name",))


async def _names_two_specs() -> None:
    print(ONE, TWO)


def test_an_endpoint_naming_two_specs_is_refused() -> None:
    with pytest.raises(RuntimeError, match="which of its ListSpecs"):
        list_spec(_names_two_specs)


# The pages -----------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_docs_pages_load_everything_from_this_server(
    client: httpx.AsyncClient, page: str
) -> None:
    response = await client.get(page)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "img-src 'self' data:" in policy
    html = response.text
    assert "http://" not in html and "https://" not in html, html
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert {u.rsplit("/", 1)[-1] for u in urls} >= {"favicon.png"}
    assert len(urls) == (3 if page == "/docs" else 2)
    for url in urls:
        assert url.startswith("/docs/assets/"), url
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 1000
    assert "'/openapi.json'" in html or 'spec-url="/openapi.json"' in html


async def test_the_openapi_document_is_still_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json()["components"]["securitySchemes"].keys() == {"bearer", "account"}


async def test_error_examples_are_the_bodies_the_api_sends(
    document: dict[str, Any], client: httpx.AsyncClient, firm: Firm
) -> None:
    """Each documented error status shows a message the server really answers with."""
    responses = document["paths"]["/api/v2/goals/{uuid}"]["get"]["responses"]
    examples = {
        code: body["content"]["application/json"]["example"]
        for code, body in responses.items()
        if code != "422" and code.startswith(("4", "5"))
    }
    assert set(examples) == {"400", "401", "403", "404", "409", "413", "415", "429", "503"}
    missing = await firm.owner.get(f"/api/v2/goals/{uuid.uuid4()}")
    no_token = await client.get(f"/api/v2/goals/{uuid.uuid4()}")
    malformed = await firm.owner.post("/api/v2/goals", content=b"{", headers=JSON)
    assert (missing.status_code, missing.json()) == (404, examples["404"])
    assert (no_token.status_code, no_token.json()) == (401, examples["401"])
    assert (malformed.status_code, malformed.json()) == (400, examples["400"])

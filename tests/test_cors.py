"""CORS: off unless ADVISERCRM_CORS_ORIGINS names origins; then browsers on those origins
(and only those) may call the API with its headers and read the ones it answers with."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest

from advisercrm.app import create_app
from advisercrm.config import Settings, get_settings
from tests.helpers import Firm

ALLOWED = "https://crm.example.com"
REQUEST_HEADERS = "authorization,content-type,x-plannr-account-uuid,idempotency-key,x-request-id"
EXPOSED = {"x-request-id", "x-ratelimit-limit", "x-ratelimit-remaining", "retry-after"}


@pytest.fixture
async def browser_app(database_url: str, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    config = dataclasses.replace(settings, cors_origins=(ALLOWED, "http://localhost:3000"))
    app = create_app(config, database_url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def preflight(origin: str, method: str = "POST") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": REQUEST_HEADERS,
    }


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("access-control-")}


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
async def test_preflight_from_an_allowed_origin(
    browser_app: httpx.AsyncClient, method: str
) -> None:
    response = await browser_app.options("/api/v2/goals", headers=preflight(ALLOWED, method))
    assert response.status_code == 200
    assert response.text == "OK"
    headers = cors_headers(response)
    assert headers["access-control-allow-origin"] == ALLOWED
    assert method in headers["access-control-allow-methods"].split(", ")
    allowed = {h.strip().lower() for h in headers["access-control-allow-headers"].split(",")}
    assert set(REQUEST_HEADERS.split(",")) <= allowed
    assert "access-control-allow-credentials" not in headers


async def test_preflight_from_another_origin_is_refused(browser_app: httpx.AsyncClient) -> None:
    response = await browser_app.options(
        "/api/v2/goals", headers=preflight("https://evil.example.com")
    )
    assert response.status_code == 400
    assert response.text == "Disallowed CORS origin"
    assert "access-control-allow-origin" not in response.headers


async def test_an_allowed_origin_reads_the_answer_and_its_headers(
    firm: Firm, browser_app: httpx.AsyncClient
) -> None:
    headers = {**firm.owner.headers, "Origin": ALLOWED}
    response = await browser_app.get("/api/v1/group", headers=headers)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    exposed = {
        h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")
    }
    assert EXPOSED | {"idempotent-replayed"} <= exposed
    assert response.headers["x-request-id"]


async def test_another_origin_is_not_allowed_to_read_the_answer(
    firm: Firm, browser_app: httpx.AsyncClient
) -> None:
    headers = {**firm.owner.headers, "Origin": "https://evil.example.com"}
    response = await browser_app.get("/api/v1/group", headers=headers)
    # The browser, not the server, withholds the answer: it is not allowed to read it.
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


async def test_without_the_setting_no_cors_headers_at_all(
    firm: Firm, client: httpx.AsyncClient
) -> None:
    response = await client.options("/api/v2/goals", headers=preflight(ALLOWED))
    assert response.status_code == 405
    assert response.json() == {"message": "Method not allowed."}
    assert cors_headers(response) == {}
    answered = await client.get("/api/v1/group", headers={**firm.owner.headers, "Origin": ALLOWED})
    assert answered.status_code == 200
    assert cors_headers(answered) == {}


def test_origins_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    get_settings.cache_clear()
    try:
        monkeypatch.setenv(
            "ADVISERCRM_CORS_ORIGINS", " https://a.example/, http://localhost:3000 ,,"
        )
        assert get_settings().cors_origins == ("https://a.example", "http://localhost:3000")
        get_settings.cache_clear()
        monkeypatch.delenv("ADVISERCRM_CORS_ORIGINS")
        assert get_settings().cors_origins == ()
    finally:
        get_settings.cache_clear()

"""Application-wide behaviour: routing errors, health, docs, body parsing, server errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from advisercrm.goals import service as goals_service
from tests.helpers import Firm


async def test_unknown_route_is_404_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"message": "Not found."}


async def test_wrong_method_is_405_json(client: httpx.AsyncClient) -> None:
    response = await client.patch("/api/v2/goals")
    assert response.status_code == 405
    assert response.json() == {"message": "Method not allowed."}


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ok"}


async def test_openapi_documents_every_route(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path in (
        "/api/v1/logins",
        "/api/v1/personal-access-tokens",
        "/api/v1/account",
        "/api/v1/account/{uuid}",
        "/api/v1/client",
        "/api/v1/client/{uuid}",
        "/api/v1/circles",
        "/api/v1/circles/{uuid}",
        "/api/v1/group",
        "/api/v1/group/{uuid}",
        "/api/v2/goals",
        "/api/v2/goals/{uuid}",
        "/api/v1/client/{client_uuid}/goal",
        "/api/v1/client/{client_uuid}/goal/{uuid}",
    ):
        assert path in paths, path
    assert (await client.get("/docs")).status_code == 200


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"name": ', "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"),
        (b'{"name": "caf\xe9"}', "application/json"),
    ],
)
async def test_malformed_bodies_are_400(firm: Firm, content: bytes, content_type: str) -> None:
    response = await firm.owner.post(
        "/api/v2/goals", content=content, headers={"Content-Type": content_type}
    )
    assert response.status_code == 400
    assert response.json() == {"message": "Malformed JSON body."}


async def test_body_over_the_limit_is_413(firm: Firm) -> None:
    body = b'{"name": "' + b"x" * (1024 * 1024) + b'"}'
    response = await firm.owner.post(
        "/api/v2/goals", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {"message": "The request body is too large."}


async def test_internal_errors_are_500_with_a_request_id_and_no_internals(
    firm: Firm, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(goals_service, "create", explode)
    client_account = await firm.client_account()
    response = await firm.owner.post(
        "/api/v2/goals", {"account_uuids": [client_account["uuid"]], "name": "x"}
    )
    assert response.status_code == 500
    body = response.json()
    assert set(body) == {"message", "request_id"} and body["message"] == "Server Error."
    assert "secret" not in response.text
    assert body["request_id"] in caplog.text and "secret internals" in caplog.text


async def test_avatar_is_an_svg_of_initials(client: httpx.AsyncClient) -> None:
    response = await client.get("/avatar.svg", params={"name": "Gareth Thompson"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert ">GT</text>" in response.text


async def test_streamed_body_over_the_limit_is_413(firm: Firm) -> None:
    async def chunks() -> Any:
        yield b'{"name": "'
        for _ in range(17):
            yield b"x" * 65536
        yield b'"}'

    headers = {"Content-Type": "application/json"}
    response = await firm.owner.post("/api/v2/goals", content=chunks(), headers=headers)
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json() == {"message": "The request body is too large."}

"""Hardening that holds for every response: security headers, hostile JSON, and logs
that never carry a token, a password or a hash."""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

import httpx
import pytest

from tests.helpers import Firm

ROOT = Path(__file__).resolve().parent.parent
# The project must stand alone: its code and documentation cite no document outside it.
OUTSIDE_CITATION = re.compile(r"shared/|spec sections?\b", re.IGNORECASE)


async def test_security_headers_and_request_id(firm: Firm, client: httpx.AsyncClient) -> None:
    responses = [
        await firm.owner.get("/api/v1/group"),
        await client.get("/api/v1/group"),
        await client.get("/nowhere"),
        await client.get("/healthz"),
    ]
    for response in responses:
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert len(response.headers["x-request-id"]) == 32
    assert responses[0].headers["cache-control"] == "no-store"
    assert len({r.headers["x-request-id"] for r in responses}) == len(responses)


@pytest.mark.parametrize("depth", [200, 100_000])
async def test_deeply_nested_json_is_rejected_cleanly(firm: Firm, depth: int) -> None:
    body = b'{"name": ' + b"[" * depth + b"]" * depth + b"}"
    response = await firm.owner.post(
        "/api/v2/goals", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (400, 422)
    assert "message" in response.json()


async def test_nul_and_broken_utf8_in_query_strings_never_fail(firm: Firm) -> None:
    response = await firm.owner.get("/api/v2/goals", params={"filter[name]": "a\x00b"})
    assert response.status_code == 422, response.text
    assert list(response.json()["errors"]) == ["filter.name"]
    for raw in ("%ED%B3%BF", "%FF%FE", "%C0%80"):
        response = await firm.owner.get(f"/api/v2/goals?filter[name]={raw}")
        assert response.status_code in (200, 422), response.text


async def test_no_secret_reaches_the_logs(firm: Firm, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    password = "a very secret password 123"
    body = {
        "type": "employee",
        "role": "member",
        "first_name": "Log",
        "last_name": "Watcher",
        "email": "log-watcher@example.com",
        "login": {"password": password},
    }
    # Racing creates of one login email make the database refuse some: the conflict path.
    await asyncio.gather(*(firm.owner.post("/api/v1/account", body) for _ in range(4)))
    made = await firm.owner.post(
        "/api/v1/personal-access-tokens", {"name": "ci", "password": firm.password}
    )
    assert made.status_code == 201
    token = made.json()["token"]
    wrong = await firm.owner.post(
        "/api/v1/personal-access-tokens", {"name": "x", "password": "wrong!"}
    )
    assert wrong.status_code == 422
    await firm.owner.client.get("/api/v1/group", headers={"Authorization": "Bearer acrm_pat_guess"})
    logged = caplog.text
    for secret in (password, firm.password, token, firm.owner.token, "$argon2", "wrong!"):
        assert secret not in logged


def _shipped_text_files() -> list[Path]:
    files = [ROOT / "README.md"]
    for folder in (ROOT / "src", ROOT / "docs"):
        files += [p for p in folder.rglob("*") if p.is_file() and ".egg-info" not in str(p)]
    return [p for p in files if p.suffix in (".py", ".md", ".txt", ".toml", ".ini", ".cfg")]


def test_code_and_docs_cite_nothing_outside_the_project() -> None:
    files = _shipped_text_files()
    assert ROOT / "docs" / "API.md" in files and len(files) > 50
    citing = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE_CITATION.search(line)
    ]
    assert citing == []

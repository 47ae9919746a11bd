"""Request ids (X-Request-Id, made or echoed) and logs: one line per request in text or
JSON, the request id on every line of a request and on a 500, and no secret anywhere."""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from advisercrm.app import create_app
from advisercrm.config import Settings, get_settings
from advisercrm.logs import TEXT_FORMAT, JsonFormatter, RequestIdFilter
from tests.helpers import Firm

HEX_ID = re.compile(r"^[0-9a-f]{32}$")
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@dataclass
class Captured:
    """What the server logged, formatted both ways."""

    json: io.StringIO
    text: io.StringIO

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.json.getvalue().splitlines()]

    def access(self) -> list[dict[str, Any]]:
        return [line for line in self.lines() if line["logger"] == "advisercrm.access"]


class ServerSide(logging.Filter):
    """Drop the test client's own records (httpx logs each URL it calls)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith(("httpx", "httpcore"))


@pytest.fixture
def captured() -> Iterator[Captured]:
    """Every record at every level, as the server's stderr handler would format it."""
    root = logging.getLogger()
    out = Captured(io.StringIO(), io.StringIO())
    handlers = []
    for stream, formatter in (
        (out.json, JsonFormatter()),
        (out.text, logging.Formatter(TEXT_FORMAT)),
    ):
        handler = logging.StreamHandler(stream)
        handler.setFormatter(formatter)
        handler.addFilter(RequestIdFilter())
        handler.addFilter(ServerSide())
        root.addHandler(handler)
        handlers.append(handler)
    level = root.level
    root.setLevel(logging.DEBUG)
    try:
        yield out
    finally:
        root.setLevel(level)
        for handler in handlers:
            root.removeHandler(handler)


@pytest.fixture
async def failing(database_url: str, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with two test-only routes: one raises, one logs a warning."""
    app: FastAPI = create_app(settings, database_url)

    @app.get("/test-only/boom")
    async def boom() -> None:
        raise RuntimeError("kaboom")

    @app.get("/test-only/warn")
    async def warn() -> dict[str, str]:
        logging.getLogger("advisercrm.test").warning("something odd")
        return {}

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.mark.parametrize(
    ("given", "echoed"),
    [
        ("abc-123_.XYZ", True),
        ("a" * 128, True),
        ("a" * 129, False),
        ("two words", False),
        ("x/y", False),
        ("id;drop", False),
        ("", False),
    ],
)
async def test_a_valid_request_id_is_echoed_else_a_new_one_made(
    client: httpx.AsyncClient, given: str, echoed: bool
) -> None:
    response = await client.get("/healthz", headers={"X-Request-Id": given})
    assert response.status_code == 200
    if echoed:
        assert response.headers["x-request-id"] == given
    else:
        assert HEX_ID.match(response.headers["x-request-id"])


async def test_every_response_has_its_own_request_id(client: httpx.AsyncClient) -> None:
    first, second = await client.get("/healthz"), await client.get("/no/such/path")
    assert HEX_ID.match(first.headers["x-request-id"])
    assert HEX_ID.match(second.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_one_request_line_with_its_fields_in_both_formats(
    firm: Firm, captured: Captured
) -> None:
    missing = uuid.uuid4()
    headers = {"X-Request-Id": "trace-1"}
    response = await firm.owner.get(f"/api/v2/goals/{missing}?page=1", headers=headers)
    assert response.status_code == 404
    [line] = captured.access()
    assert TIME.match(line.pop("time"))
    duration = line.pop("duration_ms")
    assert isinstance(duration, float) and duration >= 0
    assert line == {
        "level": "INFO",
        "logger": "advisercrm.access",
        "message": f"GET /api/v2/goals/{{uuid}} 404 {duration:.2f}ms request_id=trace-1",
        "request_id": "trace-1",
        "method": "GET",
        "route": "/api/v2/goals/{uuid}",
        "status": 404,
    }
    [text] = [t for t in captured.text.getvalue().splitlines() if "advisercrm.access" in t]
    assert text.endswith(
        f" INFO advisercrm.access: GET /api/v2/goals/{{uuid}} 404 {duration:.2f}ms "
        "request_id=trace-1"
    )
    assert str(missing) not in captured.text.getvalue() + captured.json.getvalue()


async def test_secrets_never_reach_the_logs(
    firm: Firm, client: httpx.AsyncClient, captured: Captured
) -> None:
    owner = firm.owner
    made = await owner.post(
        "/api/v1/personal-access-tokens", {"name": "ci", "password": firm.password}
    )
    assert made.status_code == 201, made.text
    new_token = made.json()["token"]
    wrong = await owner.post(
        "/api/v1/personal-access-tokens", {"name": "ci", "password": "wrong-Pa55word-x"}
    )
    assert wrong.status_code == 422
    query = {"token": new_token, "password": firm.password}
    listed = await client.get(
        "/api/v1/personal-access-tokens",
        params=query,
        headers={
            "Authorization": f"Bearer {new_token}",
            "X-PLANNR-ACCOUNT-UUID": owner.account_uuid,
        },
    )
    assert listed.status_code == 200
    guessed = "acrm_pat_" + "g" * 40
    refused = await client.get("/api/v1/logins", headers={"Authorization": f"Bearer {guessed}"})
    assert refused.status_code == 401
    logged = captured.json.getvalue() + captured.text.getvalue()
    assert [line["status"] for line in captured.access()] == [201, 422, 200, 401]
    secrets = [owner.token, new_token, firm.password, "wrong-Pa55word-x", guessed, "Bearer"]
    assert [s for s in secrets if s in logged] == []
    assert "?" not in "".join(line["message"] for line in captured.access())


async def test_a_500_names_one_request_id_in_body_header_and_logs(
    failing: httpx.AsyncClient, captured: Captured
) -> None:
    for given in (None, "caller-42"):
        response = await failing.get("/test-only/boom", headers={"X-Request-Id": given or ""})
        assert response.status_code == 500
        request_id = response.headers["x-request-id"]
        assert response.json() == {"message": "Server Error.", "request_id": request_id}
        assert response.headers["x-content-type-options"] == "nosniff"
        if given:
            assert request_id == given
        [error] = [line for line in captured.lines() if line["level"] == "ERROR"]
        assert error["request_id"] == request_id
        assert "RuntimeError: kaboom" in error["exception"]
        [access] = captured.access()
        assert (access["request_id"], access["status"]) == (request_id, 500)
        assert access["route"] == "/test-only/boom"
        captured.json.truncate(0)
        captured.json.seek(0)


async def test_lines_logged_within_a_request_carry_its_id(
    failing: httpx.AsyncClient, captured: Captured
) -> None:
    response = await failing.get("/test-only/warn", headers={"X-Request-Id": "warned-1"})
    assert response.status_code == 200
    [warning] = [line for line in captured.lines() if line["logger"] == "advisercrm.test"]
    assert warning["request_id"] == "warned-1"
    assert warning["message"] == "something odd"
    logging.getLogger("advisercrm.test").warning("outside")
    assert "request_id" not in captured.lines()[-1]


@pytest.mark.parametrize("fmt", ["json", None])
def test_the_logging_setup_writes_json_lines_to_stderr(fmt: str | None) -> None:
    """The configuration `serve` and the CLI use, in a process of its own; None reads
    ADVISERCRM_LOG_FORMAT."""
    code = (
        "import logging; from advisercrm import logs; "
        f"logs.setup('INFO', {fmt!r}); logging.getLogger('advisercrm.x').info('hello %s', 'you')"
    )
    env = {"ADVISERCRM_LOG_FORMAT": "json", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout == ""
    line = json.loads(done.stderr)
    assert TIME.match(line.pop("time"))
    assert line == {"level": "INFO", "logger": "advisercrm.x", "message": "hello you"}


def test_an_unknown_log_format_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISERCRM_LOG_FORMAT", "xml")
    get_settings.cache_clear()
    try:
        with pytest.raises(
            ValueError, match="ADVISERCRM_LOG_FORMAT must be one of text, json, not 'xml'"
        ):
            get_settings()
    finally:
        get_settings.cache_clear()

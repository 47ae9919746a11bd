"""The command line, run as a real process against the session's database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from tests.conftest import SECRET

EMAIL, PASSWORD = "cli-owner@example.com", "s3cret-passw0rd"
OWNER_OPTIONS = ("--owner-email", EMAIL, "--owner-password", PASSWORD)


def run(database_url: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ADVISERCRM_DATABASE_URL": database_url, "ADVISERCRM_SECRET_KEY": SECRET}
    result = subprocess.run(
        [sys.executable, "-m", "advisercrm", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if ok:
        assert result.returncode == 0, result.stderr
    return result


def output(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """stdout holds exactly one JSON object and nothing else."""
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def test_migrate_is_idempotent(database_url: str) -> None:
    run(database_url, "migrate")
    assert run(database_url, "migrate").stdout == ""


@pytest.fixture(scope="module")
def created_firm(database_url: str) -> dict[str, Any]:
    result = run(database_url, "firm", "create", "--name", "Acme Advice", *OWNER_OPTIONS)
    return output(result)


def test_firm_create_prints_uuids_and_a_token(created_firm: dict[str, Any]) -> None:
    assert set(created_firm) == {"firm_uuid", "account_uuid", "token"}
    assert created_firm["token"].startswith("acrm_pat_")


async def test_firm_create_token_works(created_firm: dict[str, Any], client: Any) -> None:
    headers = {
        "Authorization": f"Bearer {created_firm['token']}",
        "X-PLANNR-ACCOUNT-UUID": created_firm["account_uuid"],
    }
    response = await client.get(f"/api/v1/account/{created_firm['account_uuid']}", headers=headers)
    assert response.status_code == 200
    assert (response.json()["type"], response.json()["role"]) == ("employee", "owner")


def test_token_create(database_url: str, created_firm: dict[str, Any]) -> None:
    result = run(
        database_url,
        "token",
        "create",
        "--email",
        "cli-owner@example.com",
        "--password",
        "s3cret-passw0rd",
    )
    data = output(result)
    assert data["account_uuid"] == created_firm["account_uuid"]
    assert data["token"].startswith("acrm_pat_") and data["token"] != created_firm["token"]
    options = (
        "--email",
        EMAIL,
        "--password",
        PASSWORD,
        "--account-uuid",
        created_firm["account_uuid"],
    )
    bound = run(database_url, "token", "create", *options)
    assert output(bound)["account_uuid"] == created_firm["account_uuid"]


def test_token_create_refuses_a_wrong_password(
    database_url: str, created_firm: dict[str, Any]
) -> None:
    result = run(
        database_url,
        "token",
        "create",
        "--email",
        "cli-owner@example.com",
        "--password",
        "nope",
        ok=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "wrong email or password" in result.stderr
    assert "nope" not in result.stderr


def test_demo_creates_a_fresh_firm_each_run(database_url: str) -> None:
    first, second = output(run(database_url, "demo")), output(run(database_url, "demo"))
    assert first["firm_uuid"] != second["firm_uuid"]
    for data in (first, second):
        assert len(data["employee_uuids"]) >= 2
        assert len(data["client_uuids"]) == 20
        assert len(data["joint_client_uuids"]) == 2
        assert len(data["circle_uuids"]) == 5
        assert len(data["group_uuids"]) == 3

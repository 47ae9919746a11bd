"""The command line, run as a real process against the session's database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from advisercrm import __version__
from advisercrm.cli import _flag_values
from tests.conftest import SECRET

HEAD = sorted(
    p.name.split("_")[0]
    for p in (Path(__file__).parents[1] / "src/advisercrm/migrations/versions").glob("0*.py")
)[-1]

EMAIL, PASSWORD = "cli-owner@example.com", "s3cret-passw0rd"
OWNER_OPTIONS = ("--owner-email", EMAIL, "--owner-password", PASSWORD)


def run(database_url: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    return run_with(database_url, list(args), ok=ok)


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


def test_version() -> None:
    result = run("postgresql://unused@127.0.0.1:1/unused", "--version")
    assert result.stdout == f"advisercrm {__version__}\n"


def test_help_shows_flags_as_flags() -> None:
    result = run("postgresql://unused@127.0.0.1:1/unused", "serve", "--help")
    assert "--demo / --no-demo" in result.stdout
    assert "<bool>" not in result.stdout


@pytest.mark.parametrize(
    ("args", "read"),
    [
        (["serve", "--demo=true"], ["serve", "--demo"]),
        (["serve", "--demo=1"], ["serve", "--demo"]),
        (["serve", "--demo=False"], ["serve", "--no-demo"]),
        (["serve", "--demo"], ["serve", "--demo"]),
        (["serve", "--demo=maybe"], ["serve", "--demo=maybe"]),
        (["firm", "create", "--name=--demo=true"], ["firm", "create", "--name=--demo=true"]),
    ],
)
def test_boolean_flags_take_a_value_too(args: list[str], read: list[str]) -> None:
    assert _flag_values(args) == read


def test_a_flag_with_a_value_that_is_no_boolean_is_refused() -> None:
    result = run("postgresql://unused@127.0.0.1:1/unused", "serve", "--demo=maybe", ok=False)
    assert result.returncode == 2
    assert "Option '--demo' does not take a value." in result.stderr


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "postgresql://nobody:pw-secret@127.0.0.1:1/nothing",
            "error: cannot use the database at postgresql://nobody:***@127.0.0.1:1/nothing: "
            "[Errno 111] Connect call failed ('127.0.0.1', 1)",
        ),
        (
            "postgresql://nobody@127.0.0.1:notaport/nothing",
            "error: cannot use the database at ADVISERCRM_DATABASE_URL: "
            "invalid literal for int() with base 10: 'notaport'",
        ),
        (
            "mysql://nobody@127.0.0.1/nothing",
            "error: ADVISERCRM_DATABASE_URL must be a PostgreSQL URL, "
            "like postgresql://user:password@host:5432/advisercrm",
        ),
    ],
)
def test_a_wrong_database_url_is_one_line_naming_the_cause(url: str, message: str) -> None:
    for command in (["migrate"], ["demo"], ["serve", "--port", "0"]):
        result = run(url, *command, ok=False)
        assert (result.returncode, result.stdout) == (1, "")
        assert result.stderr == message + "\n", command


def test_a_database_that_does_not_exist_is_named(database_url: str) -> None:
    url = make_url(database_url).set(database="no_such_db")
    result = run(url.render_as_string(hide_password=False), "migrate", ok=False)
    assert result.returncode == 1
    assert result.stderr.endswith(': database "no_such_db" does not exist\n')
    assert len(result.stderr.splitlines()) == 1


def test_migrate_says_what_it_did(database_url: str) -> None:
    result = run(database_url, "migrate")
    assert result.stdout == ""
    assert result.stderr.strip().endswith(f"the database is up to date (revision {HEAD})")


def test_firm_create_refuses_bad_values_and_creates_nothing(database_url: str) -> None:
    options = ["--owner-email", "not-an-email", "--owner-password", "short"]
    options += ["--currency", "ZZZ", "--timezone", "Mars/Olympus"]
    result = run(database_url, "firm", "create", "--name", " ", *options, ok=False)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "error: the name must be 1 to 255 characters; 'not-an-email' is not a valid email "
        "address; the password must be at least 8 characters; 'ZZZ' is not an ISO 4217 "
        "currency code; 'Mars/Olympus' is not an IANA time zone\n"
    )


def test_passwords_need_not_be_arguments(database_url: str) -> None:
    email = "stdin-owner@example.com"
    created = run_with(
        database_url,
        ["firm", "create", "--name", "Stdin Advice", "--owner-email", email],
        stdin="from-stdin-pw\n",
    )
    token = run_with(
        database_url,
        ["token", "create", "--email", email],
        env={"ADVISERCRM_PASSWORD": "from-stdin-pw"},
    )
    assert output(token)["account_uuid"] == output(created)["account_uuid"]
    missing = run_with(database_url, ["token", "create", "--email", email], stdin="", ok=False)
    assert missing.returncode == 1
    assert missing.stderr == (
        "error: no password given (option, environment variable, or standard input)\n"
    )


def run_with(
    database_url: str,
    args: list[str],
    stdin: str = "",
    env: dict[str, str] | None = None,
    ok: bool = True,
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "advisercrm", *args],
        env={
            **os.environ,
            "ADVISERCRM_DATABASE_URL": database_url,
            "ADVISERCRM_SECRET_KEY": SECRET,
            **(env or {}),
        },
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if ok:
        assert result.returncode == 0, result.stderr
    return result


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ADVISERCRM_LOG_FORMAT", "xml", "must be one of text, json, not 'xml'"),
        (
            "ADVISERCRM_LOG_LEVEL",
            "loud",
            "must be one of debug, info, warning, error, critical, not 'loud'",
        ),
        ("ADVISERCRM_RATE_LIMIT", "lots", "must be a whole number of at least 1, not 'lots'"),
        ("ADVISERCRM_DB_POOL_SIZE", "0", "must be a whole number of at least 1, not '0'"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(
    database_url: str, name: str, value: str, message: str
) -> None:
    result = run_with(database_url, ["migrate"], env={name: value}, ok=False)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"error: {name} {message}\n"

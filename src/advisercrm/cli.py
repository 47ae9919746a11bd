"""The command line. Its interface is stable: scripts depend on it.

Commands that print data print one JSON object on stdout; logs go to stderr.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.config import get_settings

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="advisercrm: a CRM server for advice firms."
)
firm_app = typer.Typer(no_args_is_help=True, help="Manage firms.")
token_app = typer.Typer(no_args_is_help=True, help="Manage personal access tokens.")
app.add_typer(firm_app, name="firm")
app.add_typer(token_app, name="token")
log = logging.getLogger("advisercrm")
T = TypeVar("T")


def _setup_logging() -> None:
    from advisercrm import logs

    logs.setup(get_settings().log_level)


def _prepared_url() -> str:
    """The database URL, with the embedded server started and migrations applied."""
    from advisercrm.db import database_url
    from advisercrm.migrate import upgrade

    url = database_url(get_settings())
    upgrade(url)
    return url


def _in_transaction(work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
    from advisercrm.db import create_engine

    url = _prepared_url()

    async def run() -> T:
        engine = create_engine(url, 1)
        try:
            async with engine.begin() as conn:
                return await work(conn)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _print(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, indent=2) + "\n")
    sys.stdout.flush()


def _fail(message: str) -> None:
    sys.stderr.write(f"error: {message}\n")
    raise typer.Exit(code=1)


@app.command()
def migrate() -> None:
    """Apply pending database migrations."""
    _setup_logging()
    _prepared_url()
    log.info("migrations applied")


@firm_app.command("create")
def firm_create(
    name: Annotated[str, typer.Option(help="The firm's name.")],
    owner_email: Annotated[str, typer.Option(help="The owner's login email.")],
    owner_password: Annotated[str, typer.Option(help="The owner's password.")],
    currency: Annotated[str, typer.Option(help="ISO 4217 currency for money.")] = "GBP",
    timezone: Annotated[str, typer.Option(help="IANA time zone for timestamps.")] = "Europe/London",
) -> None:
    """Create a firm and its owner; print firm_uuid, account_uuid and a token."""
    from advisercrm.firms.service import FirmError, create_firm

    _setup_logging()
    key = get_settings().secret_key()
    try:
        firm = _in_transaction(
            lambda conn: create_firm(
                conn, key, name, owner_email, owner_password, currency, timezone
            )
        )
    except FirmError as exc:
        _fail(str(exc))
    _print({k: firm[k] for k in ("firm_uuid", "account_uuid", "token")})


@app.command()
def demo() -> None:
    """Create a new demo firm and print its credentials and record UUIDs."""
    from advisercrm.demo import create_demo

    _setup_logging()
    key = get_settings().secret_key()
    _print(_in_transaction(lambda conn: create_demo(conn, key)))


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Option(help="The user's email.")],
    password: Annotated[str, typer.Option(help="The user's password.")],
    account_uuid: Annotated[
        str | None, typer.Option(help="Bind the token to this account.")
    ] = None,
    name: Annotated[str, typer.Option(help="A name to recognise the token by.")] = "advisercrm cli",
) -> None:
    """Create a personal access token for a user; print it with the acting account."""
    import uuid as uuid_module

    from advisercrm.auth import repository
    from advisercrm.auth.credentials import verify_password
    from advisercrm.auth.service import issue_token

    _setup_logging()
    key = get_settings().secret_key()
    try:
        wanted = uuid_module.UUID(account_uuid) if account_uuid else None
    except ValueError:
        _fail("--account-uuid is not a UUID")

    async def work(conn: AsyncConnection) -> dict[str, Any]:
        user = await repository.find_user_by_email(conn, email)
        if not verify_password(user["password_hash"] if user else None, password) or user is None:
            raise PermissionError("wrong email or password")
        login = await repository.login_account(conn, int(user["id"]), wanted)
        if login is None:
            raise PermissionError("the user has no login for that account")
        bound = login if wanted else None
        token, _ = await issue_token(conn, int(user["id"]), name, key, bound)
        return {"token": token, "account_uuid": str(login["uuid"])}

    try:
        _print(_in_transaction(work))
    except PermissionError as exc:
        _fail(str(exc))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    demo: Annotated[
        bool, typer.Option("--demo", help="Create a demo firm first and print how to call it.")
    ] = False,
) -> None:
    """Serve the API with Granian on the configured database (embedded by default)."""
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    from advisercrm import logs

    _setup_logging()
    url = _prepared_url()
    # Workers inherit the environment: they join the same database, embedded or not.
    os.environ["ADVISERCRM_DATABASE_URL"] = url
    os.environ.setdefault("ADVISERCRM_SECRET_KEY", get_settings().secret_key().decode())
    get_settings.cache_clear()
    base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"  # noqa: S104
    if demo:
        from advisercrm.demo import create_demo

        key = get_settings().secret_key()
        data = _in_transaction(lambda conn: create_demo(conn, key, base + "/"))
        _print(data)
        _banner(base, data)
    from advisercrm.observability import prepare_metrics_dir

    prepare_metrics_dir()  # before Granian forks: each worker's metrics go there
    log.info("serving on %s (docs at %s/docs)", base, base)
    Granian(
        "advisercrm.app:create_app",
        factory=True,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        # A worker that dies (OOM, SIGKILL) is replaced instead of leaving the port half-served.
        respawn_failed_workers=True,
        log_level=LogLevels(get_settings().log_level.lower()),
        log_dictconfig=logs.dict_config(get_settings().log_level),
    ).serve()


def _banner(base: str, data: dict[str, Any]) -> None:
    goal = {
        "account_uuids": data["client_uuids"][0:9:4][:3],
        "name": "Reduced Mileage",
        "description": "Reduce the amount of gas spent yearly.",
        "target_amount": 5000,
        "progress": 68,
        "timeframe": "Within the year.",
        "complete_goal_by": "2027-04-28",
        "priority": 4,
        "show_on_circles": False,
        "visible_to_circles_uuids": data["circle_uuids"][:3],
    }
    sys.stderr.write(
        f"\nadvisercrm is serving at {base}  (interactive docs: {base}/docs)\n"
        f"  token:          {data['token']}\n"
        f"  acting account: {data['account_uuid']}\n\n"
        "Try the seed request (POST /api/v2/goals) with real demo UUIDs:\n\n"
        f"export ACCESS_TOKEN={data['token']}\n"
        f"curl --request POST '{base}/api/v2/goals' \\\n"
        '  --header "Authorization: Bearer $ACCESS_TOKEN" \\\n'
        '  --header "Content-Type: application/json" \\\n'
        f'  --header "X-PLANNR-ACCOUNT-UUID: {data["account_uuid"]}" \\\n'
        f"  --data '{json.dumps(goal, separators=(',', ':'))}'\n\n"
    )
    sys.stderr.flush()


def main() -> None:
    app()

"""The command line. Its interface is stable: scripts depend on it.

Commands that print data print one JSON object on stdout; logs go to stderr.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import getpass
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import asyncpg
import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm import __version__
from advisercrm.config import SettingsError, get_settings

if TYPE_CHECKING:
    from advisercrm.webhooks.options import Options

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="advisercrm: a CRM server for advice firms.",
    # Plain help (no "<bool>" beside flags) and one-line errors instead of Rich's tracebacks.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
firm_app = typer.Typer(no_args_is_help=True, help="Manage firms.")
token_app = typer.Typer(no_args_is_help=True, help="Manage personal access tokens.")
app.add_typer(firm_app, name="firm")
app.add_typer(token_app, name="token")
user_app = typer.Typer(no_args_is_help=True, help="Manage users.")
app.add_typer(user_app, name="user")
log = logging.getLogger("advisercrm")
T = TypeVar("T")
FLAGS = ("--demo", "--webhooks")
TRUE, FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


def _setup_logging() -> None:
    from advisercrm import logs

    logs.setup(get_settings().log_level)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"advisercrm {__version__}\n")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """advisercrm: a CRM server for advice firms."""


@contextlib.contextmanager
def _database_errors() -> Iterator[None]:
    """A database that cannot be reached or used is one line on stderr, not a traceback."""
    try:
        yield
    except (
        OSError,
        ValueError,  # a URL the driver cannot parse, e.g. a port that is not a number
        SQLAlchemyError,
        asyncpg.PostgresError,
        asyncpg.InterfaceError,
    ) as exc:
        _fail(f"cannot use the database at {_safe_url()}: {_cause(exc)}")


def _safe_url() -> str:
    configured = get_settings().database_url
    if not configured:
        return f"the embedded PostgreSQL in {get_settings().pgdata}"
    try:
        return make_url(configured).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "ADVISERCRM_DATABASE_URL"


def _cause(exc: BaseException) -> str:
    """The innermost error's first line: what actually went wrong."""
    while True:
        inner = getattr(exc, "orig", None) or exc.__cause__
        if not isinstance(inner, BaseException) or inner is exc:
            break
        exc = inner
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _prepared_url(migrate: bool = True) -> str:
    """The database URL, with the embedded server started and migrations applied."""
    from advisercrm.db import database_url

    configured = get_settings().database_url
    if configured and not configured.startswith(("postgresql://", "postgres://")):
        _fail(
            "ADVISERCRM_DATABASE_URL must be a PostgreSQL URL, "
            "like postgresql://user:password@host:5432/advisercrm"
        )
    with _database_errors():
        url = database_url(get_settings())
    if migrate:
        _upgrade(url)
    return url


def _upgrade(url: str) -> tuple[str | None, str | None]:
    """Apply pending migrations, saying so when there were any; the revisions before and
    after."""
    from advisercrm.migrate import upgrade

    with _database_errors():
        before, after = upgrade(url)
    if before != after:
        log.info("database migrated from revision %s to %s", before or "(empty)", after)
    return before, after


def _in_transaction(work: Callable[[AsyncConnection], Awaitable[T]], url: str = "") -> T:
    """Run `work` in one transaction on the prepared database (or on `url`, prepared)."""
    from advisercrm.db import create_engine
    from advisercrm.kit import transactions

    url = url or _prepared_url()

    async def run() -> T:
        engine = create_engine(url, 1)
        try:
            async with engine.connect() as conn:
                await transactions.begin(conn)
                try:
                    done = await work(conn)
                    await transactions.commit(conn)
                except BaseException:
                    await transactions.rollback(conn)
                    raise
                return done
        finally:
            await engine.dispose()

    with _database_errors():
        return asyncio.run(run())
    raise AssertionError("unreachable")


def _print(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, indent=2) + "\n")
    sys.stdout.flush()


def _fail(message: str) -> NoReturn:
    sys.stderr.write(f"error: {message}\n")
    raise typer.Exit(code=1)


def _secret(value: str | None, what: str) -> str:
    """A password from its option or variable, else typed at a prompt (hidden) or read
    as one line from standard input, so it need not appear in the process list."""
    if value is not None:
        return value
    if sys.stdin.isatty():
        return getpass.getpass(f"{what}: ")
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        _fail(f"no {what.lower()} given (option, environment variable, or standard input)")
    return line


@app.command()
def migrate() -> None:
    """Apply pending database migrations (stderr says what changed)."""
    _setup_logging()
    before, after = _upgrade(_prepared_url(migrate=False))
    if before == after:
        log.info("the database is up to date (revision %s)", after)


@firm_app.command("create")
def firm_create(
    name: Annotated[str, typer.Option(help="The firm's name.")],
    owner_email: Annotated[str, typer.Option(help="The owner's login email.")],
    owner_password: Annotated[
        str | None,
        typer.Option(
            envvar="ADVISERCRM_OWNER_PASSWORD",
            help="The owner's password; prompted for (or read from stdin) when absent.",
        ),
    ] = None,
    currency: Annotated[str, typer.Option(help="ISO 4217 currency for money.")] = "GBP",
    timezone: Annotated[str, typer.Option(help="IANA time zone for timestamps.")] = "Europe/London",
) -> None:
    """Create a firm and its owner; print firm_uuid, account_uuid and a token."""
    from advisercrm.firms.service import FirmError, check_new_firm, create_firm

    _setup_logging()
    password = _secret(owner_password, "Owner password")
    try:
        check_new_firm(name, owner_email, password, currency, timezone)
    except FirmError as exc:
        _fail(str(exc))
    key = get_settings().secret_key()
    try:
        firm = _in_transaction(
            lambda conn: create_firm(conn, key, name, owner_email, password, currency, timezone)
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
    password: Annotated[
        str | None,
        typer.Option(
            envvar="ADVISERCRM_PASSWORD",
            help="The user's password; prompted for (or read from stdin) when absent.",
        ),
    ] = None,
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
    secret = _secret(password, "Password")
    key = get_settings().secret_key()
    try:
        wanted = uuid_module.UUID(account_uuid) if account_uuid else None
    except ValueError:
        _fail("--account-uuid is not a UUID")

    async def work(conn: AsyncConnection) -> dict[str, Any]:
        user = await repository.find_user_by_email(conn, email)
        if not verify_password(user["password_hash"] if user else None, secret) or user is None:
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


@user_app.command("set-password")
def user_set_password(
    email: Annotated[str, typer.Option(help="The user's email.")],
    password: Annotated[
        str | None,
        typer.Option(
            envvar="ADVISERCRM_PASSWORD",
            help="The new password; prompted for (or read from stdin) when absent.",
        ),
    ] = None,
) -> None:
    """Set a user's password: how a user added with a login through the API (who has
    none) can sign in and create tokens."""
    from advisercrm.accounts.schemas import PASSWORD_MIN
    from advisercrm.auth.credentials import hash_password
    from advisercrm.auth.repository import set_password

    _setup_logging()
    secret = _secret(password, "Password")
    if len(secret) < PASSWORD_MIN:
        _fail(f"the password must be at least {PASSWORD_MIN} characters")
    hashed = hash_password(secret)
    if not _in_transaction(lambda conn: set_password(conn, email, hashed)):
        _fail(f"no user has the email {email}")
    _print({"email": email, "password": "set"})


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    demo: Annotated[
        bool,
        typer.Option("--demo/--no-demo", help="Create a demo firm first and print how to call it."),
    ] = False,
    webhooks: Annotated[
        bool,
        typer.Option(
            "--webhooks/--no-webhooks",
            help="Deliver webhooks from this server (one worker per server; "
            "turn it off when `advisercrm worker` runs elsewhere).",
        ),
    ] = True,
) -> None:
    """Serve the API with Granian on the configured database (embedded by default)."""
    from advisercrm import serve as server
    from advisercrm.db import embedded_server, release_embedded

    _setup_logging()
    if webhooks:
        _webhook_options()
    try:
        server.check_port(host, port)
    except server.PortInUse as exc:
        _fail(f"{exc}; is another server running? Choose another with --port.")
    url = _prepared_url()
    # Workers inherit the environment: they join the same database, embedded or not.
    os.environ["ADVISERCRM_DATABASE_URL"] = url
    os.environ.setdefault("ADVISERCRM_SECRET_KEY", get_settings().secret_key().decode())
    get_settings.cache_clear()
    base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"  # noqa: S104
    if demo:
        from advisercrm.demo import create_demo

        key = get_settings().secret_key()
        data = _in_transaction(lambda conn: create_demo(conn, key, base + "/"), url)
        _print(data)
        _banner(base, data)
    from advisercrm.observability import prepare_metrics_dir

    prepare_metrics_dir()  # before Granian forks: each worker's metrics go there
    log.info("serving on %s (docs at %s/docs)", base, base)
    try:
        level = get_settings().log_level
        server.run(host, port, workers, level, embedded_server(), webhooks)
    finally:
        release_embedded()


def _webhook_options() -> Options:
    """The worker's settings, checked before anything starts."""
    from advisercrm.webhooks.options import Options

    try:
        return Options.from_env()
    except SettingsError as exc:
        _fail(str(exc))


@app.command()
def worker() -> None:
    """Deliver webhooks until stopped, without serving the API (beside servers started
    with --no-webhooks; any number may run on one database)."""
    import signal

    from advisercrm import serve
    from advisercrm.webhooks.options import SERVE_YIELD_ABOVE
    from advisercrm.webhooks.worker import Worker

    if os.environ.get(serve.WEBHOOKS_CHILD):
        serve.die_with_supervisor()  # started by `serve`: go with it, even on SIGKILL
        serve.background_priority()
    _setup_logging()
    options = _webhook_options()
    if os.environ.get(serve.WEBHOOKS_CHILD):  # beside the requests: leave them the cores
        options = dataclasses.replace(options, yield_above=SERVE_YIELD_ABOVE)
    url = _prepared_url()

    async def run() -> None:
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        for stop in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(stop, task.cancel)
        log.info("delivering webhooks")
        with contextlib.suppress(asyncio.CancelledError):
            await Worker(url, options).run()
        log.info("stopped delivering webhooks")

    asyncio.run(run())


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the backup.", dir_okay=False)],
) -> None:
    """Write a backup of the whole database to FILE (pg_dump's custom format)."""
    from advisercrm.backup import BackupError
    from advisercrm.backup import backup as dump

    _setup_logging()
    url = _prepared_url(migrate=False)
    try:
        dump(url, file)
    except BackupError as exc:
        _fail(f"backup failed: {exc}")
    log.info("backup written to %s (%d bytes)", file, file.stat().st_size)


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A backup made by `advisercrm backup`.")],
) -> None:
    """Load a backup into an empty database, then apply any newer migrations."""
    from advisercrm.backup import BackupError
    from advisercrm.backup import restore as load

    _setup_logging()
    url = _prepared_url(migrate=False)
    try:
        with _database_errors():
            load(url, file)
    except BackupError as exc:
        _fail(f"restore failed: {exc}")
    _upgrade(url)
    log.info("restored %s", file)


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
        # Last, where the eye lands: the workspace and how to sign in to it.
        f"Open the workspace at {base}/ and sign in as the demo owner:\n"
        f"  email:          {data['owner_email']}\n"
        f"  password:       {data['owner_password']}\n\n"
    )
    sys.stderr.flush()


def main() -> None:
    try:
        get_settings()
    except SettingsError as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(1)
    app(args=_flag_values(sys.argv[1:]), prog_name="advisercrm")


def _flag_values(args: list[str]) -> list[str]:
    """Read `--demo=true` (and 1/yes/on, false/0/no/off) as the flag `--demo` / `--no-demo`,
    as a user who sees a boolean option expects."""
    read = []
    for arg in args:
        name, _, value = arg.partition("=")
        if name in FLAGS and value.lower() in TRUE:
            arg = name
        elif name in FLAGS and value.lower() in FALSE:
            arg = "--no-" + name[2:]
        read.append(arg)
    return read

"""Creating a firm with its owner: used by the command line and the tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import available_timezones

from babel.numbers import list_currencies
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.accounts.repository import AccountRepository
from advisercrm.accounts.schemas import PASSWORD_MIN, is_email
from advisercrm.auth import repository as auth_repository
from advisercrm.auth.credentials import hash_password, verify_password
from advisercrm.auth.service import issue_token
from advisercrm.kit import sql
from advisercrm.tables import firms
from advisercrm.task_statuses.description import create_defaults


class FirmError(ValueError):
    pass


def check_new_firm(
    name: str, owner_email: str, password: str, currency: str, timezone: str
) -> None:
    """Raise FirmError naming every value a new firm cannot be created with."""
    problems = []
    if not name.strip() or len(name) > 255:
        problems.append("the name must be 1 to 255 characters")
    if not is_email(owner_email):
        problems.append(f"{owner_email!r} is not a valid email address")
    if len(password) < PASSWORD_MIN:
        problems.append(f"the password must be at least {PASSWORD_MIN} characters")
    if currency not in list_currencies():
        problems.append(f"{currency!r} is not an ISO 4217 currency code")
    if timezone not in available_timezones():
        problems.append(f"{timezone!r} is not an IANA time zone")
    if problems:
        raise FirmError("; ".join(problems))


@dataclass(frozen=True)
class NewLogin:
    user_id: int
    account_id: int
    account_uuid: str


async def insert_firm(
    conn: AsyncConnection, name: str, currency: str, timezone: str
) -> tuple[int, str]:
    query = (
        insert(firms)
        .values(name=name, currency=currency, timezone=timezone)
        .returning(firms.c.id, firms.c.uuid)
    )
    row = await sql.fetch_row(conn, query)
    assert row is not None  # INSERT ... RETURNING returns its row
    return int(row["id"]), str(row["uuid"])


async def add_person(
    conn: AsyncConnection,
    firm_id: int,
    account: dict[str, Any],
    email: str | None = None,
    password: str | None = None,
    write: bool = True,
    delete: bool = True,
) -> NewLogin:
    """An account, and when a password is given a login for the user with that email
    (created if new; an existing user must give their own password)."""
    repo = AccountRepository(conn, firm_id)
    first, last = account.get("first_name"), account.get("last_name")
    new = await repo.insert(
        {"name": f"{first or ''} {last or ''}".strip(), "email": email, **account}
    )
    account_id, account_uuid = new["id"], str(new["uuid"])
    if password is None or email is None:
        return NewLogin(0, account_id, account_uuid)
    user = await auth_repository.find_user_by_email(conn, email)
    if user is None:
        user_id = await auth_repository.insert_user(conn, email, hash_password(password))
    elif verify_password(user["password_hash"], password):
        user_id = int(user["id"])
    else:
        raise FirmError(f"a user with email {email} exists and the password does not match")
    await auth_repository.insert_login(
        conn,
        {
            "user_id": user_id,
            "firm_id": firm_id,
            "account_id": account_id,
            "has_write_permission": write,
            "has_delete_permission": delete,
            "is_primary": user is None,
        },
    )
    return NewLogin(user_id, account_id, account_uuid)


async def create_firm(
    conn: AsyncConnection,
    key: bytes,
    name: str,
    owner_email: str,
    owner_password: str,
    currency: str = "GBP",
    timezone: str = "Europe/London",
    owner_name: tuple[str, str] = ("Firm", "Owner"),
) -> dict[str, Any]:
    """A firm, its owner account with a full login, and a token for that owner."""
    check_new_firm(name, owner_email, owner_password, currency, timezone)
    firm_id, firm_uuid = await insert_firm(conn, name, currency, timezone)
    await create_defaults(conn, firm_id)
    owner = await add_person(
        conn,
        firm_id,
        {
            "type": "employee",
            "role": "owner",
            "first_name": owner_name[0],
            "last_name": owner_name[1],
        },
        owner_email,
        owner_password,
    )
    account = {"firm_id": firm_id, "account_id": owner.account_id}
    token, _ = await issue_token(conn, owner.user_id, "advisercrm cli", key, account)
    return {
        "firm_id": firm_id,
        "firm_uuid": firm_uuid,
        "account_id": owner.account_id,
        "account_uuid": owner.account_uuid,
        "token": token,
    }

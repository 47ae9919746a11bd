"""Account rules: roles by type, owners of shared clients, assigned staff, logins."""

from __future__ import annotations

from typing import Any

from asyncpg import Record
from sqlalchemy import true
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.accounts.description import ACCOUNTS, NAMED
from advisercrm.accounts.repository import AccountRepository
from advisercrm.accounts.schemas import (
    ROLES,
    SHARED_ROLES,
    AccountCreate,
    AccountUpdate,
    ClientCreate,
)
from advisercrm.auth import repository as auth_repository
from advisercrm.auth.credentials import hash_password
from advisercrm.auth.principal import Principal
from advisercrm.kit.errors import Errors, Forbidden
from advisercrm.kit.references import INVALID, check_uuid_list
from advisercrm.kit.render import Ctx
from advisercrm.kit.repository import resolve_query
from advisercrm.resource import service as resource
from advisercrm.tables import client_statuses, group_participants, groups

# The groups and the client status an account body names: every one of the firm (as
# their own references; they sit above accounts, so the queries are stated here).
GROUPS_NAMED = resolve_query(groups, true())
STATUSES_NAMED = resolve_query(client_statuses, true())


def _fits(field: str, row: Any) -> bool:
    """An account named in `field` is of the kind it takes: an introducer the writer
    may see for `introduced_by`, an employee for the assigned staff."""
    if field == "introduced_by":
        return bool(row["visible"]) and row["role"] == "introducer"
    return bool(row["type"] == "employee")


async def _references(
    repo: AccountRepository,
    principal: Principal,
    body: AccountCreate | ClientCreate | AccountUpdate,
    role: str,
    errors: Errors,
) -> dict[str, Any]:
    """Check every UUID the body names; return the column values they resolve to."""
    people = {f: getattr(body, f"{f}_uuid") for f in NAMED}
    owners = body.owner_uuids or []
    named = [u for u in people.values() if u] + owners
    found = await resource.resolve(repo.conn, principal, ACCOUNTS, named)
    values: dict[str, Any] = {}
    for field, ref in people.items():
        if field + "_uuid" not in body.model_fields_set:
            continue
        row = found.get(ref) if ref else None
        if ref and (row is None or not _fits(field, row)):
            errors.add(f"{field}_uuid", INVALID)
        values[f"{field}_id"] = row["id"] if row else None
    if "client_status_uuid" in body.model_fields_set:
        ref = body.client_status_uuid
        statuses = await repo.by_uuid(STATUSES_NAMED, [ref] if ref else [])
        status = statuses.get(ref) if ref else None
        if ref and status is None:
            errors.add("client_status_uuid", INVALID)
        values["client_status_id"] = status["id"] if status else None
    if body.owner_uuids is not None:
        if role not in SHARED_ROLES and owners:
            errors.add(
                "owner_uuids",
                "The :attribute field is only allowed for joint, trust and business clients.",
            )
        values["owner_ids"] = check_uuid_list(
            "owner_uuids",
            owners,
            found,
            errors,
            lambda r: r["visible"] and r["role"] == "individual",
        )
    return values


async def _groups(
    repo: AccountRepository,
    principal: Principal,
    body: AccountCreate | ClientCreate | AccountUpdate,
    errors: Errors,
) -> list[int] | None:
    """The ids of the groups the body names (every group of the firm may be named), or
    None when it names none; null given on an update empties the account's groups."""
    if "groups" not in body.model_fields_set:
        return None
    uuids = body.groups or []
    found = await repo.by_uuid(GROUPS_NAMED, uuids)
    return check_uuid_list("groups", uuids, found, errors, lambda _: True)


async def _save_groups(
    repo: AccountRepository, account_id: int, group_ids: list[int] | None
) -> None:
    if group_ids is not None:
        link = group_participants
        await repo.replace_links(link, "account_id", account_id, "group_id", group_ids)


REQUIRED = "The :attribute field is required."
OWNERS_REQUIRED = "The :attribute field is required for joint, trust and business clients."


def _required_names(role: str) -> tuple[str, ...]:
    """Shared clients are named as a whole; people by their first and last names."""
    return ("name",) if role in SHARED_ROLES else ("first_name", "last_name")


def _names(
    body: AccountCreate | ClientCreate | AccountUpdate, role: str, errors: Errors
) -> dict[str, Any]:
    for field in _required_names(role):
        if not getattr(body, field):
            errors.add(field, REQUIRED)
    if role in SHARED_ROLES:
        name = body.name or ""
    else:
        name = f"{body.first_name or ''} {body.last_name or ''}".strip()
    return {"first_name": body.first_name, "last_name": body.last_name, "name": name}


def check_may_manage(principal: Principal, account_type: str, *roles: str | None) -> None:
    """Staff write clients; owners and admins write staff; only owners write owners. (The
    login's write or delete permission, and being staff, are declared on the routes.)"""
    if account_type != "client":
        principal.require_manager()
    if "owner" in roles and principal.role != "owner":
        raise Forbidden()


async def create(
    conn: AsyncConnection, principal: Principal, body: AccountCreate | ClientCreate, ctx: Ctx
) -> dict[str, Any]:
    account_type = body.type if isinstance(body, AccountCreate) else "client"
    check_may_manage(principal, account_type, body.role)
    repo = AccountRepository(conn, principal.firm_id)
    errors = Errors()
    if body.role not in ROLES[account_type]:
        errors.add("role", INVALID)
    if body.role in SHARED_ROLES and len(body.owner_uuids or []) < 1:
        errors.add("owner_uuids", OWNERS_REQUIRED)
    if body.login is not None and not body.email:
        errors.add("email", "The :attribute field is required when login is present.")
    values = _names(body, body.role, errors) | await _references(
        repo, principal, body, body.role, errors
    )
    group_ids = await _groups(repo, principal, body, errors)
    taken = body.login is not None and body.email
    if taken and await auth_repository.find_user_by_email(conn, str(body.email)):
        errors.add("email", "The :attribute has already been taken.")
    errors.raise_if_any()
    owner_ids = values.pop("owner_ids", [])
    new = await repo.insert(
        {
            **values,
            "type": account_type,
            "role": body.role,
            "email": body.email,
            "inactive_at": body.inactive_at,
        }
    )
    account_id = new["id"]
    if owner_ids:  # a new account has no owner links to replace
        await repo.replace_owners(account_id, owner_ids)
    await _save_groups(repo, account_id, group_ids or None)
    if body.login is not None and body.email:
        user_id = await auth_repository.insert_user(
            conn, body.email, hash_password(body.login.password)
        )
        await auth_repository.insert_login(
            conn,
            {
                "user_id": user_id,
                "firm_id": principal.firm_id,
                "account_id": account_id,
                "has_write_permission": body.login.has_write_permission,
                "has_delete_permission": body.login.has_delete_permission,
                "is_primary": True,
            },
        )
    return await recorded(conn, principal, "created", account_id, ctx)


async def recorded(
    conn: AsyncConnection, principal: Principal, action: str, account_id: int, ctx: Ctx
) -> dict[str, Any]:
    """The account as the writer sees it, its event recorded (`action`: created or
    updated)."""

    async def again(owner: Principal) -> dict[str, Any]:
        return (await resource.render(conn, owner, ACCOUNTS, [account_id], ctx))[0]

    shown = await again(principal)
    return await resource.recorded(conn, principal, ACCOUNTS, action, shown, again)


def _check_update(
    body: AccountUpdate, role: str, row: Record, owned: bool, errors: Errors
) -> dict[str, Any]:
    """The account as it would be after the update must still satisfy the create rules:
    required names stay set, and a shared client keeps at least one owner."""
    given = body.model_dump(
        exclude_unset=True,
        include={"first_name", "last_name", "name", "email", "inactive_at", "role"},
    )
    merged = {**dict(row), **given}
    for field in _required_names(role):
        if not merged[field]:
            errors.add(field, REQUIRED)
    owners = bool(body.owner_uuids) if body.owner_uuids is not None else owned
    if role in SHARED_ROLES and not owners:
        errors.add("owner_uuids", OWNERS_REQUIRED)
    if role not in SHARED_ROLES:
        merged["name"] = f"{merged['first_name'] or ''} {merged['last_name'] or ''}".strip()
    return merged


async def update(
    conn: AsyncConnection,
    principal: Principal,
    row: Record,
    body: AccountUpdate,
    ctx: Ctx,
) -> dict[str, Any]:
    repo = AccountRepository(conn, principal.firm_id)
    check_may_manage(principal, row["type"], body.role)
    errors = Errors()
    role = body.role or row["role"]
    if body.role is not None and body.role not in ROLES[row["type"]]:
        errors.add("role", INVALID)
    values = await _references(repo, principal, body, role, errors)
    # The rules judge the whole record (all its owners, not those the caller sees). Only
    # shared clients have owners: an account that stays one without naming its owners
    # must still have some.
    keeps = role in SHARED_ROLES and body.owner_uuids is None
    owned = keeps and await repo.has_owners(row["id"])
    merged = _check_update(body, role, row, owned, errors)
    group_ids = await _groups(repo, principal, body, errors)
    errors.raise_if_any()
    owner_ids = values.pop("owner_ids", None)
    if role not in SHARED_ROLES and row["role"] in SHARED_ROLES:
        owner_ids = []  # an individual (or staff) account has no owners
    columns = ("first_name", "last_name", "name", "email", "inactive_at", "role")
    await repo.update(row["id"], {**{c: merged[c] for c in columns}, **values})
    if owner_ids is not None:
        await repo.replace_owners(row["id"], owner_ids)
    await _save_groups(repo, row["id"], group_ids)
    return await recorded(conn, principal, "updated", row["id"], ctx)

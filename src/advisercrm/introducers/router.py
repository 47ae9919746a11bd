"""Introducers (POST /api/v1/introducer): Plannr's older route for an external account
with the role introducer. It makes the account as POST /api/v1/account does (the same
rules and resource), and also keeps the title and entity name, and makes the introducer a
participant of the groups named. No charge split schema exists on this server, so a
`charge_split_schema_uuid` names none and is refused like any unknown record."""

# No `from __future__ import annotations`: FastAPI reads the body model from the
# handler's annotations.

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field
from sqlalchemy import insert, update

from advisercrm.accounts import service as accounts
from advisercrm.accounts.schemas import AccountCreate, AccountOut, Email, Name
from advisercrm.auth.access import ManagerWrite
from advisercrm.auth.deps import RenderCtx
from advisercrm.db import Conn
from advisercrm.groups.references import resolve as groups_named
from advisercrm.idempotency.route import ApiRoute
from advisercrm.kit.body import ALL_RULES, Body, BodyErrors
from advisercrm.kit.errors import ValidationFailed
from advisercrm.kit.fields import UUIDStr
from advisercrm.kit.references import INVALID, check_uuid_list
from advisercrm.kit.render import JSON
from advisercrm.kit.repository import FirmRepository
from advisercrm.tables import accounts as accounts_table
from advisercrm.tables import group_participants

router = APIRouter(route_class=ApiRoute, tags=["introducers"])

# What POST /api/v1/account takes of the body as it is.
ACCOUNT_FIELDS = {"first_name", "last_name", "email", "assigned_adviser_uuid"}


class IntroducerCreate(Body):
    # Fields in the documented order, which is the order their errors are reported in.
    title: Name | None = None
    first_name: Name | None = None
    last_name: Name | None = None
    entity_name: Name | None = None
    email: Email | None = None
    assigned_adviser_uuid: UUIDStr | None = None
    groups: Annotated[list[UUIDStr], Field(max_length=500)] | None = None
    charge_split_schema_uuid: UUIDStr | None = None


def _merge(errors: BodyErrors, failed: ValidationFailed) -> None:
    """The account's own errors, beside the body's (none on a field already malformed)."""
    for field, messages in failed.errors.items():
        if field.split(".", 1)[0] not in errors.rejected:
            errors.by_field.setdefault(field, []).extend(messages)


@router.post("/api/v1/introducer", status_code=201, response_model=AccountOut)
async def create_introducer(
    principal: ManagerWrite,
    body: Annotated[IntroducerCreate, ALL_RULES],
    conn: Conn,
    ctx: RenderCtx,
) -> JSON:
    errors = BodyErrors(body)
    fields = ACCOUNT_FIELDS & body.model_fields_set
    given: dict[str, Any] = body.model_dump(mode="json", include=fields)
    account = AccountCreate.model_validate({"type": "external", "role": "introducer", **given})
    group_ids = check_uuid_list(
        "groups", body.groups or [], await groups_named(conn, principal, body.groups or []), errors
    )
    if body.charge_split_schema_uuid is not None:
        errors.add("charge_split_schema_uuid", INVALID)
    try:
        made = await accounts.create(conn, principal, account, ctx)
    except ValidationFailed as failed:
        _merge(errors, failed)
        errors.raise_if_any()
        raise
    # Raised after the account's insert: the request's transaction rolls it back.
    errors.raise_if_any()
    repo, a = FirmRepository(conn, principal.firm_id), accounts_table
    kept = update(a).where(repo.scoped(a), a.c.uuid == made["uuid"])
    row = await repo.first(
        kept.values(title=body.title, entity_name=body.entity_name).returning(a.c.id)
    )
    assert row is not None  # made in this transaction
    if group_ids:
        rows = [
            {"firm_id": principal.firm_id, "group_id": g, "account_id": row["id"]}
            for g in group_ids
        ]
        await repo.execute(insert(group_participants).values(rows))
    return JSON(made, status_code=201)

"""Custom-field rules: managers write; the name is unique per model type; the reference is
derived from the name once (snake_case, made unique with _2, _3...); selection fields need
their options and other types take none; type and model type are fixed once created."""

from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth.principal import Principal
from advisercrm.custom_fields import schemas
from advisercrm.custom_fields.repository import CustomFieldRepository
from advisercrm.custom_fields.schemas import CustomFieldCreate, CustomFieldUpdate
from advisercrm.kit.errors import Errors, NotFound
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.references import DUPLICATE
from advisercrm.kit.render import Ctx

TAKEN = "The :attribute has already been taken."
OPTIONS_REQUIRED = "The :attribute field is required when type is selection."
OPTIONS_PROHIBITED = "The :attribute field is prohibited unless type is in selection."
FIXED = "The :attribute field cannot be changed."
OPTIONS = "selection_options"


def snake_case(name: str) -> str:
    """ "Favourite Pet" -> "favourite_pet" (ASCII letters and digits joined by _)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")[:240] or "field"


def unique_reference(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"


def _check_options(field_type: str, options: list[str] | None, errors: Errors) -> list[str] | None:
    """The options to store (None unless a selection), reporting every broken rule."""
    if field_type != "selection":
        if options:
            errors.add(OPTIONS, OPTIONS_PROHIBITED)
        return None
    if not options:
        errors.add(OPTIONS, OPTIONS_REQUIRED)
        return None
    seen: set[str] = set()
    for i, option in enumerate(options):
        if option in seen:
            errors.add(f"{OPTIONS}.{i}", DUPLICATE)
        seen.add(option)
    return options


def _may_write(principal: Principal) -> None:
    principal.require_manager()
    principal.require_write()


async def _find(repo: CustomFieldRepository, field_uuid: uuid.UUID | None) -> dict[str, Any]:
    row = await repo.find(field_uuid) if field_uuid else None
    if row is None:
        raise NotFound()
    return row


async def create(
    conn: AsyncConnection, principal: Principal, body: CustomFieldCreate, ctx: Ctx
) -> dict[str, Any]:
    _may_write(principal)
    repo = CustomFieldRepository(conn, principal.firm_id)
    await repo.lock_model(body.model_type)
    base = snake_case(body.name)
    state = await repo.naming(body.model_type, body.name, base)
    errors = Errors()
    if state["name_taken"]:
        errors.add("name", TAKEN)
    options = _check_options(body.type, body.selection_options, errors)
    errors.raise_if_any()
    values = body.model_dump(exclude={OPTIONS})
    row = await repo.insert(
        {
            **values,
            "reference": unique_reference(base, set(state["references"] or [])),
            OPTIONS: options,
            "position": state["next_position"],
        }
    )
    return schemas.custom_field(row, ctx)


async def get(
    conn: AsyncConnection, principal: Principal, field_uuid: uuid.UUID | None, ctx: Ctx
) -> dict[str, Any]:
    return schemas.custom_field(
        await _find(CustomFieldRepository(conn, principal.firm_id), field_uuid), ctx
    )


def _check_fixed(current: dict[str, Any], given: str | None, field: str, errors: Errors) -> None:
    if given is not None and given != current[field]:
        errors.add(field, FIXED)


async def update(
    conn: AsyncConnection,
    principal: Principal,
    field_uuid: uuid.UUID | None,
    body: CustomFieldUpdate,
    ctx: Ctx,
) -> dict[str, Any]:
    repo = CustomFieldRepository(conn, principal.firm_id)
    current = await _find(repo, field_uuid)
    _may_write(principal)
    await repo.lock_model(current["model_type"])
    errors = Errors()
    # Errors in the fields' order: type, name, model_type, selection_options.
    _check_fixed(current, body.type, "type", errors)
    renamed = body.name not in (None, current["name"])
    if renamed and await repo.name_taken(current["model_type"], str(body.name), current["id"]):
        errors.add("name", TAKEN)
    _check_fixed(current, body.model_type, "model_type", errors)
    values = body.model_dump(include={"name", "is_required"}, exclude_none=True)
    if "help_text" in body.model_fields_set:
        values["help_text"] = body.help_text
    if OPTIONS in body.model_fields_set:
        values[OPTIONS] = _check_options(current["type"], body.selection_options, errors)
    errors.raise_if_any()
    return schemas.custom_field(await repo.update(current["id"], values), ctx)


async def delete(conn: AsyncConnection, principal: Principal, field_uuid: uuid.UUID | None) -> None:
    repo = CustomFieldRepository(conn, principal.firm_id)
    current = await _find(repo, field_uuid)
    principal.require_manager()
    principal.require_delete()
    await repo.delete(current["id"])


async def list_fields(
    conn: AsyncConnection, principal: Principal, query: ListQuery, ctx: Ctx
) -> tuple[list[dict[str, Any]], int]:
    repo = CustomFieldRepository(conn, principal.firm_id)
    ids, total = await repo.page(query)
    loaded = await repo.load(ids)
    return [schemas.custom_field(loaded[i], ctx) for i in ids if i in loaded], total

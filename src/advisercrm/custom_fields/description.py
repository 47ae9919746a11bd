"""Custom fields (/api/v1/custom-field), the extra fields a firm defines on tasks, clients,
cases, plans and board tasks (only task fields take values here): everyone in the firm
reads them, managers write; the name is unique per model type; the reference is derived
from the name once (snake_case, made unique with _2, _3...); selection fields need their
options and other types take none; type and model type are fixed once created."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from asyncpg import Record
from sqlalchemy import null, true
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth.principal import Principal
from advisercrm.custom_fields.repository import CustomFieldRepository
from advisercrm.custom_fields.schemas import (
    FIELD_TYPES,
    MODEL_TYPES,
    CustomFieldCreate,
    CustomFieldOut,
    CustomFieldUpdate,
    custom_field,
)
from advisercrm.kit.errors import Errors
from advisercrm.kit.listing import choice_list_filter, uuid_list_filter
from advisercrm.kit.references import DUPLICATE
from advisercrm.resource.description import Resource, Where, any_of, contains
from advisercrm.tables import custom_fields as cf

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


def _stored(options: list[str] | None) -> Any:
    """A None list is SQL NULL, not the JSON value null."""
    return null() if options is None else options


async def _check_new(
    repo: CustomFieldRepository, values: dict[str, Any], errors: Errors
) -> dict[str, Any]:
    if not {"type", "name", "model_type"} <= values.keys():
        return values  # a malformed one is reported already; its name cannot be checked
    await repo.lock(f"custom_fields:{values['model_type']}")
    base = snake_case(values["name"])
    state = await repo.naming(values["model_type"], values["name"], base)
    if state["name_taken"]:
        errors.add("name", TAKEN)
    options = _check_options(values["type"], values.get(OPTIONS), errors)
    return values | {
        "reference": unique_reference(base, set(state["references"] or [])),
        OPTIONS: _stored(options),
        "conditions": _stored(values.get("conditions")),
        "position": state["next_position"],
    }


async def _check(
    conn: AsyncConnection,
    principal: Principal,
    current: Record | None,
    values: dict[str, Any],
    errors: Errors,
) -> dict[str, Any]:
    repo = CustomFieldRepository(conn, principal.firm_id)
    if current is None:
        return await _check_new(repo, values, errors)
    await repo.lock(f"custom_fields:{current['model_type']}")
    # Errors in the fields' order: type, name, model_type, selection_options.
    if values.get("type") not in (None, current["type"]):
        errors.add("type", FIXED)
    renamed = values.get("name") not in (None, current["name"])
    if renamed and await repo.name_taken(current["model_type"], values["name"], current["id"]):
        errors.add("name", TAKEN)
    if values.get("model_type") not in (None, current["model_type"]):
        errors.add("model_type", FIXED)
    flags = ("name", "is_required", "is_visible_to_clients")
    kept = {name: values[name] for name in flags if values.get(name) is not None}
    if "conditions" in values:
        kept["conditions"] = _stored(values["conditions"])
    if "help_text" in values:
        kept["help_text"] = values["help_text"]
    if OPTIONS in values:
        kept[OPTIONS] = _stored(_check_options(current["type"], values[OPTIONS], errors))
    if values.get("position") is not None and not errors:
        model, old = current["model_type"], current["position"]
        kept["position"] = await repo.move(current["id"], model, old, values["position"])
    return kept


CUSTOM_FIELDS = Resource(
    name="custom_fields",
    one="custom_field",
    table=cf,
    visible=lambda principal: true(),
    render=custom_field,
    sorts={
        "position": cf.c.position,
        "created_at": cf.c.created_at,
        "updated_at": cf.c.updated_at,
        "name": cf.c.name,
        "model_type": cf.c.model_type,
    },
    default_sort="position",
    filters={
        "uuid": Where(uuid_list_filter, any_of(cf.c.uuid)),
        "model_type": Where(choice_list_filter(MODEL_TYPES), any_of(cf.c.model_type)),
        "type": Where(choice_list_filter(FIELD_TYPES), any_of(cf.c.type)),
        "name": contains(cf.c.name),
    },
    columns=frozenset(
        {"type", "name", "model_type", "is_required", "is_visible_to_clients", "help_text"}
        | {OPTIONS, "conditions", "position"}
    ),
    check=_check,
    who="manager",
    path="/api/v1/custom-field",
    create=CustomFieldCreate,
    update=CustomFieldUpdate,
    out=CustomFieldOut,
)

"""Custom-field requests and the custom-field resource (docs/API.md, Custom fields)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, Field, Strict
from pydantic_core import PydanticCustomError

from advisercrm.kit.body import Body
from advisercrm.kit.fields import Bool, Int, Required, clean_text
from advisercrm.kit.render import Ctx, timestamp

FieldType = Literal["string", "longtext", "number", "boolean", "datetime", "selection"]
FIELD_TYPES: tuple[str, ...] = get_args(FieldType)
ModelType = Literal["task", "client", "case", "plan", "board_task"]
MODEL_TYPES: tuple[str, ...] = get_args(ModelType)
MAX_OPTIONS = 100


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("laravel", "The :attribute field is required.")
    return value


# Length rules sit on the string itself so they fail as string_too_short/_long.
FieldName = Annotated[
    str, Strict(), Field(min_length=1, max_length=255), AfterValidator(clean_text)
]
HelpText = Annotated[str, Strict(), Field(max_length=1000), AfterValidator(clean_text)]
Option = Annotated[
    str, Strict(), Field(max_length=255), AfterValidator(clean_text), AfterValidator(_not_blank)
]
# Emptiness and distinctness depend on the type, so the service checks them.
Options = Annotated[
    list[Option],
    Field(
        max_length=MAX_OPTIONS,
        description="1..100 distinct non-empty strings; required for `selection`, "
        "absent or null for every other type",
    ),
]


class Condition(BaseModel):
    """When the field applies: the record's `attribute` holds one of `values`."""

    attribute: Annotated[
        str, Strict(), Field(min_length=1, max_length=255), AfterValidator(clean_text)
    ]
    values: Annotated[
        list[Annotated[str, Strict(), Field(max_length=255), AfterValidator(clean_text)]],
        Field(max_length=100),
    ]


Conditions = Annotated[list[Condition], Field(max_length=50)]


class CustomFieldCreate(Body):
    # Fields in the documented order, which is the order their errors are reported in.
    type: Annotated[FieldType, Required]
    name: Annotated[FieldName, Required]
    model_type: Annotated[ModelType, Required] = "task"
    is_required: Bool = False
    is_visible_to_clients: Bool = False
    help_text: HelpText | None = None
    selection_options: Options | None = None
    conditions: Conditions | None = None


class CustomFieldUpdate(Body):
    """Every field optional; only the given ones change. `type` and `model_type` are fixed
    once created (values already stored depend on them); the reference never changes."""

    type: Annotated[FieldType | None, Required] = None
    name: Annotated[FieldName | None, Required] = None
    model_type: Annotated[ModelType | None, Required] = None
    is_required: Bool | None = None
    is_visible_to_clients: Bool | None = None
    help_text: HelpText | None = None
    selection_options: Options | None = None
    # Moves the field to this place among its model type's fields (past the last: last).
    position: Annotated[Int, Field(ge=1)] | None = None
    conditions: Conditions | None = None


class CustomFieldOut(BaseModel):
    uuid: str
    name: str
    type: FieldType
    reference: str = Field(examples=["favourite_pet"])
    model_type: ModelType
    is_required: bool
    is_visible_to_clients: bool
    help_text: str | None
    selection_options: list[str] | None
    conditions: list[Condition]
    position: int
    created_at: str
    updated_at: str


def custom_field(row: Mapping[Any, Any], ctx: Ctx) -> dict[str, Any]:
    options = row["selection_options"]
    return {
        "uuid": str(row["uuid"]),
        "name": row["name"],
        "type": row["type"],
        "reference": row["reference"],
        "model_type": row["model_type"],
        "is_required": row["is_required"],
        "is_visible_to_clients": row["is_visible_to_clients"],
        "help_text": row["help_text"],
        "selection_options": list(options) if options is not None else None,
        "conditions": list(row["conditions"] or []),
        "position": row["position"],
        "created_at": timestamp(row["created_at"], ctx),
        "updated_at": timestamp(row["updated_at"], ctx),
    }

"""The body of POST /api/v1/tag: a mode, the record to tag and the tags, each a name, the
UUID of one of the firm's tags, or `{name, colour}`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from advisercrm.kit.body import Body
from advisercrm.kit.fields import UUID_RE, Required, UUIDStr, clean_text
from advisercrm.tags.description import slugify

MAX_TAGS = 100
_COLOUR_RE = re.compile(r"^#[0-9A-Fa-f]{6}\Z")


@dataclass(frozen=True)
class Entry:
    """One item of `tags`: an existing tag's UUID, or a name (with a colour, or None for
    a random one should the tag be new) and its slug."""

    existing: UUID | None = None
    name: str = ""
    slug: str = ""
    colour: str | None = None


def _fail(template: str) -> PydanticCustomError:
    return PydanticCustomError("laravel", template)


def _name(value: Any, what: str) -> str:
    if value is None:
        raise _fail(f"The :attribute {what}is required.")
    if not isinstance(value, str):
        raise _fail(f"The :attribute {what}must be a string.")
    name = clean_text(value).strip()
    if not name:
        raise _fail(f"The :attribute {what}is required.")
    if len(name) > 255:
        raise _fail(f"The :attribute {what}must not be greater than 255 characters.")
    if not slugify(name):
        raise _fail(f"The :attribute {what}must contain a letter or a digit.")
    return name


def _entry(value: Any) -> Entry:
    if isinstance(value, str):
        if UUID_RE.match(value.strip()):
            return Entry(existing=UUID(value.strip()))
        name = _name(value, "field ")
        return Entry(name=name, slug=slugify(name))
    if isinstance(value, dict):
        name = _name(value.get("name"), "name ")
        colour = value.get("colour")
        if colour is not None and not (isinstance(colour, str) and _COLOUR_RE.match(colour)):
            raise _fail("The :attribute colour must be a valid hexadecimal color (#RRGGBB).")
        return Entry(name=name, slug=slugify(name), colour=colour.lower() if colour else None)
    raise _fail(
        "The :attribute field must be a tag name, a tag UUID or an object with a name "
        "(and a colour)."
    )


TagItem = Annotated[
    Entry,
    BeforeValidator(_entry),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "description": "A tag name: found, or made"},
                {"type": "string", "format": "uuid", "description": "One of the firm's tags"},
                {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "maxLength": 255},
                        "colour": {"type": "string", "examples": ["#ff0000"]},
                    },
                    "required": ["name"],
                },
            ]
        }
    ),
]


class TagRequest(Body):
    mode: Annotated[Literal["attach", "sync", "detach", "create"], Required]
    # Every type Plannr documents; this server keeps records of the first three only.
    taggable_type: (
        Literal["account", "case", "plan", "board", "board_task", "conversation", "file", "note"]
        | None
    ) = None
    taggable_uuid: UUIDStr | None = None
    tags: Annotated[list[TagItem], Required, Field(max_length=MAX_TAGS)]

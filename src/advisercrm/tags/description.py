"""Tags (/api/v1/tag): the firm's labels, each with a name, a colour and a slug unique in
the firm. Staff see every tag; client and external accounts none (a tag is the firm's own
note about a record). The records that carry tags (accounts, cases, plans) list them with
`include=tags` and filter by them with `filter[tags]`, both from here."""

from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Any

from pydantic_core import PydanticCustomError
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Table,
    Text,
    and_,
    any_,
    cast,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from advisercrm.auth.principal import Principal
from advisercrm.kit.fields import UUID_RE, clean_text
from advisercrm.kit.listing import Filter, InvalidValue, uuid_list_filter
from advisercrm.kit.sql import FIRM
from advisercrm.resource.description import Include, Resource, Where, any_of, contains, linked
from advisercrm.tables import account_tags, accounts, case_tags, cases, plan_tags, plans, tags
from advisercrm.tags.schemas import tag, tag_list

t = tags
# The link table of each kind of record that carries tags.
LINKS = {accounts.name: account_tags, cases.name: case_tags, plans.name: plan_tags}


def link_of(table: Table) -> tuple[Table, str]:
    """The link table that tags rows of `table`, and its column naming the row."""
    link = LINKS[table.name]
    return link, next(c.name for c in link.c if c.name not in ("firm_id", "tag_id"))


def visible(principal: Principal, row: FromClause = t) -> ColumnElement[bool]:
    """Staff see every tag of the firm (each statement holds tags to the firm already);
    other accounts none."""
    return true() if principal.is_employee else false()


def slugify(name: str) -> str:
    """The name folded to lower-case letters and digits joined by hyphens, accents
    dropped: the key a name finds its tag by ("Urgent", " urgent" and "URGENT!" are one
    tag). Letters of any script are kept; empty when the name has none and no digit. At
    most 255 characters: folding can lengthen a name (one ligature makes 18 letters)."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "-", plain.casefold()).strip("-")[:255].rstrip("-")


def _names_or_uuids(raw: str) -> list[str]:
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    try:
        parts = [clean_text(p) for p in parts]
    except PydanticCustomError:  # NUL or a lone surrogate
        parts = []
    if not parts or any(not UUID_RE.match(p) and not slugify(p) for p in parts):
        raise InvalidValue(
            "The :attribute filter must be a comma-separated list of tag names or UUIDs."
        )
    return parts


names_or_uuids = Filter(
    _names_or_uuids,
    {"type": "array", "items": {"type": "string"}, "minItems": 1},
    "Comma-separated tag names or tag UUIDs: records carrying any of them.",
)


def _keys(entries: list[str]) -> list[str]:
    """Each entry as the key it names its tag by: a UUID in its canonical form, a name as
    its slug."""
    return [str(uuid.UUID(e)) if UUID_RE.match(e) else slugify(e) for e in entries]


def tagged(table: Table) -> Where:
    """`filter[tags]` for a resource of `table`, whose rows carry tags: those carrying any
    tag the viewer sees that an entry names (by UUID, or by name as its slug)."""
    link, _ = link_of(table)

    def condition(keys: Any, viewer: Principal) -> ColumnElement[bool]:
        # One text array names tags both ways: compared as text, its type is one.
        by_key = or_(cast(t.c.uuid, Text) == any_(keys), cast(t.c.slug, Text) == any_(keys))
        named = select(t.c.id).where(t.c.firm_id == FIRM, by_key, visible(viewer))
        return linked(table, link, link.c.tag_id.in_(named))

    return Where(names_or_uuids, condition, bind=_keys, by_viewer=True)


def tags_of(table: Table) -> Include:
    """`include=tags` for a resource of `table`, whose rows carry tags: the row's tags the
    viewer sees, by name."""
    link, column = link_of(table)
    owner = link.c[column]

    def embed(viewer: Principal, firm_id: Any, row_id: Any) -> Any:
        item = func.json_build_object(
            "uuid", t.c.uuid,
            "name", t.c.name,
            "slug", t.c.slug,
            "colour", t.c.colour,
            "created_at", func.extract("epoch", t.c.created_at),
            "updated_at", func.extract("epoch", t.c.updated_at),
        )  # fmt: skip
        return (
            select(func.json_agg(aggregate_order_by(item, t.c.name, t.c.id)))
            .join(link, and_(link.c.firm_id == t.c.firm_id, link.c.tag_id == t.c.id))
            .where(link.c.firm_id == firm_id, owner == row_id, visible(viewer))
            .scalar_subquery()
        )

    return Include(embed, tag_list)


TAGS = Resource(
    name="tags",
    table=t,
    visible=visible,
    render=tag,
    sorts={
        "created_at": t.c.created_at,
        "updated_at": t.c.updated_at,
        "name": t.c.name,
        "slug": t.c.slug,
    },
    filters={
        "uuid": Where(uuid_list_filter, any_of(t.c.uuid)),
        "name": contains(t.c.name),
    },
    default_sort="name",
    path="/api/v1/tag",
    one="tag",
)

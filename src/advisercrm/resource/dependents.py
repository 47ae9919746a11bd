"""What else a delete changes, found from the schema's keys before the row goes, so that
each record it changes records its event:

- a row of a table with events whose key to a row going cascades goes too (a client's
  tasks, a task's subtasks, and on from there): it records its deletion;
- a row whose key to a row going is set to null (an account's assigned adviser, a
  case's status), or that shows a link to it (a circle's accounts, a task's groups, a
  case's plans), changes: it records its update.

A link table (two keys, `tables._link`) is shown by the record of its first key (a
circle lists its accounts), except as noted below. Rows a resource deletes beyond the
keys (`Resource.goes_with`) count as cascading. One statement per table of rows going,
compiled once, and none for a table nothing depends on."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKeyConstraint,
    Select,
    String,
    Table,
    any_,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.kit.repository import FirmRepository
from advisercrm.kit.sql import FIRM, Query, ids_param
from advisercrm.resource.description import EVENT_RESOURCES, Link
from advisercrm.tables import metadata

# Links the records of their first key show only when a list asks for them (tags).
NOT_SHOWN = frozenset({"account_tags", "case_tags", "plan_tags"})
# Links the records of both keys show, with the columns of the first key's row the second
# shows: an account lists the circles it is in, by name.
SHOWN_BOTH_WAYS: dict[str, frozenset[str]] = {"circle_accounts": frozenset({"name"})}
IDS = ids_param("ids")


def _step(table: str, row_id: Any, row_uuid: Any, deleted: bool) -> Select[Any]:
    return select(
        literal(table, String).label("kind"),
        row_id.label("id"),
        row_uuid.label("uuid"),
        literal(deleted, Boolean).label("deleted"),
    )


def _key(fk: ForeignKeyConstraint) -> Any:
    """The column of a firm-scoped key that names the row (beside firm_id)."""
    return next(c for c in fk.columns if c.name != "firm_id")


def _through_link(link: Table, fk: ForeignKeyConstraint) -> list[Select[Any]]:
    """The records that show a link table's rows to the rows going (by the key `fk`)."""
    keys = [c for c in link.primary_key.columns if c.name != "firm_id"]
    column = _key(fk)
    if len(keys) != 2 or all(column is not key for key in keys):
        return []
    first, second = keys
    if column is first and link.name not in SHOWN_BOTH_WAYS:
        return []
    if column is second and link.name in NOT_SHOWN:
        return []
    other = second if column is first else first
    shows = next(k.referred_table for k in link.foreign_key_constraints if _key(k) is other)
    if shows.name not in EVENT_RESOURCES:
        return []
    where = (link.c.firm_id == FIRM, column == any_(IDS))
    return [_step(shows.name, other, null(), False).where(*where)]


def _steps(table: Table) -> list[Select[Any]]:
    found: list[Select[Any]] = []
    for other in metadata.tables.values():
        for fk in other.foreign_key_constraints:
            if fk.referred_table is not table or len(fk.columns) != 2:
                continue
            if other.name not in EVENT_RESOURCES:
                found += _through_link(other, fk)
                continue
            # RESTRICT refuses the delete; NO ACTION (none here) likewise.
            deleted = fk.ondelete == "CASCADE"
            if deleted or (fk.ondelete or "").startswith("SET NULL"):
                where = (other.c.firm_id == FIRM, _key(fk) == any_(IDS))
                found.append(_step(other.name, other.c.id, other.c.uuid, deleted).where(*where))
    going = EVENT_RESOURCES.get(table.name)
    for goes in going.goes_with if going else ():
        rows = goes.table
        where = (rows.c.firm_id == FIRM, rows.c.id.in_(goes.ids(IDS)))
        found.append(_step(rows.name, rows.c.id, rows.c.uuid, True).where(*where))
    return found


@functools.cache
def _query(table: Table) -> Query | None:
    steps = _steps(table)
    return Query(union_all(*steps)) if steps else None


@dataclass
class Changed:
    """The records a delete takes with it (by table: id to uuid) and those it changes (by
    table: ids), besides the row itself."""

    deleted: defaultdict[str, dict[int, Any]] = field(default_factory=lambda: defaultdict(dict))
    updated: defaultdict[str, set[int]] = field(default_factory=lambda: defaultdict(set))


async def find(conn: AsyncConnection, firm_id: int, table: Table, row_id: int) -> Changed:
    """What a delete of the row changes, read before it: one statement per table of rows
    going (level by level: a client's tasks, then their subtasks)."""
    repo, changed = FirmRepository(conn, firm_id), Changed()
    frontier: dict[str, list[int]] = {table.name: [row_id]}
    while frontier:
        following: defaultdict[str, list[int]] = defaultdict(list)
        for name, ids in frontier.items():
            query = _query(metadata.tables[name])
            for row in await repo.fetch(query, ids=ids) if query else ():
                kind, found = row["kind"], row["id"]
                if not row["deleted"]:
                    changed.updated[kind].add(found)
                elif found not in changed.deleted[kind] and not (
                    kind == table.name and found == row_id
                ):
                    changed.deleted[kind][found] = row["uuid"]
                    following[kind].append(found)
        frontier = dict(following)
    for kind, gone in changed.deleted.items():
        if kind in changed.updated:
            changed.updated[kind] -= gone.keys()
    if table.name in changed.updated:
        changed.updated[table.name].discard(row_id)
    return changed


# A write of links: the targets of those their targets show too.


async def links_shown(
    repo: FirmRepository, links: Mapping[Link, Any], row_id: int
) -> dict[Link, dict[int, dict[str, Any]]]:
    """The rows of the links given that their targets show too (`dependents`), by target."""
    found = {}
    for link in links:
        if link.table.name in SHOWN_BOTH_WAYS:
            t = link.table
            rows = await repo.all(select(t).where(repo.scoped(t), t.c[link.owner] == row_id))
            found[link] = {r[link.target]: r for r in rows}
    return found


async def links_changed(
    repo: FirmRepository,
    owners: Sequence[Link],
    links: Mapping[Link, Any],
    row_id: int,
    before: Mapping[Link, dict[int, dict[str, Any]]] | None,
    written: Iterable[str] = (),
) -> dict[str, set[int]]:
    """The targets (by table) a write of a row changed, of the links (`owners`: the
    row's) their targets show too: those whose link rows it added, removed or changed (on
    a new row, no `before`: every target), and all of them when it wrote a column they
    show (`written`)."""
    changed: dict[str, set[int]] = {}
    after = {} if before is None else await links_shown(repo, links, row_id)
    for link in owners:
        shown = SHOWN_BOTH_WAYS.get(link.table.name)
        if shown is None:
            continue
        if before is None:
            differ = set(links[link].ids) if link in links else set()
        elif link in links:
            now, was = after[link], before[link]
            differ = {i for i in now.keys() | was.keys() if now.get(i) != was.get(i)}
            differ |= set(now) if shown & set(written) else set()
        elif shown & set(written):
            differ = set((await links_shown(repo, {link: None}, row_id))[link])
        else:
            continue
        fk = next(k for k in link.table.foreign_key_constraints if link.target in k.columns)
        changed.setdefault(fk.referred_table.name, set()).update(differ)
    return changed

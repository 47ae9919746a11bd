"""The operations every described resource has: find, render, list, and the write of its
columns and links with the reference checks of the body. Each takes the connection, the
acting principal and the description; the firm comes from the principal."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from asyncpg import Record
from pydantic import BaseModel
from sqlalchemy import delete as sql_delete
from sqlalchemy import func, insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth.principal import Principal
from advisercrm.kit.body import BodyErrors
from advisercrm.kit.errors import Errors, NotFound, attribute
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.references import DUPLICATE, INVALID, check_uuid_list
from advisercrm.kit.render import Ctx
from advisercrm.kit.repository import FirmRepository
from advisercrm.kit.sql import Query
from advisercrm.resource import dependents, events, viewers
from advisercrm.resource.description import EVENT_RESOURCES, Link, Nested, Resource, Row


def _repo(conn: AsyncConnection, principal: Principal) -> FirmRepository:
    return FirmRepository(conn, principal.firm_id)


async def find(
    conn: AsyncConnection,
    principal: Principal,
    resource: Resource,
    row_uuid: uuid.UUID,
    loaded: bool = False,
    includes: frozenset[str] = frozenset(),
    lock: bool = False,
) -> Record | None:
    """The row `row_uuid` if the principal may see it (`loaded`: as `Resource.load`
    gives it, with the loaded `includes`, for a show; `lock`: held until commit)."""
    query = resource.find(principal.reach, loaded, includes, lock)
    return await _repo(conn, principal).fetch_row(query, uuid=row_uuid, **principal.viewer())


async def resolve(
    conn: AsyncConnection, principal: Principal, resource: Resource, uuids: list[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    """The firm's rows with these UUIDs: id, uuid and whether the principal may see each."""
    query = resource.resolve(principal.reach)
    return await _repo(conn, principal).by_uuid(query, uuids, **principal.viewer())


async def render(
    conn: AsyncConnection,
    principal: Principal,
    resource: Resource,
    ids: list[int],
    ctx: Ctx,
    includes: frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """The rows as their resource shows them to the principal, in the order of `ids`: one
    round trip, embedded and nested records included and filtered by what the principal
    may open, with the relations `includes` names."""
    if not ids:
        return []
    rows = await _repo(conn, principal).fetch(
        resource.load(principal.reach, includes), ids=ids, **principal.viewer()
    )
    by_id = {row["id"]: row for row in rows}
    rows = [by_id[i] for i in ids if i in by_id]
    rendered = await render_rows(conn, principal, resource, rows, ctx)
    _included(resource, rows, rendered, includes, ctx)
    return rendered


async def render_rows(
    conn: AsyncConnection, principal: Principal, resource: Resource, rows: Sequence[Row], ctx: Ctx
) -> list[dict[str, Any]]:
    """Loaded rows (`Resource.load`) as their resource shows them, with the records of
    other resources they nest."""
    if resource.nested:
        shown = {
            key: await _nested(conn, principal, one, rows, key, ctx)
            for key, one in resource.nested.items()
        }
        rows = [
            {
                **row,
                **{
                    key: [shown[key][i] for i in row[one.column] if i in shown[key]]
                    for key, one in resource.nested.items()
                },
            }
            for row in rows
        ]
    if resource.render_all is not None:
        return resource.render_all(rows, ctx)
    return [resource.render(row, ctx) for row in rows]


async def _nested(
    conn: AsyncConnection,
    principal: Principal,
    nested: Nested,
    rows: Sequence[Row],
    key: str,
    ctx: Ctx,
) -> dict[int, dict[str, Any]]:
    """The records of another resource the rows nest, rendered, by id: from the JSON the
    rows were loaded with (each row's own, or a page's on its first row), else read in
    one more statement."""
    column = f"nested_{key}"
    if rows and column in rows[0]:
        other = nested.resource
        found = {r["id"]: other.from_json(r) for row in rows for r in row[column] or ()}
        loaded = list(found.values())
        rendered = await render_rows(conn, principal, other, loaded, ctx)
        return {r["id"]: item for r, item in zip(loaded, rendered, strict=True)}
    ids = sorted({i for row in rows for i in row[nested.column]})
    return await render_embedded(conn, principal, nested.resource, ids, ctx)


async def render_embedded(
    conn: AsyncConnection, principal: Principal, resource: Resource, ids: list[int], ctx: Ctx
) -> dict[int, dict[str, Any]]:
    """The rows another resource embeds, by id: only those the principal may open."""
    if not ids:
        return {}
    rows = await _repo(conn, principal).fetch(
        resource.load(principal.reach), ids=ids, **principal.viewer()
    )
    rows = [row for row in rows if row["visible"]]
    rendered = await render_rows(conn, principal, resource, rows, ctx)
    return {row["id"]: item for row, item in zip(rows, rendered, strict=True)}


async def show(
    conn: AsyncConnection,
    principal: Principal,
    resource: Resource,
    row: Row,
    ctx: Ctx,
    includes: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """A row as its resource shows it: one found `loaded` (or a plain resource's) as it
    is, with the `includes` it was found with; another loaded first."""
    if resource.plain or "visible" in row:
        rendered = await render_rows(conn, principal, resource, [row], ctx)
        _included(resource, [row], rendered, includes, ctx)
        return rendered[0]
    return (await render(conn, principal, resource, [row["id"]], ctx, includes))[0]


def _where(resource: Resource, query: ListQuery) -> dict[str, Any]:
    """The list filters' values as their statement's parameters."""
    given = sorted(query.filters)
    return {
        f"where_{i}": resource.filter_named(k).bind(query.filters[k]) for i, k in enumerate(given)
    }


async def page(
    conn: AsyncConnection,
    principal: Principal,
    resource: Resource,
    query: ListQuery,
    parent: tuple[str, int] | None = None,
) -> tuple[list[int], int]:
    """One page of the ids the principal may see, filtered and sorted, and the total;
    under `parent` (its name in `Resource.parents` and its id) on a nested path."""
    params = _where(resource, query)
    name, parent_id = parent or ("", None)
    compiled = resource.page(
        principal.reach, frozenset(query.filters), query.sort, query.descending, name
    )
    return await _repo(conn, principal).page_of(
        compiled, query, parent_id=parent_id, **params, **principal.viewer()
    )


async def listing(
    conn: AsyncConnection,
    principal: Principal,
    resource: Resource,
    query: ListQuery,
    ctx: Ctx,
    parent: tuple[str, int] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """One page as the resource shows it, and the total: one statement (`page`'s
    filters, sort and parent), with the relations `include` asks for."""
    name, parent_id = parent or ("", None)
    # Only these load anything; the empty ones are added to each row.
    includes = frozenset(query.includes & resource.loaded_includes.keys())
    empty = {k: v for k, v in resource.empty_includes.items() if k in query.includes}
    statement = resource.listing(
        principal.reach, frozenset(query.filters), query.sort, query.descending, name, includes
    )
    data, total = await rendered_page(
        conn,
        principal,
        resource,
        statement,
        query,
        ctx,
        includes,
        parent_id=parent_id,
        **_where(resource, query),
    )
    return [item | empty for item in data] if empty else data, total


async def rendered_page(
    conn: AsyncConnection,
    principal: Principal,
    resource: Resource,
    statement: Query,
    query: ListQuery,
    ctx: Ctx,
    includes: frozenset[str] = frozenset(),
    **params: Any,
) -> tuple[list[dict[str, Any]], int]:
    """Run a `Resource.with_rows` statement: the page rendered (with its `includes`), and
    the total."""
    rows = await _repo(conn, principal).fetch(
        statement, limit=query.per_page, offset=query.offset, **params, **principal.viewer()
    )
    loaded = [row for row in rows if row["id"] is not None]
    rendered = await render_rows(conn, principal, resource, loaded, ctx)
    _included(resource, loaded, rendered, includes, ctx)
    return rendered, int(rows[0]["total"])


def _included(
    resource: Resource,
    rows: Sequence[Row],
    rendered: list[dict[str, Any]],
    includes: frozenset[str],
    ctx: Ctx,
) -> None:
    """Add to each rendered row the relations `includes` names, as loaded with it."""
    for row, item in zip(rows, rendered, strict=True):
        for name in sorted(includes):
            item[name] = resource.loaded_includes[name].render(row[name], ctx)


def _named(body: BaseModel, name: str) -> list[Any] | None:
    return getattr(body, name) if name and name in body.model_fields_set else None


@dataclass(frozen=True)
class Targets:
    """The ids a link is to hold, and (a link with `objects`) the columns its objects
    set on their rows, by id."""

    ids: list[int]
    extras: dict[int, dict[str, Any]] | None = None


def _given(link: Link, body: BaseModel, creating: bool, errors: Errors) -> bool:
    """Whether the body writes the link: a list given (or null, where null clears it).
    A new row must be given a link with `objects` one way or the other."""
    if _named(body, link.field) is not None or _named(body, link.objects) is not None:
        return True
    if link.field in body.model_fields_set and link.null_clears:
        return True
    if creating and link.objects and link.objects not in getattr(errors, "rejected", ()):
        without = f"The :attribute field is required when {attribute(link.objects)} is not present."
        errors.add(link.field, without)
    return False


def _targets(
    link: Link, body: BaseModel, found: Mapping[uuid.UUID, Any], errors: Errors, kept: list[int]
) -> Targets:
    """The link's targets, every bad UUID reported in `errors` (`field.index`, or
    `objects.index.uuid`), with those `kept` (the row's that the writer cannot see); a
    target named twice is linked once."""
    items = _named(body, link.field) or []
    uuids = [link.item_uuid(item) for item in items]
    ids = check_uuid_list(link.field, uuids, found, errors, link.accept)
    extras: dict[int, dict[str, Any]] = {}
    if link.item_columns is not None:
        for ref, item in zip(uuids, items, strict=True):
            if (row := found.get(ref)) is not None:
                extras[int(row["id"])] = link.item_columns(item)
    if not link.objects:
        ids = list(dict.fromkeys([*kept, *ids])) if kept else ids
        return Targets(ids, extras if link.item_columns is not None else None)
    seen: set[uuid.UUID] = set()
    for i, item in enumerate(_named(body, link.objects) or []):
        key, row = f"{link.objects}.{i}.uuid", found.get(item.uuid)
        if item.uuid in seen:
            errors.add(key, DUPLICATE)
        elif row is None or not link.accept(row):
            errors.add(key, INVALID)
        else:
            extras[int(row["id"])] = item.model_dump(include=item.model_fields_set - {"uuid"})
        seen.add(item.uuid)
    ids = list(dict.fromkeys([*kept, *ids, *extras]))
    if link.most and len(ids) > link.most:
        errors.add(link.field, f"The :attribute field must not have more than {link.most} items.")
    return Targets(ids, extras)


async def check_links(
    conn: AsyncConnection,
    principal: Principal,
    resource: Resource,
    body: BaseModel,
    errors: Errors,
    current_id: int | None = None,
) -> dict[Link, Targets]:
    """The targets of every link the body gives to a new row, or to the row
    `current_id`, each UUID checked (one query per kind of record named); every bad UUID
    is reported in `errors`."""
    creating = current_id is None
    given = [link for link in resource.links if _given(link, body, creating, errors)]
    wanted: defaultdict[Any, list[uuid.UUID]] = defaultdict(list)
    for link in given:
        wanted[link.resolve].extend(map(link.item_uuid, _named(body, link.field) or []))
        wanted[link.resolve].extend(item.uuid for item in _named(body, link.objects) or [])
    found = {resolver: await resolver(conn, principal, uuids) for resolver, uuids in wanted.items()}
    kept: dict[Link, list[int]] = {}
    for link in given:
        unseen = link.unseen
        kept[link] = []
        if unseen is not None and current_id is not None:
            kept[link] = await unseen(conn, principal, current_id)
    return {link: _targets(link, body, found[link.resolve], errors, kept[link]) for link in given}


async def _checked(
    conn: AsyncConnection,
    principal: Principal,
    resource: Resource,
    current: Record | None,
    body: BaseModel,
) -> tuple[dict[str, Any], dict[Link, Targets]]:
    """The columns and links a write stores, after every rule of the resource is checked:
    all that break are reported at once."""
    errors = BodyErrors(body)
    # A new row takes the body's defaults; an update changes only what the body gives.
    # Malformed fields are left out: their errors are already in `errors`.
    fields = body.model_fields_set if current else type(body).model_fields.keys() - errors.rejected
    given = set(resource.columns & set(fields))
    values = body.model_dump(include=given)
    # Null leaves a column that cannot be empty as it is (a new row takes its default or
    # what the resource's check gives it). A field stored through the resource's check,
    # not as a column, is its check's to judge.
    t = resource.table
    values = {k: v for k, v in values.items() if v is not None or k not in t.c or t.c[k].nullable}
    values = resource.prepare(principal, values)
    current_id = None if current is None else int(current["id"])
    links = await check_links(conn, principal, resource, body, errors, current_id)
    if resource.check is not None:
        values = await resource.check(conn, principal, current, values, errors)
    errors.raise_if_any()
    return values, links


async def _save_links(
    repo: FirmRepository, resource: Resource, row_id: int, links: dict[Link, Targets]
) -> None:
    for link, targets in links.items():
        await repo.replace_links(
            link.table, link.owner, row_id, link.target, targets.ids, targets.extras
        )


async def _saved(
    repo: FirmRepository,
    principal: Principal,
    resource: Resource,
    row: Any,
    links: dict[Link, Targets],
    ctx: Ctx,
) -> dict[str, Any]:
    """Store the links of a written row, and render it."""
    await _save_links(repo, resource, row["id"], links)
    return await show(repo.conn, principal, resource, row, ctx)


def as_owner(principal: Principal) -> Principal:
    """The principal as one of its firm's owners: what an event's data is rendered for."""
    return replace(principal, type="employee", role="owner", can_write=True, can_delete=True)


async def recorded(
    conn: AsyncConnection,
    principal: Principal,
    resource: Resource,
    action: str,
    shown: dict[str, Any],
    owners_view: Callable[[Principal], Awaitable[dict[str, Any]]],
    also: Sequence[str] = (),
    others: Sequence[events.Event] = (),
) -> dict[str, Any]:
    """Record the event of a written row (`action`: created or updated, with the events
    `also` names), its data the row as an owner sees it: `shown` when the writer sees the
    whole firm, else `owners_view` renders it again; and after it the `others` the write
    caused. Returns `shown`, the writer's view."""
    if not resource.event:
        return shown
    data = shown if principal.sees_whole_firm else await owners_view(as_owner(principal))
    names = [f"{resource.event}.{action}", *also]
    made = [events.Event(n, resource.event, shown["uuid"], data) for n in names]
    await events.record_all(conn, principal.firm_id, [*made, *others])
    return shown


async def updated(
    conn: AsyncConnection, principal: Principal, changed: Mapping[str, Iterable[int]], ctx: Ctx
) -> list[events.Event]:
    """The update events of records a write changed besides its own (by table: ids), each
    as an owner sees it now: one statement per kind."""
    owner, made = as_owner(principal), []
    for kind, ids in sorted(changed.items()):
        other = EVENT_RESOURCES[kind]
        for item in await render(conn, owner, other, sorted(ids), ctx) if ids else ():
            made.append(events.Event(f"{other.event}.updated", other.event, item["uuid"], item))
    return made


def _again(
    conn: AsyncConnection, resource: Resource, row_id: int, ctx: Ctx
) -> Callable[[Principal], Awaitable[dict[str, Any]]]:
    async def again(owner: Principal) -> dict[str, Any]:
        return (await render(conn, owner, resource, [row_id], ctx))[0]

    return again


async def create(
    conn: AsyncConnection, principal: Principal, resource: Resource, body: BaseModel, ctx: Ctx
) -> dict[str, Any]:
    values, links = await _checked(conn, principal, resource, None, body)
    repo, t = _repo(conn, principal), resource.table
    row = await repo.first(insert(t).values(firm_id=principal.firm_id, **values).returning(t))
    assert row is not None  # an insert returns its row
    shown = await _saved(repo, principal, resource, row, links, ctx)
    changed = await dependents.links_changed(repo, resource.links, links, row["id"], None)
    others = await updated(conn, principal, changed, ctx)
    again = _again(conn, resource, row["id"], ctx)
    return await recorded(conn, principal, resource, "created", shown, again, others=others)


async def update_row(
    conn: AsyncConnection,
    principal: Principal,
    resource: Resource,
    current: Record,
    body: BaseModel,
    ctx: Ctx,
) -> dict[str, Any]:
    """Change the columns and links the body gives; the rest stay as they are."""
    values, links = await _checked(conn, principal, resource, current, body)
    repo, t = _repo(conn, principal), resource.table
    before = await dependents.links_shown(repo, links, current["id"])
    statement = update(t).where(repo.scoped(t), t.c.id == current["id"])
    row = await repo.first(statement.values(**values, updated_at=func.now()).returning(t))
    if row is None:  # deleted since it was found
        raise NotFound()
    shown = await _saved(repo, principal, resource, row, links, ctx)
    changed = await dependents.links_changed(repo, resource.links, links, row["id"], before, values)
    others = await updated(conn, principal, changed, ctx)
    again = _again(conn, resource, row["id"], ctx)
    return await recorded(conn, principal, resource, "updated", shown, again, others=others)


async def delete(
    conn: AsyncConnection, principal: Principal, resource: Resource, row: Record, ctx: Ctx
) -> None:
    """Delete the row (found with `lock`) and what goes with it. The row, each record
    that goes with it and each record the delete changes (`resource.dependents`) records
    its event: a deletion seen by those who could open the record just before, an update
    with the record as an owner sees it after. The row's lock makes a write that would
    link a record to it (a new task on a client) wait, or wait for it, so what is read
    here is what goes."""
    firm_id = principal.firm_id
    changed = await dependents.find(conn, firm_id, resource.table, row["id"])
    going = {kind: EVENT_RESOURCES[kind] for kind in changed.deleted}
    seen = {
        k: await viewers.seen(conn, firm_id, r, list(changed.deleted[k])) for k, r in going.items()
    }
    if resource.before_delete is not None:
        await resource.before_delete(conn, principal, row)
    made = [
        events.Event(f"{r.event}.deleted", r.event, ref, {"uuid": str(ref)}, seen[k].get(i, []))
        for k, r in going.items()
        for i, ref in changed.deleted[k].items()
    ]
    if resource.event:
        seen_by = await viewers.delete_seen(conn, firm_id, resource, row["id"])
        name, ref = f"{resource.event}.deleted", row["uuid"]
        made.append(events.Event(name, resource.event, ref, {"uuid": str(ref)}, seen_by))
    else:
        repo, t = _repo(conn, principal), resource.table
        await repo.execute(sql_delete(t).where(repo.scoped(t), t.c.id == row["id"]))
    made += await updated(conn, principal, changed.updated, ctx)
    await events.record_all(conn, firm_id, made)

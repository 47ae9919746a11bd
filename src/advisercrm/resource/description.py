"""A resource, described once: its table, who may see which rows, what its lists filter
and sort by, what it embeds and how it renders. The generic operations (`resource.service`)
and routes (`resource.router`) derive list, show, create, update, delete and the reference
checks of a write from this description; a resource with rules of its own (goals, tasks)
uses the parts it needs.

Statements are compiled once per kind of viewer (`Principal.reach`) with the viewer's ids
as parameters, and every one of them names the acting firm (`FIRM`): a description has no
way to build a statement without it."""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from asyncpg import Record
from pydantic import BaseModel
from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Date,
    DateTime,
    FromClause,
    Select,
    Table,
    and_,
    any_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal_column,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.selectable import ScalarSelect

from advisercrm.auth.access import Who
from advisercrm.auth.principal import Principal, template
from advisercrm.kit.errors import Errors
from advisercrm.kit.listing import Filter, ListSpec, family, text_filter
from advisercrm.kit.render import Ctx
from advisercrm.kit.repository import page_select, resolve_query
from advisercrm.kit.sql import FIRM, Query, ids_param, like_pattern

Row = Record | Mapping[str, Any]
# The rows a write's UUIDs name, by UUID, each with its id and whether the writer may use it.
Resolver = Callable[[AsyncConnection, Principal, list[uuid.UUID]], Awaitable[dict[uuid.UUID, Any]]]
# A resource's own rules on a write: given the row being changed (None on create) and the
# columns to store, report what breaks them in `errors` and return the columns to store.
Check = Callable[
    [AsyncConnection, Principal, Any, dict[str, Any], Errors],
    Awaitable[dict[str, Any]],
]
# What a resource shows beyond its own row, as correlated subqueries: given the viewer (a
# `template`, so the statement compiles once per reach), the firm and the row's id columns.
Embeds = Callable[[Principal, Any, Any], dict[str, Any]]


def contains(column: Any) -> Where:
    """A list filter: rows whose `column` contains the text, case-insensitively."""
    return Where(text_filter, lambda pattern: column.ilike(pattern, escape="/"), like_pattern)


def any_of(column: Any) -> Callable[[Any], ColumnElement[bool]]:
    """A list filter's condition: rows whose `column` is one of the values."""
    return lambda values: column == any_(values)


def _column_to(link: Table, table: Table) -> Any:
    return next(column for column in link.c if column.references(table.c.id))


def linked(
    table: Table, link: Table, condition: ColumnElement[bool], row: FromClause | None = None
) -> ColumnElement[bool]:
    """Rows of `table` (or of `row`, an alias of it) with a link in `link` (a link table
    of it) that meets `condition`."""
    owner, row = _column_to(link, table), table if row is None else row
    return exists().where(link.c.firm_id == row.c.firm_id, owner == row.c.id, condition)


def linked_to(table: Table, link: Table, target: Table) -> Callable[[Any], ColumnElement[bool]]:
    """A list filter's condition: rows of `table` linked through `link` to any of the
    firm's `target` rows with the given UUIDs."""
    other = _column_to(link, target)

    def condition(uuids: Any) -> ColumnElement[bool]:
        named = select(target.c.id).where(target.c.firm_id == FIRM, target.c.uuid == any_(uuids))
        return linked(table, link, other.in_(named))

    return condition


def _visible(row: Mapping[str, Any]) -> bool:
    return bool(row["visible"])


def _same_uuid(item: uuid.UUID) -> uuid.UUID:
    return item


@dataclass(frozen=True, eq=False)
class Link:
    """A list of other records the resource names by UUID, kept in a link table: the body
    field `field` writes it; `resolve` and `accept` check each UUID it names."""

    field: str
    table: Table
    owner: str
    target: str
    resolve: Resolver
    accept: Callable[[Mapping[str, Any]], bool] = _visible
    # Whether null empties the list (else null leaves it as it is).
    null_clears: bool = False
    # The field's items as objects rather than UUIDs: the UUID each names, and the
    # columns its link row keeps (a plan's owners, each with a share).
    item_uuid: Callable[[Any], uuid.UUID] = _same_uuid
    item_columns: Callable[[Any], dict[str, Any]] | None = None
    # Another body field naming targets, as objects: each one's `uuid` names a target
    # and the other fields it gives are columns of its link row (a circle's `accounts`,
    # each with a login access level). Both fields given, both lists are linked; a new
    # row must be given one of them.
    objects: str = ""
    # The most targets both fields together may name.
    most: int = 0
    # The targets of a row (by its id) that the writer cannot see: not theirs to remove,
    # a write of the list keeps them (a member's view of a circle, written back).
    unseen: Callable[[AsyncConnection, Principal, int], Awaitable[list[int]]] | None = None


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Where:
    """A list filter: how its value is read, the condition it puts on the rows given the
    statement's parameter for the value (so a list compiles once per set of filters), and
    the value as that parameter takes it."""

    value: Filter
    condition: Callable[..., ColumnElement[bool]]
    bind: Callable[[Any], Any] = _same
    # Whether `condition` also takes the viewer (a `template`) after the parameter: a
    # filter naming records (tags, say) matches only those the viewer may see.
    by_viewer: bool = False

    def where(self, param: Any, viewer: Principal) -> ColumnElement[bool]:
        return self.condition(param, viewer) if self.by_viewer else self.condition(param)


@dataclass(frozen=True, eq=False)
class Include:
    """A relation a list shows only when asked (`include=name`): what it embeds (as
    `Embeds` gives one field) and how that renders."""

    embed: Callable[[Principal, Any, Any], Any]
    render: Callable[[Any, Ctx], Any]


@dataclass(frozen=True, eq=False)
class Nested:
    """Records of another resource a row shows, by the ids in one of its embedded
    columns (an array, in the order shown): rendered as that resource renders them, and
    only those the viewer may open."""

    column: str
    resource: Resource


@dataclass(frozen=True, eq=False)
class GoesWith:
    """Rows of another table a delete takes with it beyond the keys' cascades (the goals
    an account alone owns): their table, and the statement of their ids given the ids of
    the rows going (an array expression). The resource's `before_delete` deletes them."""

    table: Table
    ids: Callable[[Any], Select[Any]]


# The resource that records the events of each table's rows, by table name: filled as the
# descriptions are made (see `Resource.event`), so a write here finds the records another
# write changes by their tables (`resource.dependents`).
EVENT_RESOURCES: dict[str, Resource] = {}


@dataclass(frozen=True, eq=False)
class Resource:
    # Plural and singular, as in route names (`list_cases`, `show_case`) and the docs' tag.
    name: str
    table: Table
    visible: Callable[[Principal], ColumnElement[bool]]
    render: Callable[[Any, Ctx], dict[str, Any]]
    sorts: Mapping[str, Any]
    # The ids of the rows `visible` shows a member, read from the member's side (a few
    # index ranges): their unfiltered list then counts these, where testing each of a
    # big firm's rows would cost as many tests as it has rows.
    reached: Callable[[Principal], Select[Any]] | None = None
    embeds: Embeds = lambda viewer, firm_id, row_id: {}
    # Renders many rows at once where their parts recur (a page of tasks shares a few
    # statuses and people): each part is then rendered once.
    render_all: Callable[[Sequence[Row], Ctx], list[dict[str, Any]]] | None = None
    # Keys of the rendered row holding other resources' records (see `Nested`).
    nested: Mapping[str, Nested] = field(default_factory=dict)
    filters: Mapping[str, Where] = field(default_factory=dict)
    # Conditions every row of the resource meets, when the table also holds rows of
    # another kind: its path finds and its lists count only these.
    scope: tuple[ColumnElement[bool], ...] = ()
    # Columns beyond id and uuid that `resolve` returns, for the rules of a write naming
    # these rows (the kind of record a field accepts, say).
    resolved: tuple[str, ...] = ()
    default_sort: str = "created_at"
    # Conditions a nested path puts on its list, given its parent's id as a parameter
    # (the client of /api/v1/client/{client_uuid}/goal, say), by the parent's name.
    parents: Mapping[str, Callable[[Any], ColumnElement[bool]]] = field(default_factory=dict)
    # Relations a list may be asked to `include`, in the order its errors name them: those
    # always shown (naming one changes nothing), those naming data the server does not
    # keep (`empty_includes`: shown with this empty value) and those loaded when asked.
    includes: tuple[str, ...] = ()
    empty_includes: Mapping[str, Any] = field(default_factory=dict)
    # Relations loaded with a list's rows only when `include` asks for them (see `Include`).
    loaded_includes: Mapping[str, Include] = field(default_factory=dict)
    # Body fields stored as columns of the table, and lists kept in link tables.
    columns: frozenset[str] = frozenset()
    links: tuple[Link, ...] = ()
    # The columns a body gives, made ready to store (a time read in the firm's zone, say).
    prepare: Callable[[Principal, dict[str, Any]], dict[str, Any]] = lambda _, values: values
    check: Check | None = None
    # Runs before a row is deleted: raises to refuse (a record still in use, say).
    before_delete: Callable[[AsyncConnection, Principal, Any], Awaitable[None]] | None = None
    goes_with: tuple[GoesWith, ...] = ()
    # Who may create, update and delete (with the login's write or delete permission):
    # any account, staff or managers.
    who: Who = "staff"
    # Who may list and show its rows at all (others are refused with 403; those allowed
    # see the rows `visible` lets them).
    readers: Who = "anyone"
    # Where its routes live and the models of their bodies (`resource.router.crud_router`).
    path: str = ""
    create: type[BaseModel] | None = None
    update: type[BaseModel] | None = None
    out: type[BaseModel] | None = None
    one: str = ""
    # The prefix of the events its changes record (`resource.events`): "case" for
    # case.created, case.updated and case.deleted; none when empty.
    event: str = ""

    def __post_init__(self) -> None:
        # The resource of a table's events: the unscoped one (accounts, not clients).
        if self.event and not self.scope:
            EVENT_RESOURCES.setdefault(self.table.name, self)

    @property
    def singular(self) -> str:
        return self.one or self.name.removesuffix("s")

    @property
    def list_spec(self) -> ListSpec:
        return ListSpec(
            filters={name: where.value for name, where in self.filters.items()},
            sorts=tuple(self.sorts),
            default_sort=self.default_sort,
            includes=tuple(
                dict.fromkeys((*self.includes, *self.empty_includes, *self.loaded_includes))
            ),
        )

    def filter_named(self, name: str) -> Where:
        """The filter a list parameter names (`custom_field:<reference>` by its family)."""
        return self.filters[family(name) if name not in self.filters else name]

    @functools.cache  # noqa: B019 - descriptions live as long as the process
    def find(
        self,
        reach: str,
        loaded: bool = False,
        includes: frozenset[str] = frozenset(),
        lock: bool = False,
    ) -> Query:
        """The firm's row `uuid` if a viewer of this reach may see it; `loaded`, with all
        that `load` adds (and the `includes` asked for), for a show to render it as it is;
        `lock`, held until commit (a delete's: see `service.delete`)."""
        t, viewer = self.table, template(reach)
        columns = self._loaded(viewer, includes) if loaded else [t]
        named = select(*columns).where(t.c.firm_id == FIRM, t.c.uuid == bindparam("uuid"))
        found = named.where(self.visible(viewer), *self.scope)
        return Query(found.with_for_update(of=t) if lock else found)

    @functools.cache  # noqa: B019
    def resolve(self, reach: str) -> Query:
        """The firm's rows with the UUIDs `uuids`: id, uuid and whether they are visible."""
        return resolve_query(self.table, self.visible(template(reach)), self.resolved)

    def _columns(self, viewer: Principal, nested: bool = True) -> dict[str, Any]:
        """What `load` gives for a row, by name: the row's columns, whether the viewer may
        open it (for records embedding it), what it embeds, and (`nested`) the rows of
        other resources it nests, each as one JSON array (`Nested`)."""
        t = self.table
        embedded = self.embeds(viewer, t.c.firm_id, t.c.id)
        itself = true() if viewer.sees_whole_firm else and_(true(), self.visible(viewer))
        rows = self.nested_rows(viewer, t.c.firm_id, t, embedded) if nested else {}
        return {**{c.name: c for c in t.c}, "visible": itself, **embedded, **rows}

    def nested_rows(
        self, viewer: Principal, firm_id: Any, row: FromClause, embedded: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The rows of other resources that `row` (the table, or a statement's CTE of its
        rows) nests, by the ids its `embedded` columns give, each resource's as one JSON
        array keyed `nested_<key>` (`Nested`)."""
        rows: dict[str, Any] = {}
        for key, one in self.nested.items():
            ids = embedded[one.column]
            if isinstance(ids, ScalarSelect):  # the row's, through the nested rows' statement
                ids = ids.correlate(row)
            rows[f"nested_{key}"] = one.resource.rows_json(viewer, firm_id, ids)
        return rows

    def _loaded(
        self, viewer: Principal, includes: frozenset[str] = frozenset(), nested: bool = True
    ) -> list[Any]:
        """`_columns`, labelled, and the `includes` asked for."""
        t, loaded = self.table, self.loaded_includes
        asked = {n: loaded[n].embed(viewer, t.c.firm_id, t.c.id) for n in sorted(includes)}
        columns = self._columns(viewer, nested) | asked
        return [expr.label(name) for name, expr in columns.items()]

    def rows_json(self, viewer: Principal, firm_id: Any, ids: Any) -> Any:
        """The rows with these ids (an array expression of the embedding statement) that
        the viewer may open, each as `load` gives it, as one JSON array: a record nests
        them in its own statement. `from_json` reads each back."""
        t = self.table
        # Keys are our column names, written into the statement.
        columns = self._columns(viewer).items()
        pairs: list[Any] = []
        for name, expr in columns:
            pairs += [literal_column(f"'{name}'"), expr]
        assert len(pairs) <= 100, f"{self.name}: json_build_object takes 100 arguments"
        rows = func.json_agg(func.json_build_object(*pairs))
        return (
            select(func.coalesce(rows, literal_column("'[]'::json")))
            # As an array: ANY over a bare subquery would read its rows, not its array.
            .where(t.c.firm_id == firm_id, t.c.id == any_(cast(ids, ARRAY(BigInteger))))
            .where(self.visible(viewer))
            .scalar_subquery()
        )

    @functools.cached_property
    def _from_text(self) -> dict[str, Callable[[str], Any]]:
        """The columns JSON carries as text that the resource renders from Python
        values: times and dates."""
        parse: dict[str, Callable[[str], Any]] = {}
        for column in self.table.c:
            if isinstance(column.type, DateTime):
                parse[column.name] = dt.datetime.fromisoformat
            elif isinstance(column.type, Date):
                parse[column.name] = dt.date.fromisoformat
        return parse

    def from_json(self, row: dict[str, Any]) -> dict[str, Any]:
        """A row of `rows_json` as `load` gives it."""
        for name, parse in self._from_text.items():
            if row[name] is not None:
                row[name] = parse(row[name])
        return row

    @functools.cache  # noqa: B019
    def load(self, reach: str, includes: frozenset[str] = frozenset()) -> Query:
        """Everything the resource renders for the ids `ids` (and the `includes` asked
        for), embedded records filtered by what a viewer of this reach may open."""
        t, viewer = self.table, template(reach)
        ids = t.c.id == any_(ids_param("ids"))
        return Query(select(*self._loaded(viewer, includes)).where(t.c.firm_id == FIRM, ids))

    @functools.cached_property
    def plain(self) -> bool:
        """Whether a row renders from its own columns alone (nothing embedded or linked):
        a write then renders the row its statement returns, with no load after it."""
        t = self.table
        return not self.links and not self.embeds(template("firm"), t.c.firm_id, t.c.id)

    def page_select(
        self, reach: str, filters: frozenset[str], sort: str, descending: bool, parent: str
    ) -> Select[Any]:
        """A page of ids and the total, with these filters (the value of the n-th by name
        the parameter `where_<n>`) and under this parent (its id the parameter `parent_id`)."""
        t, viewer = self.table, template(reach)
        column = self.sorts[sort]
        if self.reached and viewer.is_member and not (filters or parent or self.scope):
            found = self.reached(viewer).cte("reached")
            total = select(func.count()).select_from(found)
            # IS TRUE keeps the test a filter on the walk of the sort's index (a hashed
            # set of the ids), which stops after a page: as a bare IN, PostgreSQL joins
            # it, reads every id's row and sorts them all.
            seen = t.c.id.in_(select(found.c.id)).is_(true())
            conditions = [t.c.firm_id == FIRM, seen]
            return page_select(t, conditions, column, descending, total.scalar_subquery())
        conditions = [t.c.firm_id == FIRM, self.visible(viewer), *self.scope]
        for i, name in enumerate(sorted(filters)):
            conditions.append(self.filter_named(name).where(bindparam(f"where_{i}"), viewer))
        if parent:
            conditions.append(self.parents[parent](bindparam("parent_id")))
        return page_select(t, conditions, column, descending)

    # Bounded: the filters a caller combines are theirs to choose.
    @functools.lru_cache(maxsize=1024)  # noqa: B019
    def page(
        self, reach: str, filters: frozenset[str], sort: str, descending: bool, parent: str = ""
    ) -> Query:
        """`page_select`, compiled: the ids alone."""
        return Query(self.page_select(reach, filters, sort, descending, parent))

    @functools.lru_cache(maxsize=1024)  # noqa: B019
    def listing(
        self,
        reach: str,
        filters: frozenset[str],
        sort: str,
        descending: bool,
        parent: str = "",
        includes: frozenset[str] = frozenset(),
    ) -> Query:
        """`page_select` with the page's rows as `load` gives them (with `includes`): one
        statement."""
        page = self.page_select(reach, filters, sort, descending, parent)
        return self.with_rows(page, template(reach), includes)

    def with_rows(
        self, page: Select[Any], viewer: Principal, includes: frozenset[str] = frozenset()
    ) -> Query:
        """A page's total and ids (`page`: one row of `total` and `ids`) with its rows as
        `load` gives them for this viewer, in the page's order: one row per record, each
        with the total, or one row of nulls but the total when the page is empty. The
        records the page nests are read once for the whole page (a client owning many of
        its goals is one record) and come with its first row."""
        t, found = self.table, page.cte("page")
        place = func.array_position(found.c.ids, t.c.id).label("place")
        rows = (
            select(*self._loaded(viewer, includes, nested=False), place)
            .where(t.c.firm_id == FIRM, t.c.id == any_(found.c.ids))
            .cte("loaded")
        )
        nested = []
        for key, one in self.nested.items():
            ids = func.array(select(func.unnest(rows.c[one.column])).scalar_subquery())
            records = one.resource.rows_json(viewer, FIRM, ids)
            nested.append(case((rows.c.place == 1, records)).label(f"nested_{key}"))
        columns = [column for column in rows.c if column.name != "place"]
        return Query(
            select(found.c.total, *columns, *nested)
            .select_from(found.outerjoin(rows, true()))
            .order_by(rows.c.place)
        )

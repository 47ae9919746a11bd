"""Does a SQL statement hold every firm-owned table it touches to the acting firm?

`kit.sql` asks this of every statement before it is run (once per SQL text), so a
statement that touches a firm-owned table without the firm's predicate cannot run: it
raises `TenancyError` where it is built (a compiled `Query`) or first sent. Which tables
are firm-owned is the schema's to say (`tables.TENANCY`).

Parsed with sqlglot (PostgreSQL dialect). Each SELECT, INSERT, UPDATE and DELETE is a
*scope* (CTEs, subqueries, UNION branches and LATERAL joins included); its *sources* are
the tables named directly in its FROM, JOINs, USING, or as its UPDATE/DELETE target. A
firm-owned source is *anchored* when a top-level conjunct of the scope's WHERE or of a
JOIN's ON says one of:

- `alias.firm_id = <parameter>` (the acting firm: the application never inlines it);
- `alias.firm_id = other.firm_id` where `other` is anchored, in this scope or in an
  enclosing one (a correlated subquery); anchoring flows inwards only.

An INSERT into a firm-owned table is anchored when every firm_id value it inserts is a
parameter, or (INSERT ... SELECT) the firm_id column of an anchored source.

*User-owned* rows carry a firm_id but belong to a user (logins and tokens: how a
caller's firm is found in the first place), so they are read by the caller's user_id or
token hash. Such a row anchored by its user counts as anchored; a firm-owned table
joined to it on firm_id is then held to a firm that user has a login in.

A conjunct under OR (`firm_id IS NULL OR firm_id = $1`) anchors nothing. Anything the
checker does not understand is reported, never passed: a statement that does not parse,
or a firm-owned table in a place that is no scope's source.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp


@dataclass(frozen=True)
class Rules:
    """Which tables belong to one firm, and which to a user (anchored by `user_keys`)."""

    firm_owned: frozenset[str]
    user_owned: frozenset[str] = frozenset()
    user_keys: tuple[str, ...] = ()

    @property
    def held(self) -> frozenset[str]:
        return self.firm_owned | self.user_owned


class TenancyError(RuntimeError):
    """A statement touches a firm-owned table without holding it to the acting firm."""


SCOPES = (exp.Select, exp.Insert, exp.Update, exp.Delete)


@dataclass
class _Scope:
    node: exp.Expression
    parent: _Scope | None
    sources: dict[str, str] = field(default_factory=dict)  # alias -> table name
    anchored: set[str] = field(default_factory=set)

    def resolve(self, column: exp.Column) -> tuple[_Scope, str] | None:
        """The scope and alias a column belongs to (an unqualified column: the scope's one
        source); None for a column of a derived table, a CTE or anything unknown."""
        scope: _Scope | None = self
        while scope is not None:
            if column.table:
                if column.table in scope.sources:
                    return scope, column.table
            elif len(scope.sources) == 1:
                return scope, next(iter(scope.sources))
            scope = scope.parent
        return None

    def is_anchored(self, column: exp.Column) -> bool:
        found = self.resolve(column)
        return found is not None and found[1] in found[0].anchored


def _scope_of(node: exp.Expression) -> exp.Expression | None:
    parent = node.parent
    while parent is not None and not isinstance(parent, SCOPES):
        parent = parent.parent
    return parent


def _bare(node: exp.Expression) -> exp.Expression:
    while isinstance(node, (exp.Cast, exp.Paren, exp.Alias)):
        node = node.this
    return node


def _parameter(node: exp.Expression) -> str | None:
    """The placeholder ("$3") a value is, if it is one."""
    node = _bare(node)
    if isinstance(node, (exp.Parameter, exp.Placeholder)):
        return node.sql(dialect="postgres")
    return None


@dataclass
class _Firm:
    """Which placeholders may carry the acting firm (None: any), and which did."""

    names: set[str] | None
    rules: Rules
    used: set[str] = field(default_factory=set)

    def given_by(self, node: exp.Expression) -> bool:
        name = _parameter(node)
        if name is None or (self.names is not None and name not in self.names):
            return False
        self.used.add(name)
        return True


def _conjuncts(condition: exp.Expression | None) -> Iterator[exp.Expression]:
    if condition is None:
        return
    condition = _bare(condition)
    if isinstance(condition, exp.And):
        yield from _conjuncts(condition.this)
        yield from _conjuncts(condition.expression)
    else:
        yield condition


def _direct_tables(node: exp.Expression) -> list[exp.Table]:
    """The tables a scope reads or writes directly (not those of its subqueries)."""
    places: list[exp.Expression | None] = []
    if isinstance(node, exp.Select):
        places = [node.args.get("from_") or node.args.get("from"), *node.args.get("joins", [])]
    elif isinstance(node, exp.Update):
        places = [
            node.this,
            node.args.get("from_") or node.args.get("from"),
            *node.args.get("joins", []),
        ]
    elif isinstance(node, exp.Delete):
        places = [node.this, *(node.args.get("using") or [])]
    elif isinstance(node, exp.Insert):
        places = [node.this]
    tables: list[exp.Table] = []
    for place in places:
        if place is None:
            continue
        if isinstance(place, exp.Table):
            tables.append(place)
            continue
        tables += [t for t in place.find_all(exp.Table) if _scope_of(t) is node]
    return tables


def _conditions(node: exp.Expression) -> list[exp.Expression]:
    conditions = list(_conjuncts(node.args.get("where") and node.args["where"].this))
    for join in node.args.get("joins", []) or []:
        conditions += _conjuncts(join.args.get("on"))
    return conditions


def _anchor(scope: _Scope, firm: _Firm) -> None:
    """Mark the scope's anchored sources, to a fixed point."""
    where = scope.node.args.get("where")
    if any(isinstance(c, exp.Boolean) and not c.this for c in _conjuncts(where and where.this)):
        # WHERE false (a viewer who may see none of them): the scope reads no row at all.
        scope.anchored.update(scope.sources)
        return
    conditions = [c for c in _conditions(scope.node) if isinstance(c, exp.EQ)]
    changed = True
    while changed:
        changed = False
        for eq in conditions:
            for this, other in ((eq.this, eq.expression), (eq.expression, eq.this)):
                this, other = _bare(this), _bare(other)
                if not isinstance(this, exp.Column):
                    continue
                found = scope.resolve(this)
                if found is None or found[0] is not scope or found[1] in scope.anchored:
                    continue
                alias, table = found[1], scope.sources[found[1]]
                user_owned = table in firm.rules.user_owned
                keys = ("firm_id", *firm.rules.user_keys) if user_owned else ("firm_id",)
                if this.name not in keys:
                    continue
                # A user's key may be any parameter: the firm's names say nothing of it.
                given = firm.given_by(other) if this.name == "firm_id" else _parameter(other)
                if given or (
                    isinstance(other, exp.Column)
                    and other.name == this.name
                    and scope.is_anchored(other)
                ):
                    scope.anchored.add(alias)
                    changed = True


def _insert_problem(node: exp.Insert, scopes: dict[int, _Scope], firm: _Firm) -> str | None:
    target = node.this
    columns = [c.name for c in target.expressions] if isinstance(target, exp.Schema) else []
    table = target.this.name if isinstance(target, exp.Schema) else target.name
    if table not in firm.rules.held:
        return None
    if "firm_id" not in columns:
        return f"INSERT INTO {table} without a firm_id column"
    at = columns.index("firm_id")
    source = node.expression
    if isinstance(source, exp.Values):
        rows = [_bare(row).expressions for row in source.expressions]
        if all([firm.given_by(row[at]) for row in rows]):
            return None
        return f"INSERT INTO {table}: a firm_id value is not a parameter"
    if isinstance(source, exp.Select):
        value = _bare(source.expressions[at])
        inner = scopes[id(source)]
        if firm.given_by(value) or (
            isinstance(value, exp.Column) and value.name == "firm_id" and inner.is_anchored(value)
        ):
            return None
        return f"INSERT INTO {table} ... SELECT: firm_id is not the acting firm"
    return f"INSERT INTO {table}: cannot tell where firm_id comes from"


def problems(sql: str, rules: Rules, firm: set[str] | None = None) -> list[str]:
    """What is wrong with the statement's tenancy; [] when every firm-owned table in it is
    anchored (or it touches none). `firm`: the placeholders ("$1") that carry the acting
    firm, when known; otherwise any parameter may."""
    return analyse(sql, rules, firm)[0]


def analyse(sql: str, rules: Rules, firm: set[str] | None = None) -> tuple[list[str], set[str]]:
    """The problems, and the placeholders that hold a firm-owned table to the firm (so
    the values bound to them can be checked against the caller's firm)."""
    try:
        statements = sqlglot.parse(sql, read="postgres")
    except sqlglot.errors.ParseError as error:
        return [f"cannot parse: {error}"], set()
    found: list[str] = []
    acting = _Firm(firm, rules)
    for statement in statements:
        if statement is not None:
            found += _statement_problems(statement, acting)
    return found, acting.used


def _statement_problems(statement: exp.Expr, firm: _Firm) -> list[str]:
    ctes = {cte.alias_or_name for cte in statement.find_all(exp.CTE)}
    scopes: dict[int, _Scope] = {}
    placed: set[int] = set()
    found: list[str] = []
    for node in statement.walk():  # parents before children
        if not isinstance(node, SCOPES):
            continue
        outer = _scope_of(node)
        scope = _Scope(node, scopes[id(outer)] if outer is not None else None)
        scopes[id(node)] = scope
        for table in _direct_tables(node):
            placed.add(id(table))
            if table.name in ctes and not table.db:
                continue
            scope.sources[table.alias_or_name] = table.name
        _anchor(scope, firm)
    for scope in scopes.values():
        if isinstance(scope.node, exp.Insert):
            problem = _insert_problem(scope.node, scopes, firm)
            if problem:
                found.append(problem)
            continue
        for alias, name in scope.sources.items():
            if name in firm.rules.held and alias not in scope.anchored:
                found.append(f"{name} AS {alias} is not held to the acting firm")
    # FOR UPDATE OF t names a source already seen, not a new one.
    locked = {id(t) for lock in statement.find_all(exp.Lock) for t in lock.find_all(exp.Table)}
    for named in statement.find_all(exp.Table):
        if named.name in firm.rules.held and id(named) not in placed | locked:
            found.append(f"{named.name}: in a place the checker does not understand")
    return found


def tables_in(sql: str) -> set[str]:
    """The real tables a statement names (for coverage)."""
    names: set[str] = set()
    for statement in sqlglot.parse(sql, read="postgres"):
        if statement is not None:
            names |= {t.name for t in statement.find_all(exp.Table)}
    return names

"""Route matching that does not try every route.

FastAPI tries the app's routes in order, and each included router tries each of its own
routes: a regular expression and some bookkeeping each, a few microseconds, so a path
served near the end of the list (`/healthz`, the tasks, the workspace) cost a tenth of a
millisecond or more before its handler ran. `skip_unmatched` gives each of the app's
top-level routes one expression that every path any of its routes serves must match; a
route whose expression rejects the path answers "no match" at once, as its routes would
have. A route whose paths cannot be known (nothing FastAPI describes with `path_regex`)
is tried as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

_NAMED_GROUP = re.compile(r"\(\?P<[^>]+>")


class _Unknown(Exception):
    """A route whose paths cannot be told from its description."""


def _expressions(route: Any) -> Iterator[re.Pattern[str]]:
    candidates = getattr(route, "effective_candidates", None)
    if candidates is not None:  # an included router: each of its routes, nested ones too
        for candidate in candidates():
            yield from _expressions(candidate)
        return
    for source in (route, getattr(route, "starlette_route", None)):
        pattern = getattr(source, "path_regex", None)
        if isinstance(pattern, re.Pattern):
            yield pattern
            return
    raise _Unknown(route)


def _paths_of(route: BaseRoute) -> re.Pattern[str] | None:
    """One expression matching every path the route serves, or None if not known."""
    try:
        patterns = [p.pattern for p in _expressions(route)]
    except _Unknown:
        return None
    if not patterns:
        return None
    # Each route's groups are named; in one expression the names would repeat.
    return re.compile("|".join(f"(?:{_NAMED_GROUP.sub('(?:', p)})" for p in patterns))


def _guarded(
    matches: Callable[[Scope], tuple[Match, Scope]], paths: re.Pattern[str]
) -> Callable[[Scope], tuple[Match, Scope]]:
    def guarded(scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and paths.match(get_route_path(scope)) is None:
            return Match.NONE, {}
        return matches(scope)

    return guarded


def skip_unmatched(app: FastAPI) -> None:
    """Guard each of the app's routes; call once every route is in place."""
    for route in app.router.routes:
        paths = _paths_of(route)
        if paths is not None:
            # An attribute of this one route object, so FastAPI's loop calls the guard.
            setattr(route, "matches", _guarded(route.matches, paths))  # noqa: B010

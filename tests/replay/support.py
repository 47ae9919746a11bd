"""The replay suite's tools: cases taken from Plannr's operation pages, each naming the
page it came from (`page(slug)`), run against the real app; and the checks they share
(a documented field's JSON type, a list's paginated shape, a read→PUT round trip)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.helpers import Actor

DOCS = "https://apidocs.plannrcrm.com/operation/"

# JSON types as the pages name them.
STR, INT, BOOL, LIST, OBJ, NULL = str, int, bool, list, dict, type(None)
MONEY = {"amount": STR, "currency": STR, "formatted": STR}


def page(slug: str) -> str:
    """The documentation page of an operation."""
    return DOCS + slug


def not_served(why: str) -> pytest.MarkDecorator:
    """A documented case the server does not meet yet: strict, so the day it passes the
    marker must go; `why` names what is missing."""
    return pytest.mark.xfail(strict=True, reason=why)


def check_types(value: Any, shape: dict[str, Any], where: str = "") -> None:
    """Each documented field is present with its JSON type: a type, a tuple of types, or
    a nested shape (an object; inside a list, each item)."""
    for name, kind in shape.items():
        assert name in value, f"{where}{name} missing"
        got = value[name]
        if isinstance(kind, dict):
            if got is None and kind.get("__nullable__"):
                continue
            items = got if isinstance(got, list) else [got]
            for item in items:
                check_types(
                    item, {k: v for k, v in kind.items() if k != "__nullable__"}, f"{where}{name}."
                )
            continue
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # bool is an int in Python: an INT field must not hold a boolean.
        if BOOL not in kinds:
            assert not isinstance(got, bool), f"{where}{name}: {got!r} is a boolean"
        assert isinstance(got, kinds), f"{where}{name}: {got!r} is not {kinds}"


def nullable(shape: dict[str, Any]) -> dict[str, Any]:
    return {**shape, "__nullable__": True}


def assert_list(response: httpx.Response) -> dict[str, Any]:
    """A 200 list in Laravel's paginated shape, meta.links included."""
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"data", "links", "meta"}
    check_types(
        body["links"], {"first": STR, "last": STR, "prev": (STR, NULL), "next": (STR, NULL)}
    )
    check_types(body["meta"], {
        "current_page": INT, "from": (INT, NULL), "last_page": INT, "path": STR,
        "per_page": INT, "to": (INT, NULL), "total": INT,
        "links": {"url": (STR, NULL), "label": STR, "active": BOOL},
    })  # fmt: skip
    labels = [link["label"] for link in body["meta"]["links"]]
    assert labels[0] == "&laquo; Previous" and labels[-1] == "Next &raquo;"
    return body


async def round_trip(actor: Actor, path: str) -> None:
    """GET a record, PUT the body back: 200, and reading it again shows the same record
    (only `updated_at` may move)."""
    before = (await actor.get(path)).json()
    response = await actor.put(path, before)
    assert response.status_code == 200, response.text
    after = (await actor.get(path)).json()
    assert {**after, "updated_at": None} == {**before, "updated_at": None}

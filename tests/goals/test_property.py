"""Property: whatever JSON (or bytes) is posted to /api/v2/goals, the answer is 201 or a
client error (400, 413, 422) with a JSON message, and only a 201 adds a goal.

pytest-asyncio runs a `@given` coroutine test on its event loop, one example after the
other; the firm fixture is shared by the examples, which is why each one compares the
goal count before and after instead of expecting zero."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.goals.support import goal_count, post_raw, random_uuid
from tests.helpers import Firm

ACCEPTED = {201, 400, 413, 422}
EXAMPLES = 150
seen = {"examples": 0}

# Text with awkward characters: controls, NUL, lone surrogates, astral planes.
text = st.text(st.characters(), max_size=20) | st.text(
    st.characters(categories=["Cs", "Cc", "So", "Lu"]), max_size=8
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | text
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=20,
)


@dataclass
class Refs:
    """UUIDs of the firm under test, so that some examples are valid or nearly so, and the
    goal count after the last example (None when an example failed half-way)."""

    client: str
    other_client: str
    employee: str
    circle: str
    lonely_circle: str
    count: int | None = None


def bodies(refs: Refs) -> st.SearchStrategy[Any]:
    owners = st.sampled_from([refs.client, refs.other_client])
    uuids = owners | st.sampled_from([refs.employee, refs.circle, random_uuid(), "nope"])
    circle_uuids = st.sampled_from([refs.circle, refs.lonely_circle, refs.client, random_uuid()])
    clean = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40)
    plausible = {
        "description": st.none() | clean | text,
        "target_amount": st.none() | st.integers(0, 10**15) | st.integers(-5, 10**16),
        "progress": st.none() | st.integers(0, 100) | st.integers(-2, 102),
        "timeframe": st.none() | clean | text,
        "complete_goal_by": st.none() | st.dates().map(lambda d: d.isoformat()) | text,
        "priority": st.none() | st.integers(1, 5) | st.integers(-1, 7),
        "show_on_circles": st.booleans(),
        "visible_to_circles_uuids": st.none() | st.lists(circle_uuids, max_size=3),
    }
    # Required fields right, the others mostly right: a fair share of 201s.
    nearly_valid = st.fixed_dictionaries(
        {
            "account_uuids": st.lists(owners, min_size=1, max_size=2, unique=True),
            "name": st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1),
        },
        optional=plausible,
    )
    # The real field names, each with a plausible or an arbitrary value.
    goal_like = st.fixed_dictionaries(
        {},
        optional={
            "account_uuids": st.lists(uuids, max_size=4) | json_values,
            "name": st.text(max_size=260) | json_values,
        }
        | {name: values | json_values for name, values in plausible.items()},
    )
    # And any JSON value at all.
    return st.one_of(nearly_valid, goal_like, goal_like, json_values)


def encode(value: Any, how: str) -> bytes:
    # ASCII escapes carry lone surrogates and NaN/Infinity (which are not JSON) as text.
    raw = json.dumps(value, ensure_ascii=True).encode()
    if how == "truncated":
        return raw[: max(0, len(raw) - 1)]
    if how == "latin-1":
        return json.dumps(value, ensure_ascii=False).encode("latin-1", "replace")
    return raw


@pytest.fixture
async def refs(firm: Firm) -> Refs:
    """Made once: function-scoped fixtures are shared by all examples of a @given test."""
    client, other, third = [(await firm.client_account())["uuid"] for _ in range(3)]
    circle = (await firm.circle([client, other]))["uuid"]
    lonely = (await firm.circle([other, third]))["uuid"]
    return Refs(client, other, firm.owner.account_uuid, circle, lonely)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_any_body_is_a_clean_answer(firm: Firm, refs: Refs, data: st.DataObject) -> None:
    value = data.draw(bodies(refs), label="body")
    how = data.draw(st.sampled_from(["json"] * 8 + ["truncated", "latin-1"]), label="encoding")
    content = encode(value, how)
    seen["examples"] += 1
    before = refs.count if refs.count is not None else await goal_count(firm.owner)
    refs.count = None
    response = await post_raw(firm.owner, content)
    event(f"status {response.status_code}")
    assert response.status_code in ACCEPTED, response.text
    assert response.headers["content-type"].startswith("application/json"), response.text
    body = response.json()
    if response.status_code != 201:
        assert isinstance(body.get("message"), str) and body["message"], body
    if response.status_code == 422:
        errors = body["errors"]
        assert errors and all(
            isinstance(v, list) and all(isinstance(m, str) for m in v) for v in errors.values()
        )
    after = before + (response.status_code == 201)
    assert await goal_count(firm.owner) == after
    refs.count = after


def test_the_property_ran_its_examples() -> None:
    """Runs after the property test in this module (pytest keeps file order)."""
    if not seen["examples"]:
        pytest.skip("the property test was not selected")
    assert seen["examples"] >= EXAMPLES

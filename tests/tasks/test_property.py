"""Property: whatever JSON (or bytes) is sent to POST /api/v1/task or PUT
/api/v1/task/{uuid}, the answer is a success or a client error (400, 413, 422) with a
JSON message, and a rejected request changes nothing.

pytest-asyncio runs a `@given` coroutine test on its event loop, one example after the
other; function-scoped fixtures are shared by the examples, which is why each example
compares the state before and after instead of expecting a fixed one."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.tasks.support import TASKS, World, add_fields, random_uuid, shown, task_count, task_path

EXAMPLES = 100
seen = {"create": 0, "update": 0}

# Text with awkward characters: controls, NUL, lone surrogates, astral planes.
text = st.text(st.characters(), max_size=20) | st.text(
    st.characters(categories=["Cs", "Cc", "So", "Lu"]), max_size=8
)
clean = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40)
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
    """UUIDs of the firm's real records, so some examples are valid or nearly so; and the
    state after the last example (None when an example failed half-way)."""

    world: World
    taskables: list[tuple[str, str]]
    statuses: list[str]
    accounts: list[str]
    groups: list[str]
    tasks: list[str]
    references: list[str]
    count: int | None = None
    target: dict[str, Any] | None = field(default=None)


@pytest.fixture
async def refs(fresh: World) -> Refs:
    """Made once: function-scoped fixtures are shared by all examples of a @given test."""
    fields = await add_fields(fresh.firm)
    w = fresh
    return Refs(
        world=w,
        taskables=[
            ("client", w.client["uuid"]),
            ("case", w.case["uuid"]),
            ("plan", w.plan["uuid"]),
        ],
        statuses=[s["uuid"] for s in [*w.statuses, w.archived]],
        accounts=[w.client["uuid"], w.owner.account_uuid],
        groups=[w.group["uuid"]],
        tasks=[w.task["uuid"], w.subtask["uuid"]],
        references=list(fields),
    )


def plausible(refs: Refs) -> dict[str, st.SearchStrategy[Any]]:
    uuids = st.sampled_from([u for _, u in refs.taskables] + refs.statuses + refs.tasks) | st.just(
        random_uuid()
    )
    value = st.sampled_from(["Dog", "Cat", "x", ""]) | st.integers() | st.booleans() | st.none()
    custom = st.dictionaries(
        st.sampled_from([*refs.references, "nope"]), value | json_values, max_size=3
    )
    return {
        "description": st.none() | clean | text,
        "priority": st.none() | st.sampled_from(["low", "medium", "high", "highest", "urgent"]),
        "due_at": st.none()
        | st.datetimes().map(lambda d: d.isoformat())
        | st.dates().map(str)
        | text,
        "taskable_type": st.sampled_from(["client", "case", "plan", "goal"]),
        "taskable_uuid": uuids,
        "task_status_uuid": st.sampled_from(refs.statuses) | uuids,
        "parent_task_uuid": st.none() | st.sampled_from(refs.tasks) | uuids,
        "assigned_to_uuids": st.lists(st.sampled_from(refs.accounts) | uuids, max_size=3),
        "group_uuids": st.lists(st.sampled_from(refs.groups) | uuids, max_size=2),
        "custom_fields": custom | custom.map(lambda d: [{k: v} for k, v in d.items()]),
    }


def bodies(refs: Refs, creating: bool) -> st.SearchStrategy[Any]:
    options = plausible(refs)
    name = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=80)
    # Required fields right (a real taskable and status), the others mostly right.
    nearly_valid = st.builds(
        lambda taskable, status, name, rest: {
            "taskable_type": taskable[0],
            "taskable_uuid": taskable[1],
            "task_status_uuid": status,
            "name": name,
            **rest,
        },
        st.sampled_from(refs.taskables),
        st.sampled_from(refs.statuses),
        name,
        st.fixed_dictionaries({}, optional={k: options[k] for k in options if "taskable" not in k}),
    )
    # The real field names, each with a plausible or an arbitrary value.
    task_like = st.fixed_dictionaries(
        {},
        optional={"name": name | st.text(max_size=260) | json_values}
        | {key: values | json_values for key, values in options.items()},
    )
    if not creating:
        nearly_valid = nearly_valid.map(
            lambda body: {k: v for k, v in body.items() if k not in ("taskable_type", "name")}
        )
    return st.one_of(nearly_valid, task_like, task_like, json_values)


def encode(value: Any, how: str) -> bytes:
    # ASCII escapes carry lone surrogates and NaN/Infinity (which are not JSON) as text.
    raw = json.dumps(value, ensure_ascii=True).encode()
    if how == "truncated":
        return raw[: max(0, len(raw) - 1)]
    if how == "latin-1":
        return json.dumps(value, ensure_ascii=False).encode("latin-1", "replace")
    return raw


async def send(refs: Refs, method: str, path: str, data: st.DataObject, creating: bool) -> Any:
    value = data.draw(bodies(refs, creating), label="body")
    how = data.draw(st.sampled_from(["json"] * 8 + ["truncated", "latin-1"]), label="encoding")
    headers = {"content-type": "application/json"}
    response = await refs.world.owner.request(
        method, path, content=encode(value, how), headers=headers
    )
    event(f"status {response.status_code}")
    assert response.status_code in {200, 201, 400, 413, 422}, response.text
    assert response.headers["content-type"].startswith("application/json"), response.text
    body = response.json()
    if response.status_code >= 400:
        assert isinstance(body.get("message"), str) and body["message"], body
    if response.status_code == 422:
        errors = body["errors"]
        assert errors and all(
            isinstance(v, list) and v and all(isinstance(m, str) for m in v)
            for v in errors.values()
        ), body
    return response


SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(data=st.data())
async def test_any_create_body_is_a_clean_answer(refs: Refs, data: st.DataObject) -> None:
    seen["create"] += 1
    owner = refs.world.owner
    before = refs.count if refs.count is not None else await task_count(owner)
    refs.count = None
    response = await send(refs, "POST", TASKS, data, creating=True)
    assert response.status_code in {201, 400, 413, 422}
    after = before + (response.status_code == 201)
    assert await task_count(owner) == after
    refs.count = after


@SETTINGS
@given(data=st.data())
async def test_any_update_body_is_a_clean_answer(refs: Refs, data: st.DataObject) -> None:
    seen["update"] += 1
    owner, target = refs.world.owner, refs.world.subtask["uuid"]
    before = refs.target if refs.target is not None else await shown(owner, target)
    count = refs.count if refs.count is not None else await task_count(owner)
    refs.target, refs.count = None, None
    response = await send(refs, "PUT", task_path(target), data, creating=False)
    assert response.status_code in {200, 400, 413, 422}
    after = await shown(owner, target)
    if response.status_code == 200:
        assert response.json() == after
    else:
        assert after == before
    assert await task_count(owner) == count
    refs.target, refs.count = after, count


def test_the_property_tests_ran_their_examples() -> None:
    """Runs after the property tests in this module (pytest keeps file order)."""
    if not any(seen.values()):
        pytest.skip("the property tests were not selected")
    assert seen["create"] >= EXAMPLES and seen["update"] >= EXAMPLES

"""Schema fuzzing (issue 5, part 2): Schemathesis against the real server over a socket,
with the demo firm owner's credentials, every operation of /openapi.json (examples,
coverage and fuzzing phases per operation, then stateful sequences along inferred
links). No response is a 5xx, every status is documented, every body conforms to its
documented schema, and no database constraint fires for a lone request.

Random UUIDs only ever reach "not found", so half the generated cases have their path
and body UUIDs swapped for real ones of the right kind (the demo's records, and for
DELETE spare records made to be deleted, so the demo data lasts the whole run)."""

from __future__ import annotations

import collections
import itertools
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from advisercrm.app import create_app
from advisercrm.config import get_settings

pytestmark = pytest.mark.e2e

MAX_EXAMPLES = 25  # per operation in the fuzzing phase; examples and coverage add their own
STATEFUL_SCENARIOS = 100  # sequences of up to 10 linked calls
STATEFUL_SECONDS = 60.0
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CONCURRENT_CHANGE = "The request conflicts with a concurrent change; retry it."

# Collection needs the operations before any server runs, so the document is built from
# the app itself; test_the_server_serves_this_document checks it is the served one.
# (Settings read afresh, uncached: building the app here must not fix them for others.)
DOCUMENT = create_app(get_settings.__wrapped__()).openapi()
schema = schemathesis.openapi.from_dict(DOCUMENT)

# Real UUIDs by kind, filled in by the `pools` fixture before the fuzzing starts.
POOLS: dict[str, list[str]] = {}
# What the run did, for the summary test: cases per documented operation, statuses seen.
RUN: dict[str, collections.Counter[str]] = {
    "cases": collections.Counter(),
    "statuses": collections.Counter(),
}
STARTED: list[float] = []

# The kind of record a path segment names (the segment before a `{uuid}`).
PATH_KINDS = {
    "personal-access-tokens": "tokens",
    "account": "accounts",
    "client": "clients",
    "circles": "circles",
    "group": "groups",
    "goals": "goals",
    "goal": "goals",
    "task-status": "statuses",
    "custom-field": "custom_fields",
    "cases": "cases",
    "plans": "plans",
    "task": "tasks",
}
NAMED_PATH_PARAMS = {"client_uuid": "clients", "task_status_uuid": "statuses"}
# The kind of record a body field names; (path prefix, field) entries take precedence.
BODY_KINDS = {
    "account_uuids": "clients",
    "owner_uuids": "clients",
    "accounts": "clients",
    "participants": "clients",
    "assigned_adviser_uuid": "employees",
    "assigned_administrator_uuid": "employees",
    "assigned_paraplanner_uuid": "employees",
    "introduced_by_uuid": "introducers",
    "client_status_uuid": "client_statuses",
    "assigned_to_uuids": "employees",
    "group_uuids": "groups",
    "visible_to_circles_uuids": "circles",
    "task_status_uuid": "statuses",
    "parent_task_uuid": "tasks",
    "account_uuid": "self",
    "password": "password",
}
BODY_KINDS_BY_PATH = {("/api/v1/group", "participants"): "employees"}
TASKABLE_KINDS = {"client": "clients", "case": "cases", "plan": "plans"}


def _path_kind(path: str, name: str) -> str | None:
    if name in NAMED_PATH_PARAMS:
        return NAMED_PATH_PARAMS[name]
    segments = path.split("/")
    before = segments[segments.index("{" + name + "}") - 1]
    return PATH_KINDS.get(before)


def _body_kind(path: str, field: str, body: dict[str, Any]) -> str | None:
    if field in ("taskable_uuid", "taggable_uuid"):
        return TASKABLE_KINDS.get(str(body.get("taskable_type")), "clients")
    for (prefix, name), kind in BODY_KINDS_BY_PATH.items():
        if name == field and path.startswith(prefix):
            return kind
    return BODY_KINDS.get(field)


def _real(draw: st.DrawFn, kind: str | None, like: Any) -> Any:
    """A real value of that kind shaped like the generated one (a list stays a list of
    the same length, as far as the pool goes)."""
    pool = POOLS.get(kind or "")
    if not pool:
        return like
    if isinstance(like, list):
        size = min(len(like), len(pool))
        return draw(st.lists(st.sampled_from(pool), min_size=size, max_size=size, unique=True))
    if isinstance(like, str) or like is None:
        return draw(st.sampled_from(pool))
    return like


@st.composite
def _with_real_uuids(draw: st.DrawFn, case: schemathesis.Case) -> schemathesis.Case:
    if not POOLS or not draw(st.booleans()):
        return case
    spare = "spare_" if case.method == "DELETE" else ""
    for name, value in (case.path_parameters or {}).items():
        kind = _path_kind(case.path, name)
        if kind is not None:
            case.path_parameters[name] = _real(draw, spare + kind, value)
    if isinstance(case.body, dict):
        for field, value in case.body.items():
            case.body[field] = _real(draw, _body_kind(case.path, field, case.body), value)
    return case


@schema.hook
def flatmap_case(context: schemathesis.HookContext, case: schemathesis.Case) -> Any:
    return _with_real_uuids(case)


@pytest.fixture(scope="module")
def server_env() -> dict[str, str]:
    # Thousands of requests in a few minutes from one user: lift the rate limit.
    return {"ADVISERCRM_RATE_LIMIT": "100000000"}


@pytest.fixture(scope="module")
def credentials(served: dict[str, Any]) -> dict[str, str]:
    demo = served["demo"]
    return {
        "Authorization": f"Bearer {demo['token']}",
        "X-PLANNR-ACCOUNT-UUID": demo["account_uuid"],
    }


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    with requests.Session() as http:
        yield http


def _uuids(base: str, headers: dict[str, str], path: str, query: str = "") -> list[str]:
    listed = requests.get(f"{base}{path}?per_page=500{query}", headers=headers, timeout=30)
    assert listed.status_code == 200, listed.text
    return [str(item["uuid"]) for item in listed.json()["data"]]


def _spares(base: str, headers: dict[str, str], demo: dict[str, Any]) -> dict[str, list[str]]:
    """Two records of each kind for DELETE to take, so the demo's records stay."""
    counter = itertools.count(1)
    client, status = demo["client_uuids"][0], demo["task_status_uuids"][0]

    def made(path: str, body: dict[str, Any]) -> str:
        created = requests.post(f"{base}{path}", json=body, headers=headers, timeout=30)
        assert created.status_code == 201, (path, created.text)
        return str(created.json()["uuid"])

    def two(path: str, body: Any) -> list[str]:
        return [made(path, body(next(counter))) for _ in range(2)]

    clients = two("/api/v1/client", lambda n: {"first_name": "Spare", "last_name": f"C{n}"})
    return {
        "spare_accounts": two(
            "/api/v1/account",
            lambda n: {
                "type": "employee",
                "role": "member",
                "first_name": "S",
                "last_name": f"{n}",
            },
        ),
        "spare_clients": clients,
        "spare_circles": two(
            "/api/v1/circles", lambda n: {"name": f"Spare {n}", "account_uuids": clients}
        ),
        "spare_groups": two("/api/v1/group", lambda n: {"name": f"Spare {n}"}),
        "spare_goals": two("/api/v2/goals", lambda n: {"name": f"S{n}", "account_uuids": [client]}),
        "spare_statuses": two("/api/v1/task-status", lambda n: {"name": f"Spare {n}"}),
        "spare_custom_fields": two(
            "/api/v1/custom-field", lambda n: {"type": "string", "name": f"Spare {n}"}
        ),
        "spare_cases": two("/api/v1/cases", lambda n: {"name": f"S{n}", "participants": [client]}),
        "spare_plans": two(
            "/api/v1/plans", lambda n: {"name": f"S{n}", "type": "pension", "accounts": [client]}
        ),
        "spare_tasks": two(
            "/api/v1/task",
            lambda n: {
                "name": f"Spare {n}",
                "taskable_type": "client",
                "taskable_uuid": client,
                "task_status_uuid": status,
            },
        ),
        "spare_tokens": two(
            "/api/v1/personal-access-tokens",
            lambda n: {"name": f"Spare {n}", "password": demo["owner_password"]},
        ),
    }


@pytest.fixture(scope="module")
def pools(served: dict[str, Any], credentials: dict[str, str]) -> Iterator[dict[str, list[str]]]:
    base, demo = served["base"], served["demo"]
    me = demo["account_uuid"]
    own_token = _uuids(base, credentials, "/api/v1/personal-access-tokens")
    employees = _uuids(base, credentials, "/api/v1/account", "&filter[type]=employee")
    POOLS.update(
        {
            # The acting account is left out: demoting itself would end the run's rights.
            "accounts": [u for u in _uuids(base, credentials, "/api/v1/account") if u != me],
            "employees": employees,
            "clients": _uuids(base, credentials, "/api/v1/client"),
            "introducers": _uuids(base, credentials, "/api/v1/account", "&filter[role]=introducer"),
            "client_statuses": _uuids(base, credentials, "/api/v1/client-status"),
            "circles": _uuids(base, credentials, "/api/v1/circles"),
            "groups": _uuids(base, credentials, "/api/v1/group"),
            "goals": _uuids(base, credentials, "/api/v2/goals"),
            "statuses": _uuids(base, credentials, "/api/v1/task-status"),
            "custom_fields": _uuids(base, credentials, "/api/v1/custom-field"),
            "cases": _uuids(base, credentials, "/api/v1/cases"),
            "plans": _uuids(base, credentials, "/api/v1/plans"),
            "tasks": _uuids(
                base, credentials, "/api/v1/task", "&filter[subtask_visibility]=include"
            ),
            "self": [me],
            "password": [demo["owner_password"]],
        }
    )
    spares = _spares(base, credentials, demo)
    # The token the run uses is never handed out: revoking it would end the run.
    POOLS["tokens"] = spares["spare_tokens"]
    assert not set(own_token) & set(POOLS["tokens"])
    POOLS.update(spares)
    STARTED.append(time.monotonic())
    yield POOLS
    POOLS.clear()


def _spare_the_run(case: schemathesis.Case, demo: dict[str, Any]) -> None:
    """Two calls would end the run's rights: revoking its own token and changing the
    acting account's role. Such a case goes to a UUID that does not exist instead."""
    params = case.path_parameters or {}
    own = (
        case.method == "DELETE"
        and case.path == "/api/v1/personal-access-tokens/{uuid}"
        and params.get("uuid") not in POOLS.get("tokens", [])
    ) or (
        case.method == "PUT"
        and case.path == "/api/v1/account/{uuid}"
        and params.get("uuid") == demo["account_uuid"]
    )
    if own:
        params["uuid"] = str(uuid.uuid4())


def _record(case: schemathesis.Case, response: Any) -> None:
    RUN["cases"][case.operation.label] += 1
    RUN["statuses"][str(response.status_code)] += 1
    # One request at a time: a constraint that fires is a rule not checked up front.
    assert not (response.status_code == 409 and CONCURRENT_CHANGE in response.text), (
        f"{case.method} {case.formatted_path} {case.body!r}: a constraint fired"
    )


def test_the_server_serves_this_document(served: dict[str, Any]) -> None:
    assert requests.get(f"{served['base']}/openapi.json", timeout=10).json() == DOCUMENT


@pytest.mark.parametrize("path", ["/api/v1/account/{uuid}", "/api/v1/client/{uuid}"])
def test_a_null_role_is_refused(
    served: dict[str, Any], credentials: dict[str, str], path: str
) -> None:
    """Found by fuzzing: an explicit null role reached the database (a NOT NULL
    violation, answered as a 409 "concurrent change") instead of being refused."""
    demo = served["demo"]
    target = demo["employee_uuids"][0] if "account" in path else demo["client_uuids"][0]
    url = served["base"] + path.format(uuid=target)
    response = requests.put(url, json={"role": None}, headers=credentials, timeout=10)
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == {"role": ["The role field is required."]}


@pytest.mark.parametrize("include", ["parent_task", "subtasks", "parent_task,subtasks"])
def test_tasks_with_includes_conform(
    served: dict[str, Any], credentials: dict[str, str], include: str
) -> None:
    """`include` is not in the document, so the fuzzer never embeds tasks: check the
    embedded parent and subtasks against the documented task resource here."""
    query = {"include": include, "filter[subtask_visibility]": "include", "per_page": "500"}
    case = schema["/api/v1/task"]["GET"].Case(query=query)
    response = case.call_and_validate(base_url=served["base"], headers=credentials, checks=CHECKS)
    tasks = response.json()["data"]
    if "parent_task" in include:
        assert any(task["parent_task"] for task in tasks)
    if "subtasks" in include:
        assert any(task["subtasks"] for task in tasks)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_conforms(
    case: schemathesis.Case,
    served: dict[str, Any],
    credentials: dict[str, str],
    session: requests.Session,
    pools: dict[str, list[str]],
) -> None:
    _spare_the_run(case, served["demo"])
    response = case.call_and_validate(
        base_url=served["base"], session=session, headers=credentials, checks=CHECKS
    )
    _record(case, response)


def test_linked_operations_in_sequence(
    served: dict[str, Any],
    credentials: dict[str, str],
    session: requests.Session,
    pools: dict[str, list[str]],
) -> None:
    """Stateful: sequences of calls along the links Schemathesis infers (a created or
    listed record's UUID fed to the operations that take it). The server's state moves on
    under Hypothesis, which may then find a sequence it cannot draw again (Flaky) and stop:
    as Schemathesis' own runner does, the run then starts over until enough scenarios have
    run. Failures are collected rather than raised, since a sequence is not replayable."""
    failures: list[str] = []
    scenarios = [0]

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            scenarios[0] += 1

        def before_call(self, case: schemathesis.Case) -> None:
            _spare_the_run(case, served["demo"])

        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"base_url": served["base"], "headers": credentials, "session": session}

        def validate_response(self, response: Any, case: schemathesis.Case, **kwargs: Any) -> None:
            try:
                case.validate_response(response, checks=CHECKS, headers=credentials)
                _record(case, response)
            except Exception as exc:
                failures.append(
                    f"{case.method} {case.formatted_path} {case.body!r} "
                    f"-> {response.status_code} {response.text[:300]}: {exc}"
                )

    deadline = time.monotonic() + STATEFUL_SECONDS
    while scenarios[0] < STATEFUL_SCENARIOS and time.monotonic() < deadline:
        try:
            Workflow.run(
                settings=settings(
                    max_examples=STATEFUL_SCENARIOS - scenarios[0],
                    stateful_step_count=10,
                    deadline=None,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                )
            )
        except Flaky:
            continue
    print(f"\nstateful: {scenarios[0]} scenarios")
    assert not failures, "\n\n".join(failures)


def test_the_run_covered_every_operation() -> None:
    operations = {
        f"{method.upper()} {path}" for path, item in DOCUMENT["paths"].items() for method in item
    }
    if not RUN["cases"]:
        pytest.skip("the fuzzing tests did not run")
    missed = operations - set(RUN["cases"])
    elapsed = time.monotonic() - STARTED[0] if STARTED else 0.0
    print(
        f"\nschema fuzzing: {sum(RUN['cases'].values())} cases over {len(RUN['cases'])} "
        f"operations in {elapsed:.0f}s; statuses {dict(sorted(RUN['statuses'].items()))}"
    )
    assert not missed, f"operations never fuzzed: {sorted(missed)}"

"""A 422 reports every violated rule of a body at once: a field of the wrong type does not
hide a reference to a record that is not there (or not acceptable), and the errors come
in the body's field order. A field whose value is malformed gets its shape error only."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import pytest
from pydantic import TypeAdapter

from advisercrm.cases.schemas import CaseCreate
from advisercrm.kit.body import ALL_RULES, guarded
from advisercrm.kit.errors import ValidationFailed
from tests.helpers import Actor, Firm

TASKS = "/api/v1/task"
CASES = "/api/v1/cases"
GOALS = "/api/v2/goals"


def _random() -> str:
    return str(uuid.uuid4())


def _invalid(errors: dict[str, list[str]]) -> dict[str, Any]:
    messages = [m for field in errors.values() for m in field]
    rest = len(messages) - 1
    suffix = f" (and {rest} more error{'s' if rest > 1 else ''})" if rest else ""
    return {"message": messages[0] + suffix, "errors": errors}


async def _count(owner: Actor, path: str) -> int:
    response = await owner.get(path)
    assert response.status_code == 200, response.text
    return int(response.json()["meta"]["total"])


async def _status(owner: Actor) -> str:
    response = await owner.get("/api/v1/task-status")
    return str(response.json()["data"][0]["uuid"])


async def _rejected(
    owner: Actor, method: str, path: str, body: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    listing = path if method == "POST" else path.rsplit("/", 1)[0]
    before = await _count(owner, listing)
    response = await owner.request(method, path, json=body)
    assert (response.status_code, response.json()) == (422, _invalid(errors))
    assert await _count(owner, listing) == before


async def test_task_create(firm: Firm) -> None:
    body = {
        "name": 5,
        "taskable_type": "client",
        "taskable_uuid": _random(),
        "task_status_uuid": _random(),
        "assigned_to_uuids": [_random()],
    }
    errors = {
        "name": ["The name field must be a string."],
        "taskable_uuid": ["The selected taskable uuid is invalid."],
        "task_status_uuid": ["The selected task status uuid is invalid."],
        "assigned_to_uuids.0": ["The selected assigned to uuids.0 is invalid."],
    }
    await _rejected(firm.owner, "POST", TASKS, body, errors)


async def test_a_malformed_reference_gets_its_shape_error_only(firm: Firm) -> None:
    """No "required when taskable type is present" and no "selected ... is invalid"."""
    body = {
        "name": "Call",
        "taskable_type": "client",
        "taskable_uuid": "nope",
        "task_status_uuid": await _status(firm.owner),
        "group_uuids": [_random()],
    }
    errors = {
        "taskable_uuid": ["The taskable uuid field must be a valid UUID."],
        "group_uuids.0": ["The selected group uuids.0 is invalid."],
    }
    await _rejected(firm.owner, "POST", TASKS, body, errors)


async def test_task_update(firm: Firm) -> None:
    client = await firm.client_account()
    task = await firm.owner.created(
        TASKS,
        {
            "name": "Call",
            "taskable_type": "client",
            "taskable_uuid": client["uuid"],
            "task_status_uuid": await _status(firm.owner),
        },
    )
    body = {"group_uuids": [_random()], "due_at": "soon", "name": ""}
    errors = {
        "name": ["The name field is required."],
        "due_at": [
            "The due at field must be a date as YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or ISO 8601."
        ],
        "group_uuids.0": ["The selected group uuids.0 is invalid."],
    }
    await _rejected(firm.owner, "PUT", f"{TASKS}/{task['uuid']}", body, errors)
    shown = await firm.owner.get(f"{TASKS}/{task['uuid']}")
    assert shown.json()["name"] == "Call"


async def test_case_create(firm: Firm) -> None:
    body = {"name": 5, "participants": [_random()], "value": -1}
    errors = {
        "name": ["The name field must be a string."],
        "participants.0": ["The selected participants.0 is invalid."],
        "value": ["The value field must be at least 0."],
    }
    await _rejected(firm.owner, "POST", CASES, body, errors)


async def test_case_update_reports_in_field_order(firm: Firm) -> None:
    """The reference error of an earlier field comes before the shape error of a later."""
    client = await firm.client_account()
    case = await firm.owner.created(CASES, {"name": "Case", "participants": [client["uuid"]]})
    body = {"value": "x", "assigned_to_uuids": [client["uuid"]]}
    errors = {
        "assigned_to_uuids.0": ["The selected assigned to uuids.0 is invalid."],
        "value": ["The value field must be an integer."],
    }
    await _rejected(firm.owner, "PUT", f"{CASES}/{case['uuid']}", body, errors)


async def test_goal_update(firm: Firm) -> None:
    client = await firm.client_account()
    goal = await firm.goal([client["uuid"]], name="Kept")
    body = {"account_uuids": [firm.owner.account_uuid], "name": ""}
    errors = {
        "account_uuids.0": ["The selected account uuids.0 is invalid."],
        "name": ["The name field is required."],
    }
    await _rejected(firm.owner, "PUT", f"{GOALS}/{goal['uuid']}", body, errors)


async def test_a_handler_that_forgets_the_body_errors_still_answers_422() -> None:
    """The route class guards every endpoint taking ALL_RULES: a partial body that comes
    back without its errors raised is a 422 (and the request's transaction rolls back)."""

    async def forgetful(body: Annotated[CaseCreate, ALL_RULES]) -> str:
        return "stored"

    partial = TypeAdapter(Annotated[CaseCreate, ALL_RULES]).validate_python({"name": 5})
    with pytest.raises(ValidationFailed) as caught:
        await guarded(forgetful)(body=partial)
    assert caught.value.errors == {
        "name": ["The name field must be a string."],
        "participants": ["The participants field is required."],
    }
    valid = TypeAdapter(Annotated[CaseCreate, ALL_RULES]).validate_python(
        {"name": "Case", "participants": [str(uuid.uuid4())]}
    )
    assert await guarded(forgetful)(body=valid) == "stored"

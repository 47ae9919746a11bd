"""Replay of Plannr's task-status pages."""

from __future__ import annotations

from tests.helpers import Firm
from tests.replay.support import (
    BOOL,
    INT,
    STR,
    assert_list,
    check_types,
    page,
    round_trip,
)  # fmt: skip

CREATE = page("operation-postapiv1taskstatus")
CREATE_OLD = page("operation-post-api-v1-task-status")
UPDATE = page("operation-put-api-v1-task-status-parameter")
SHOW_TASK = page("operation-getapiv1taskuuid")  # the status example inside a task
STATUSES = "/api/v1/task-status"
STATUS = {"uuid": STR, "name": STR, "colour": STR, "position": INT, "is_type_completed": BOOL,
          "is_archived": BOOL, "is_not_started": BOOL, "created_at": STR,
          "updated_at": STR}  # fmt: skip


async def test_create_example(firm: Firm) -> None:
    """CREATE: name required, colour optional hex; 201 with the documented fields."""
    response = await firm.owner.post(STATUSES, {"name": "Incomplete", "colour": "#398898"})
    assert response.status_code == 201, response.text
    made = response.json()
    check_types(made, STATUS)
    assert (made["colour"], made["is_archived"]) == ("#398898", False)


async def test_flags_read_as_laravel_booleans(firm: Firm) -> None:
    """CREATE: the flags take 1 / "0" / "true" as Laravel's boolean rule does."""
    body = {"name": "Parked", "is_archived": 1, "is_type_completed": "0",
            "is_not_started": "true"}  # fmt: skip
    made = await firm.owner.created(STATUSES, body)
    assert (made["is_archived"], made["is_type_completed"], made["is_not_started"]) == (
        True, False, True)  # fmt: skip
    refused = await firm.owner.post(STATUSES, {"name": "X", "is_archived": "yes"})
    assert refused.json()["errors"] == {
        "is_archived": ["The is archived field must be true or false."]
    }


async def test_list_and_round_trip(firm: Firm) -> None:
    made = await firm.owner.created(STATUSES, {"name": "Waiting"})
    for item in assert_list(await firm.owner.get(STATUSES, params={"per_page": "500"}))["data"]:
        check_types(item, STATUS)
    await round_trip(firm.owner, f"{STATUSES}/{made['uuid']}")


async def test_update_example(firm: Firm) -> None:
    """UPDATE: name and colour change (position is left for the case below)."""
    made = await firm.owner.created(STATUSES, {"name": "Waiting"})
    body = {"name": "Incomplete", "colour": "#ff0000"}
    response = await firm.owner.put(f"{STATUSES}/{made['uuid']}", body)
    assert response.status_code == 200, response.text
    assert (response.json()["name"], response.json()["colour"]) == ("Incomplete", "#ff0000")


async def test_update_position(firm: Firm) -> None:
    """UPDATE: position moves the status; the others shift to make room, and a position
    past the last puts it last."""
    made = await firm.owner.created(STATUSES, {"name": "Waiting"})  # fourth, after the defaults
    body = {"name": "Incomplete", "colour": "#ff0000", "position": 1}
    response = await firm.owner.put(f"{STATUSES}/{made['uuid']}", body)
    assert response.status_code == 200, response.text
    assert response.json()["position"] == 1

    async def board() -> list[tuple[str, int]]:
        listed = assert_list(await firm.owner.get(STATUSES))["data"]
        return [(s["name"], s["position"]) for s in listed]

    expected = [("Incomplete", 1), ("Not Started", 2), ("In Progress", 3), ("Completed", 4)]
    assert await board() == expected
    moved = await firm.owner.put(f"{STATUSES}/{made['uuid']}", {"position": "9"})
    assert moved.json()["position"] == 4
    assert await board() == [("Not Started", 1), ("In Progress", 2), ("Completed", 3),
                             ("Incomplete", 4)]  # fmt: skip
    refused = await firm.owner.put(f"{STATUSES}/{made['uuid']}", {"position": 0})
    assert refused.json()["errors"] == {"position": ["The position field must be at least 1."]}

"""Task statuses: the defaults of a new firm, create, show, update and delete."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import FastAPI
from sqlalchemy import insert, select

from advisercrm.firms.service import insert_firm
from advisercrm.kit.render import Ctx, zone
from advisercrm.tables import task_statuses, tasks
from advisercrm.task_statuses import description, schemas
from advisercrm.task_statuses.repository import TaskStatusRepository
from tests.helpers import Firm
from tests.records_support import (
    NOT_FOUND,
    TASK_STATUSES,
    TIMESTAMP,
    UUID_RE,
    assert_body,
    listed,
    total,
    unknown,
)

KEYS = [
    "name",
    "uuid",
    "colour",
    "position",
    "created_at",
    "updated_at",
    "is_archived",
    "is_not_started",
    "is_type_completed",
]
RESOLVED = ("id", "uuid", "is_type_completed", "is_archived", "is_not_started")
DEFAULTS = [
    ("Not Started", "#9e9e9e", 1, False, True, False),
    ("In Progress", "#398898", 2, False, False, False),
    ("Completed", "#4caf50", 3, False, False, True),
]
CTX = Ctx(zone("Europe/London"), "GBP", "http://test/")


def path(status_uuid: str) -> str:
    return f"{TASK_STATUSES}/{status_uuid}"


def shape(data: dict[str, Any]) -> tuple[Any, ...]:
    """The resource's keys in order are exact; returns its values bar uuid and times."""
    assert list(data) == KEYS
    assert UUID_RE.match(data["uuid"])
    assert TIMESTAMP.match(data["created_at"]) and TIMESTAMP.match(data["updated_at"])
    return (
        data["name"],
        data["colour"],
        data["position"],
        data["is_archived"],
        data["is_not_started"],
        data["is_type_completed"],
    )


async def test_a_new_firm_starts_with_three_statuses(firm: Firm) -> None:
    response = await firm.owner.get(TASK_STATUSES)
    assert response.status_code == 200, response.text
    assert [shape(s) for s in response.json()["data"]] == DEFAULTS


async def test_create_with_defaults_appends_and_picks_a_colour(firm: Firm) -> None:
    data = await firm.owner.created(TASK_STATUSES, {"name": "Waiting on client"})
    assert shape(data) == ("Waiting on client", "#f44336", 4, False, False, False)
    assert data["created_at"] == data["updated_at"]
    second = await firm.owner.created(TASK_STATUSES, {"name": "Chasing"})
    assert shape(second) == ("Chasing", "#ff9800", 5, False, False, False)


async def test_create_with_every_field(firm: Firm) -> None:
    body = {
        "name": "Done (archived)",
        "colour": "#A1b2C3",
        "is_type_completed": True,
        "is_archived": True,
        "is_not_started": False,
        "position": 99,
        "unknown": "ignored",
    }
    data = await firm.owner.created(TASK_STATUSES, body)
    assert shape(data) == ("Done (archived)", "#A1b2C3", 4, True, False, True)
    shown = await firm.owner.get(path(data["uuid"]))
    assert_body(shown, 200, data)


async def test_null_colour_picks_one(firm: Firm) -> None:
    data = await firm.owner.created(TASK_STATUSES, {"name": "Review", "colour": None})
    assert data["colour"] == "#f44336"


async def test_show_unknown_or_malformed_is_404(firm: Firm) -> None:
    for ref in (unknown(), "not-a-uuid", "1"):
        assert_body(await firm.owner.get(path(ref)), 404, NOT_FOUND)


async def test_update_changes_only_given_fields(firm: Firm) -> None:
    made = await firm.owner.created(TASK_STATUSES, {"name": "Blocked", "colour": "#111111"})
    response = await firm.owner.put(path(made["uuid"]), {"is_archived": True})
    assert response.status_code == 200, response.text
    assert shape(response.json()) == ("Blocked", "#111111", 4, True, False, False)
    body = {"name": "Stuck", "colour": "#222222", "is_archived": False, "is_type_completed": True}
    response = await firm.owner.put(path(made["uuid"]), body)
    assert shape(response.json()) == ("Stuck", "#222222", 4, False, False, True)
    response = await firm.owner.put(path(made["uuid"]), {"colour": None, "is_archived": None})
    assert shape(response.json()) == ("Stuck", "#222222", 4, False, False, True)
    assert response.json()["created_at"] == made["created_at"]
    assert_body(await firm.owner.get(path(made["uuid"])), 200, response.json())


async def test_update_unknown_is_404(firm: Firm) -> None:
    assert_body(await firm.owner.put(path(unknown()), {"name": "x"}), 404, NOT_FOUND)
    assert_body(await firm.owner.put(path("nope"), {"name": "x"}), 404, NOT_FOUND)


async def test_delete_unused_status(firm: Firm) -> None:
    made = await firm.owner.created(TASK_STATUSES, {"name": "Temporary"})
    response = await firm.owner.delete(path(made["uuid"]))
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert_body(await firm.owner.get(path(made["uuid"])), 404, NOT_FOUND)
    assert_body(await firm.owner.delete(path(made["uuid"])), 404, NOT_FOUND)
    assert await total(firm.owner, TASK_STATUSES) == 3


async def _add_task(app: FastAPI, firm: Firm, status_uuid: str) -> None:
    """A task row written directly (the tasks API is built separately)."""
    client = await firm.client_account()
    client_id = await firm.account_id(client["uuid"])
    async with app.state.engine.begin() as conn:
        status_id = await _status_id(conn, firm, status_uuid)
        await conn.execute(
            insert(tasks).values(
                firm_id=firm.firm_id,
                name="Check details",
                taskable_type="client",
                client_id=client_id,
                status_id=status_id,
                position=1,
            )
        )


async def _status_id(conn: Any, firm: Firm, status_uuid: str) -> int:
    repo = TaskStatusRepository(conn, firm.firm_id)
    found = await repo.resolve([uuid.UUID(status_uuid)])
    return int(next(iter(found.values()))["id"])


async def test_a_status_in_use_cannot_be_deleted(app: FastAPI, firm: Firm) -> None:
    made = await firm.owner.created(TASK_STATUSES, {"name": "Busy"})
    await _add_task(app, firm, made["uuid"])
    response = await firm.owner.delete(path(made["uuid"]))
    assert_body(
        response, 409, {"message": "The task status is in use by tasks; archive it instead."}
    )
    assert_body(await firm.owner.get(path(made["uuid"])), 200, made)
    archived = await firm.owner.put(path(made["uuid"]), {"is_archived": True})
    assert archived.status_code == 200 and archived.json()["is_archived"] is True


async def test_repository_for_the_tasks_package(app: FastAPI, firm: Firm) -> None:
    statuses = await listed(firm.owner, TASK_STATUSES)
    archived_done = await firm.owner.created(
        TASK_STATUSES, {"name": "Old done", "is_type_completed": True, "is_archived": True}
    )
    wanted = [uuid.UUID(u) for u in [*statuses, archived_done["uuid"], unknown()]]
    async with app.state.engine.connect() as conn:
        repo = TaskStatusRepository(conn, firm.firm_id)
        found = await repo.resolve(wanted)
        assert set(found) == set(wanted[:4])
        assert all(set(row) == set(RESOLVED) for row in found.values())
        flags = {str(k): tuple(v[f] for f in RESOLVED[2:]) for k, v in found.items()}
        assert flags[statuses[0]] == (False, False, True)
        assert flags[statuses[2]] == (True, False, False)
        assert flags[archived_done["uuid"]] == (True, True, False)
        first = await repo.first_completed()
        assert first is not None and str(first["uuid"]) == statuses[2]
        ids = [int(found[u]["id"]) for u in wanted[:4]]
        loaded = await repo.load(ids)
        rendered = [schemas.task_status(loaded[i], CTX) for i in ids]
    listing = (await firm.owner.get(TASK_STATUSES)).json()["data"]
    assert rendered[:3] == listing[:3]
    assert rendered[3] == archived_done


async def test_no_completed_status_left(app: FastAPI, firm: Firm) -> None:
    done = (await listed(firm.owner, TASK_STATUSES))[2]
    await firm.owner.put(path(done), {"is_archived": True})
    async with app.state.engine.connect() as conn:
        assert await TaskStatusRepository(conn, firm.firm_id).first_completed() is None


async def test_create_defaults_on_an_empty_firm(app: FastAPI, firm: Firm) -> None:
    """create_defaults is what firm creation calls: three rows at positions 1..3."""
    async with app.state.engine.begin() as conn:
        firm_id, _ = await insert_firm(conn, "Empty", "GBP", "Europe/London")
        await description.create_defaults(conn, firm_id)
        ts = task_statuses
        rows = await conn.execute(
            select(ts.c.name, ts.c.colour, ts.c.position, ts.c.is_archived, ts.c.is_not_started)
            .add_columns(ts.c.is_type_completed)
            .where(ts.c.firm_id == firm_id)
            .order_by(ts.c.position)
        )
        assert [tuple(r) for r in rows] == DEFAULTS
        await conn.rollback()


async def test_concurrent_creates_never_share_a_position(firm: Firm) -> None:
    responses = await asyncio.gather(
        *(firm.owner.post(TASK_STATUSES, {"name": f"Race {i}"}) for i in range(8))
    )
    assert [r.status_code for r in responses] == [201] * 8
    assert sorted(r.json()["position"] for r in responses) == list(range(4, 12))

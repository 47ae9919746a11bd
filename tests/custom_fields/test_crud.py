"""Custom fields: create (references derived from names), show, update and delete."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi import FastAPI

from advisercrm.custom_fields import schemas
from advisercrm.custom_fields.repository import CustomFieldRepository
from advisercrm.kit.render import Ctx, zone
from tests.helpers import Firm
from tests.records_support import (
    CUSTOM_FIELDS,
    NOT_FOUND,
    TIMESTAMP,
    UUID_RE,
    assert_body,
    listed,
    total,
    unknown,
)

KEYS = [
    "uuid",
    "name",
    "type",
    "reference",
    "model_type",
    "is_required",
    "is_visible_to_clients",
    "help_text",
    "selection_options",
    "conditions",
    "position",
    "created_at",
    "updated_at",
]
CTX = Ctx(zone("Europe/London"), "GBP", "http://test/")


def path(field_uuid: str) -> str:
    return f"{CUSTOM_FIELDS}/{field_uuid}"


def values(data: dict[str, Any]) -> dict[str, Any]:
    """The resource's keys in order are exact; returns it without uuid and times."""
    assert list(data) == KEYS
    assert UUID_RE.match(data["uuid"])
    assert TIMESTAMP.match(data["created_at"]) and TIMESTAMP.match(data["updated_at"])
    return {k: v for k, v in data.items() if k not in ("uuid", "created_at", "updated_at")}


async def test_create_with_defaults(firm: Firm) -> None:
    data = await firm.owner.created(CUSTOM_FIELDS, {"type": "string", "name": "Favourite Pet"})
    assert values(data) == {
        "name": "Favourite Pet",
        "type": "string",
        "reference": "favourite_pet",
        "model_type": "task",
        "is_required": False,
        "is_visible_to_clients": False,
        "help_text": None,
        "selection_options": None,
        "conditions": [],
        "position": 1,
    }
    assert data["created_at"] == data["updated_at"]
    assert_body(await firm.owner.get(path(data["uuid"])), 200, data)


async def test_create_selection_with_every_field(firm: Firm) -> None:
    body = {
        "type": "selection",
        "name": "Favourite Drink",
        "model_type": "client",
        "is_required": True,
        "is_visible_to_clients": True,
        "help_text": "This is the client's favourite drink.",
        "selection_options": ["Coffee", "Tea", "Water"],
        "conditions": [{"attribute": "role", "values": ["individual", "joint"]}],
        "reference": "ignored",
        "position": 42,
    }
    data = await firm.owner.created(CUSTOM_FIELDS, body)
    assert values(data) == {
        "name": "Favourite Drink",
        "type": "selection",
        "reference": "favourite_drink",
        "model_type": "client",
        "is_required": True,
        "is_visible_to_clients": True,
        "help_text": "This is the client's favourite drink.",
        "selection_options": ["Coffee", "Tea", "Water"],
        "conditions": [{"attribute": "role", "values": ["individual", "joint"]}],
        "position": 1,
    }
    assert_body(await firm.owner.get(path(data["uuid"])), 200, data)


async def test_board_task_fields_are_definitions_of_their_own(firm: Firm) -> None:
    """A board_task field (Plannr's task-board cards) is defined, listed and shown like
    the others, among its own model type: its name, reference and position do not meet
    the task fields' ones, and its model type is fixed like theirs."""
    task = await firm.owner.created(CUSTOM_FIELDS, {"type": "string", "name": "Stage"})
    body = {"type": "boolean", "name": "Stage", "model_type": "board_task",
            "is_visible_to_clients": True}  # fmt: skip
    data = await firm.owner.created(CUSTOM_FIELDS, body)
    assert values(data) == {
        "name": "Stage",
        "type": "boolean",
        "reference": "stage",
        "model_type": "board_task",
        "is_required": False,
        "is_visible_to_clients": True,
        "help_text": None,
        "selection_options": None,
        "conditions": [],
        "position": 1,
    }
    assert_body(await firm.owner.get(path(data["uuid"])), 200, data)
    only = {"filter[model_type]": "board_task"}
    assert await listed(firm.owner, CUSTOM_FIELDS, **only) == [data["uuid"]]
    response = await firm.owner.put(path(task["uuid"]), {"model_type": "board_task"})
    fixed = "The model type field cannot be changed."
    assert_body(response, 422, {"message": fixed, "errors": {"model_type": [fixed]}})


@pytest.mark.parametrize("kind", ["string", "longtext", "number", "boolean", "datetime"])
async def test_every_plain_type(firm: Firm, kind: str) -> None:
    body = {"type": kind, "name": f"A {kind}", "selection_options": None}
    data = await firm.owner.created(CUSTOM_FIELDS, body)
    assert (data["type"], data["reference"], data["selection_options"]) == (
        kind,
        f"a_{kind}",
        None,
    )


async def test_references_are_unique_per_model_type(firm: Firm) -> None:
    made = [
        await firm.owner.created(CUSTOM_FIELDS, {"type": "string", "name": name, **extra})
        for name, extra in [
            ("Favourite Pet", {}),
            ("favourite pet", {}),
            ("Favourite-Pet!", {}),
            ("Favourite Pet", {"model_type": "case"}),
            ("Favourite Pet 2", {}),
            ("Café  Crème", {}),
            ("!!!", {}),
            ("  Leading and trailing  ", {}),
        ]
    ]
    assert [(m["reference"], m["model_type"], m["position"]) for m in made] == [
        ("favourite_pet", "task", 1),
        ("favourite_pet_2", "task", 2),
        ("favourite_pet_3", "task", 3),
        ("favourite_pet", "case", 1),
        ("favourite_pet_2_2", "task", 4),
        ("cafe_creme", "task", 5),
        ("field", "task", 6),
        ("leading_and_trailing", "task", 7),
    ]


async def test_a_freed_reference_is_reused(firm: Firm) -> None:
    first = await firm.owner.created(CUSTOM_FIELDS, {"type": "number", "name": "Score"})
    second = await firm.owner.created(CUSTOM_FIELDS, {"type": "number", "name": "score"})
    assert second["reference"] == "score_2"
    assert (await firm.owner.delete(path(first["uuid"]))).status_code == 204
    third = await firm.owner.created(CUSTOM_FIELDS, {"type": "number", "name": "SCORE"})
    assert (third["reference"], third["position"]) == ("score", 3)


async def test_update_changes_only_given_fields_and_keeps_the_reference(firm: Firm) -> None:
    body = {"type": "selection", "name": "Drink", "selection_options": ["Tea"], "help_text": "h"}
    made = await firm.owner.created(CUSTOM_FIELDS, body)
    response = await firm.owner.put(path(made["uuid"]), {"name": "Preferred Drink"})
    assert response.status_code == 200, response.text
    assert values(response.json()) == {**values(made), "name": "Preferred Drink"}
    change = {
        "is_required": True,
        "is_visible_to_clients": True,
        "conditions": [{"attribute": "type", "values": ["joint"]}],
        "help_text": None,
        "selection_options": ["Tea", "Coffee"],
        "type": "selection",
        "model_type": "task",
        "reference": "not_changed",
    }
    response = await firm.owner.put(path(made["uuid"]), change)
    assert response.status_code == 200, response.text
    assert values(response.json()) == {
        **values(made),
        "name": "Preferred Drink",
        "is_required": True,
        "is_visible_to_clients": True,
        "conditions": [{"attribute": "type", "values": ["joint"]}],
        "help_text": None,
        "selection_options": ["Tea", "Coffee"],
    }
    assert_body(await firm.owner.get(path(made["uuid"])), 200, response.json())
    # Null leaves the flag as it is and clears the conditions.
    cleared = await firm.owner.put(
        path(made["uuid"]), {"is_visible_to_clients": None, "conditions": None}
    )
    assert (cleared.json()["is_visible_to_clients"], cleared.json()["conditions"]) == (True, [])


async def test_malformed_conditions_are_refused_and_change_nothing(firm: Firm) -> None:
    made = await firm.owner.created(CUSTOM_FIELDS, {"type": "string", "name": "Cond"})
    response = await firm.owner.put(
        path(made["uuid"]), {"conditions": [{"attribute": "", "values": "x"}], "name": "New"}
    )
    assert_body(
        response,
        422,
        {
            "message": "The conditions.0.attribute field is required. (and 1 more error)",
            "errors": {
                "conditions.0.attribute": ["The conditions.0.attribute field is required."],
                "conditions.0.values": ["The conditions.0.values field must be an array."],
            },
        },
    )
    assert_body(await firm.owner.get(path(made["uuid"])), 200, made)


async def test_update_keeps_a_name_it_already_has(firm: Firm) -> None:
    made = await firm.owner.created(CUSTOM_FIELDS, {"type": "string", "name": "Same"})
    response = await firm.owner.put(path(made["uuid"]), {"name": "Same", "is_required": None})
    assert response.status_code == 200, response.text
    assert values(response.json()) == values(made)


async def test_plain_field_accepts_empty_options_on_update(firm: Firm) -> None:
    made = await firm.owner.created(CUSTOM_FIELDS, {"type": "boolean", "name": "Flag"})
    response = await firm.owner.put(path(made["uuid"]), {"selection_options": []})
    assert response.status_code == 200 and response.json()["selection_options"] is None


async def test_show_update_delete_unknown_are_404(firm: Firm) -> None:
    for ref in (unknown(), "nope"):
        assert_body(await firm.owner.get(path(ref)), 404, NOT_FOUND)
        assert_body(await firm.owner.put(path(ref), {"name": "x"}), 404, NOT_FOUND)
        assert_body(await firm.owner.delete(path(ref)), 404, NOT_FOUND)


async def test_delete(firm: Firm) -> None:
    made = await firm.owner.created(CUSTOM_FIELDS, {"type": "string", "name": "Gone"})
    response = await firm.owner.delete(path(made["uuid"]))
    assert (response.status_code, response.content) == (204, b"")
    assert_body(await firm.owner.get(path(made["uuid"])), 404, NOT_FOUND)
    assert await total(firm.owner, CUSTOM_FIELDS) == 0


async def test_repository_for_the_tasks_package(app: FastAPI, firm: Firm) -> None:
    task_fields = [
        await firm.owner.created(CUSTOM_FIELDS, {"type": "string", "name": n}) for n in "BA"
    ]
    await firm.owner.created(CUSTOM_FIELDS, {"type": "string", "name": "C", "model_type": "plan"})
    async with app.state.engine.connect() as conn:
        repo = CustomFieldRepository(conn, firm.firm_id)
        rows = await repo.for_model("task")
        assert [schemas.custom_field(r, CTX) for r in rows] == task_fields
        assert await repo.for_model("client") == []
        loaded = await repo.load([rows[1]["id"]])
        assert schemas.custom_field(loaded[rows[1]["id"]], CTX) == task_fields[1]
    assert await listed(firm.owner, CUSTOM_FIELDS, **{"filter[model_type]": "task"}) == [
        f["uuid"] for f in task_fields
    ]


async def test_concurrent_creates_get_distinct_references_and_positions(firm: Firm) -> None:
    names = ["Race Field", "race field", "RACE FIELD!", "Race-Field", "race  field", "Race_Field"]
    responses = await asyncio.gather(
        *(firm.owner.post(CUSTOM_FIELDS, {"type": "string", "name": n}) for n in names)
    )
    assert [r.status_code for r in responses] == [201] * 6
    made = [r.json() for r in responses]
    assert sorted(m["reference"] for m in made) == sorted(
        ["race_field", *(f"race_field_{n}" for n in range(2, 7))]
    )
    assert sorted(m["position"] for m in made) == list(range(1, 7))
    duplicates = await asyncio.gather(
        *(firm.owner.post(CUSTOM_FIELDS, {"type": "string", "name": "Once"}) for _ in range(4))
    )
    assert sorted(r.status_code for r in duplicates) == [201, 422, 422, 422]

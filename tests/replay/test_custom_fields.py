"""Replay of Plannr's custom-field pages."""

from __future__ import annotations

import pytest

from tests.helpers import Firm
from tests.replay.support import (
    BOOL,
    INT,
    NULL,
    STR,
    assert_list,
    check_types,
    page,
    round_trip,
)  # fmt: skip

LIST = page("operation-get-api-v1-custom-field")
CREATE = page("operation-postapiv1customfield")
UPDATE = page("operation-put-api-v1-custom-field-parameter")
SHOW = page("operation-get-api-v1-custom-field-parameter")
FIELDS_PATH = "/api/v1/custom-field"
FIELD = {"uuid": STR, "name": STR, "type": STR, "reference": STR, "model_type": STR,
         "is_required": BOOL, "help_text": (STR, NULL), "selection_options": (list, NULL),
         "position": INT, "created_at": STR, "updated_at": STR}  # fmt: skip
# The page's example sends type "string" with selection options and model_type "clients",
# which its own field list refuses (selection_options is for "selection"; "client" is
# the model type): the case keeps the field list's rules.
EXAMPLE = {"type": "selection", "name": "Favourite Drink", "is_required": True,
           "model_type": "client",
           "help_text": "This is the client's favourite drink. You should make it for them "
                        "before they arrive for meetings.",
           "selection_options": ["Tea", "Coffee", "Water"]}  # fmt: skip


@pytest.mark.parametrize(
    "query",
    [{"filter[uuid]": "5dd297d9-76a6-4cf8-8a12-41fe467a9dbc"}, {"filter[model_type]": "client"},
     *[{"sort": s} for s in ("created_at", "updated_at", "name", "model_type", "-position")],
     {"per_page": "500"}],
    ids=str,
)  # fmt: skip
async def test_documented_parameter_is_served(firm: Firm, query: dict[str, str]) -> None:
    """LIST"""
    await firm.owner.created(FIELDS_PATH, EXAMPLE)
    for item in assert_list(await firm.owner.get(FIELDS_PATH, params=query))["data"]:
        check_types(item, FIELD)


async def test_create_example_and_show(firm: Firm) -> None:
    """CREATE, SHOW"""
    made = await firm.owner.created(FIELDS_PATH, EXAMPLE)
    check_types(made, FIELD)
    assert made["reference"] == "favourite_drink"
    shown = await firm.owner.get(f"{FIELDS_PATH}/{made['uuid']}")
    assert shown.json() == made


async def test_laravel_boolean(firm: Firm) -> None:
    """CREATE: is_required read as Laravel reads a boolean ("1")."""
    made = await firm.owner.created(FIELDS_PATH, {"type": "string", "name": "N",
                                                  "is_required": "1"})  # fmt: skip
    assert made["is_required"] is True


async def test_newer_fields(firm: Firm) -> None:
    """CREATE / UPDATE: is_visible_to_clients, conditions, model_type board_task."""
    body = {"type": "string", "name": "V", "model_type": "board_task",
            "is_visible_to_clients": True}  # fmt: skip
    made = await firm.owner.created(FIELDS_PATH, body)
    assert made["is_visible_to_clients"] is True


async def test_update_position(firm: Firm) -> None:
    """UPDATE: position moves the field among its model type's fields."""
    a = await firm.owner.created(FIELDS_PATH, {"type": "string", "name": "A"})
    b = await firm.owner.created(FIELDS_PATH, {"type": "string", "name": "B"})
    other = await firm.owner.created(FIELDS_PATH, {"type": "string", "name": "C",
                                                    "model_type": "case"})  # fmt: skip
    moved = await firm.owner.put(f"{FIELDS_PATH}/{b['uuid']}", {"position": 1})
    assert moved.status_code == 200, moved.text
    listed = assert_list(await firm.owner.get(FIELDS_PATH, params={"filter[model_type]": "task"}))
    assert [(f["uuid"], f["position"]) for f in listed["data"]] == [(b["uuid"], 1), (a["uuid"], 2)]
    last = await firm.owner.put(f"{FIELDS_PATH}/{b['uuid']}", {"position": 5})
    assert last.json()["position"] == 2
    shown = (await firm.owner.get(f"{FIELDS_PATH}/{other['uuid']}")).json()
    assert shown["position"] == 1


async def test_round_trip(firm: Firm) -> None:
    made = await firm.owner.created(FIELDS_PATH, EXAMPLE)
    await round_trip(firm.owner, f"{FIELDS_PATH}/{made['uuid']}")

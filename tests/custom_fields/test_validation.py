"""Custom-field bodies: every rule broken gets the exact 422 body and changes nothing."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tests.records_support import (
    CUSTOM_FIELDS,
    DUPLICATE,
    HAS_NUL,
    INVALID,
    NOT_ARRAY,
    NOT_BOOL,
    NOT_STRING,
    REQUIRED,
    TOO_LONG_255,
    Cast,
    assert_body,
    assert_rejected,
    invalid,
    one_error,
    say,
    total,
)

TAKEN = "The :a has already been taken."
OPTIONS_REQUIRED = "The :a field is required when type is selection."
PROHIBITED = "The :a field is prohibited unless type is in selection."
FIXED = "The :a field cannot be changed."
_numbers = itertools.count(1)
SELECTION = {"type": "selection", "name": "Pick", "selection_options": ["A", "B"]}

CASES: list[tuple[dict[str, Any], str, str]] = [
    ({"type": None}, "type", REQUIRED),
    ({"type": "text"}, "type", INVALID),
    ({"type": 1}, "type", INVALID),
    ({"name": ""}, "name", REQUIRED),
    ({"name": None}, "name", REQUIRED),
    ({"name": "n" * 256}, "name", TOO_LONG_255),
    ({"name": 5}, "name", NOT_STRING),
    ({"name": "a\u0000b"}, "name", HAS_NUL),
    # PostgreSQL's text refuses NUL: a condition carrying one is the body's fault, not a 500.
    ({"conditions": [{"attribute": "a\u0000", "values": []}]}, "conditions.0.attribute", HAS_NUL),
    ({"conditions": [{"attribute": "a", "values": ["\u0000b"]}]}, "conditions.0.values.0", HAS_NUL),
    ({"model_type": "goal"}, "model_type", INVALID),
    ({"model_type": None}, "model_type", REQUIRED),
    ({"is_required": "yes"}, "is_required", NOT_BOOL),
    ({"is_required": None}, "is_required", NOT_BOOL),
    (
        {"help_text": "h" * 1001},
        "help_text",
        "The :a field must not be greater than 1000 characters.",
    ),
    ({"help_text": 5}, "help_text", NOT_STRING),
    ({"selection_options": ["A"]}, "selection_options", PROHIBITED),
    ({"selection_options": "A"}, "selection_options", NOT_ARRAY),
    ({**SELECTION, "selection_options": None}, "selection_options", OPTIONS_REQUIRED),
    ({**SELECTION, "selection_options": []}, "selection_options", OPTIONS_REQUIRED),
    ({"type": "selection"}, "selection_options", OPTIONS_REQUIRED),
    ({**SELECTION, "selection_options": ["A", ""]}, "selection_options.1", REQUIRED),
    ({**SELECTION, "selection_options": ["A", "  "]}, "selection_options.1", REQUIRED),
    ({**SELECTION, "selection_options": ["A", 1]}, "selection_options.1", NOT_STRING),
    ({**SELECTION, "selection_options": ["A", "o" * 256]}, "selection_options.1", TOO_LONG_255),
    ({**SELECTION, "selection_options": ["A", "B", "A"]}, "selection_options.2", DUPLICATE),
    (
        {**SELECTION, "selection_options": [str(i) for i in range(101)]},
        "selection_options",
        "The :a field must not have more than 100 items.",
    ),
]


@pytest.mark.parametrize(("overrides", "key", "template"), CASES, ids=lambda v: repr(v)[:40])
async def test_create_rule(shop: Cast, overrides: dict[str, Any], key: str, template: str) -> None:
    before = await total(shop.owner, CUSTOM_FIELDS)
    body = {"type": "string", "name": "Valid", **overrides}
    response = await shop.owner.post(CUSTOM_FIELDS, body)
    expected = one_error(key, template)
    await assert_rejected(shop.owner, response, 422, expected, CUSTOM_FIELDS, before)


async def test_missing_fields_each_required_in_order(shop: Cast) -> None:
    before = await total(shop.owner, CUSTOM_FIELDS)
    response = await shop.owner.post(CUSTOM_FIELDS, {"help_text": 1})
    errors = {
        "type": [say(REQUIRED, "type")],
        "name": [say(REQUIRED, "name")],
        "help_text": [say(NOT_STRING, "help_text")],
    }
    await assert_rejected(shop.owner, response, 422, invalid(errors), CUSTOM_FIELDS, before)


async def test_name_taken_and_options_reported_together(shop: Cast) -> None:
    await shop.owner.created(CUSTOM_FIELDS, {"type": "string", "name": "Taken Name"})
    before = await total(shop.owner, CUSTOM_FIELDS)
    body = {"type": "selection", "name": "Taken Name", "selection_options": ["x", "y", "x"]}
    response = await shop.owner.post(CUSTOM_FIELDS, body)
    errors = {
        "name": ["The name has already been taken."],
        "selection_options.2": [say(DUPLICATE, "selection_options.2")],
    }
    await assert_rejected(shop.owner, response, 422, invalid(errors), CUSTOM_FIELDS, before)


async def test_same_name_on_another_model_type_is_fine(shop: Cast) -> None:
    await shop.owner.created(CUSTOM_FIELDS, {"type": "string", "name": "Shared Name"})
    made = await shop.owner.created(
        CUSTOM_FIELDS, {"type": "string", "name": "Shared Name", "model_type": "plan"}
    )
    assert made["reference"] == "shared_name"


async def _made(shop: Cast, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    made = await shop.owner.created(CUSTOM_FIELDS, body)
    return f"{CUSTOM_FIELDS}/{made['uuid']}", made


UPDATE_CASES: list[tuple[dict[str, Any], dict[str, list[str]]]] = [
    ({"name": None}, {"name": [say(REQUIRED, "name")]}),
    ({"type": "string"}, {"type": [say(FIXED, "type")]}),
    ({"type": None}, {"type": [say(REQUIRED, "type")]}),
    ({"model_type": "case"}, {"model_type": [say(FIXED, "model_type")]}),
    (
        {"selection_options": None},
        {"selection_options": [say(OPTIONS_REQUIRED, "selection_options")]},
    ),
    (
        {"selection_options": []},
        {"selection_options": [say(OPTIONS_REQUIRED, "selection_options")]},
    ),
    (
        {"selection_options": ["a", "a"]},
        {"selection_options.1": [say(DUPLICATE, "selection_options.1")]},
    ),
    (
        # Every rule at once: a shape error does not hide the fixed fields.
        {"type": "number", "model_type": "plan", "help_text": "h" * 1001},
        {
            "type": [say(FIXED, "type")],
            "model_type": [say(FIXED, "model_type")],
            "help_text": ["The help text field must not be greater than 1000 characters."],
        },
    ),
    (
        {"type": "number", "model_type": "plan"},
        {"type": [say(FIXED, "type")], "model_type": [say(FIXED, "model_type")]},
    ),
]


@pytest.mark.parametrize(("body", "errors"), UPDATE_CASES, ids=lambda v: repr(v)[:40])
async def test_update_rule(shop: Cast, body: dict[str, Any], errors: dict[str, list[str]]) -> None:
    path, made = await _made(shop, {**SELECTION, "name": f"Sel {next(_numbers)}"})
    assert_body(await shop.owner.put(path, body), 422, invalid(errors))
    assert_body(await shop.owner.get(path), 200, made)


async def test_update_name_taken_and_options_prohibited(shop: Cast) -> None:
    await shop.owner.created(CUSTOM_FIELDS, {"type": "string", "name": "Existing"})
    path, made = await _made(shop, {"type": "string", "name": "Other"})
    response = await shop.owner.put(path, {"name": "Existing", "selection_options": ["a"]})
    errors = {
        "name": ["The name has already been taken."],
        "selection_options": [say(PROHIBITED, "selection_options")],
    }
    assert_body(response, 422, invalid(errors))
    assert_body(await shop.owner.get(path), 200, made)


@pytest.mark.parametrize(
    "extremes",
    [
        {"name": "n" * 255, "help_text": "h" * 1000},
        {"type": "selection", "selection_options": [f"o{i}" for i in range(100)]},
        {"type": "selection", "selection_options": ["o" * 255, "O" * 255, "a", "A"]},
        {"help_text": None, "is_required": True, "unknown": [1, 2]},
    ],
    ids=lambda v: ",".join(v)[:40],
)
async def test_boundary_values_are_accepted(shop: Cast, extremes: dict[str, Any]) -> None:
    body = {"type": "string", "name": f"Boundary {next(_numbers)}", **extremes}
    response = await shop.owner.post(CUSTOM_FIELDS, body)
    assert response.status_code == 201, response.text


async def test_update_reports_every_error_in_field_order(shop: Cast) -> None:
    await shop.owner.created(CUSTOM_FIELDS, {"type": "string", "name": "First Taken"})
    path, made = await _made(shop, {"type": "string", "name": "Second"})
    body = {"model_type": "case", "name": "First Taken", "type": "number"}
    errors = {
        "type": [say(FIXED, "type")],
        "name": ["The name has already been taken."],
        "model_type": [say(FIXED, "model_type")],
    }
    assert_body(await shop.owner.put(path, body), 422, invalid(errors))
    assert_body(await shop.owner.get(path), 200, made)

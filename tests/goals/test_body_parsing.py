"""POST /api/v2/goals with bodies that are not a JSON object of the right text: raw
bytes, broken JSON, other JSON values, nothing at all, too much."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.goals.support import (
    MALFORMED,
    assert_rejected,
    goal_count,
    goal_path,
    one_error,
    post_raw,
)
from tests.helpers import Firm

MIB = 1024 * 1024
UTF8 = "The {} field must be valid UTF-8 text."


def _raw(body: dict[str, Any], **raw_fields: str) -> bytes:
    """The body as ASCII JSON, with some fields spliced in as raw JSON text."""
    text = json.dumps(body)[:-1]
    for name, value in raw_fields.items():
        text += f', "{name}": {value}'
    return (text + "}").encode()


@pytest.mark.parametrize("field", ["name", "description", "timeframe"])
async def test_lone_surrogate_is_a_422_naming_the_field(
    shared_firm: Firm, valid_body: dict[str, Any], field: str
) -> None:
    body = {k: v for k, v in valid_body.items() if k != field}
    before = await goal_count(shared_firm.owner)
    response = await post_raw(shared_firm.owner, _raw(body, **{field: r'"a\ud800b"'}))
    expected = one_error(field, UTF8.format(field))
    await assert_rejected(shared_firm.owner, response, 422, expected, before)


async def test_lone_surrogate_in_an_owner_uuid(
    shared_firm: Firm, valid_body: dict[str, Any]
) -> None:
    body = {"name": "x"}
    content = _raw(body, account_uuids=r'["\udc00"]')
    before = await goal_count(shared_firm.owner)
    response = await post_raw(shared_firm.owner, content)
    expected = one_error("account_uuids.0", "The account uuids.0 field must be a valid UUID.")
    await assert_rejected(shared_firm.owner, response, 422, expected, before)


async def test_nul_in_several_fields_names_each(
    shared_firm: Firm, valid_body: dict[str, Any]
) -> None:
    body = {**valid_body, "name": "a\u0000b", "timeframe": "\u0000"}
    before = await goal_count(shared_firm.owner)
    response = await shared_firm.owner.post("/api/v2/goals", body)
    expected = {
        "message": "The name field must not contain NUL characters. (and 1 more error)",
        "errors": {
            "name": ["The name field must not contain NUL characters."],
            "timeframe": ["The timeframe field must not contain NUL characters."],
        },
    }
    await assert_rejected(shared_firm.owner, response, 422, expected, before)


@pytest.mark.parametrize(
    "content",
    [
        b'{"name": "\xff\xfe"}',
        b"\xc3\x28",
        b'{"name": ',
        b"{'name': 'x'}",
        b'{"name": "x",}',
        b"nul\x00",
        b"[" * 10_000 + b"]" * 10_000,
    ],
    ids=[
        "latin1-in-string",
        "bad-utf8",
        "truncated",
        "single-quotes",
        "trailing-comma",
        "nul",
        "deep",
    ],
)
async def test_undecodable_body_is_400(shared_firm: Firm, content: bytes) -> None:
    before = await goal_count(shared_firm.owner)
    response = await post_raw(shared_firm.owner, content)
    await assert_rejected(shared_firm.owner, response, 400, MALFORMED, before)


@pytest.mark.parametrize("content", [b"[]", b'["a"]', b'"x"', b"1", b"true", b"null"])
async def test_json_that_is_not_an_object_is_422(shared_firm: Firm, content: bytes) -> None:
    before = await goal_count(shared_firm.owner)
    response = await post_raw(shared_firm.owner, content)
    assert response.status_code == 422, response.text
    assert response.json()["message"]
    assert await goal_count(shared_firm.owner) == before


async def test_array_body_names_the_body(shared_firm: Firm) -> None:
    response = await post_raw(shared_firm.owner, b'[{"name": "x"}]')
    expected = one_error("body", "The body field must be an object.")
    await assert_rejected(shared_firm.owner, response, 422, expected, 0)


@pytest.mark.parametrize("content", [b"", b"{}"])
async def test_empty_body_names_the_required_fields(shared_firm: Firm, content: bytes) -> None:
    response = await post_raw(shared_firm.owner, content)
    expected = {
        "message": "The account uuids field is required. (and 1 more error)",
        "errors": {
            "account_uuids": ["The account uuids field is required."],
            "name": ["The name field is required."],
        },
    }
    await assert_rejected(shared_firm.owner, response, 422, expected, 0)


async def test_body_over_one_mib_is_413(shared_firm: Firm, valid_body: dict[str, Any]) -> None:
    content = _raw(valid_body, description=json.dumps("d" * MIB))
    before = await goal_count(shared_firm.owner)
    response = await post_raw(shared_firm.owner, content)
    assert response.status_code == 413, response.text
    assert await goal_count(shared_firm.owner) == before
    # Every error body is JSON with a message.
    assert response.headers["content-type"].startswith("application/json"), response.text
    assert response.json() == {"message": "The request body is too large."}


async def test_body_just_under_the_limit_is_read(
    shared_firm: Firm, valid_body: dict[str, Any]
) -> None:
    """Close to 1 MiB is still parsed: the field rule, not the size limit, rejects it."""
    content = _raw(valid_body, description=json.dumps("d" * (MIB - 200)))
    assert len(content) <= MIB
    response = await post_raw(shared_firm.owner, content)
    expected = one_error(
        "description", "The description field must not be greater than 5000 characters."
    )
    await assert_rejected(shared_firm.owner, response, 422, expected, 0)


async def test_update_body_parsing(firm: Firm) -> None:
    client = await firm.client_account()
    goal = await firm.goal([client["uuid"]], name="Kept")
    path = goal_path(goal["uuid"])
    bad_json = await post_raw(firm.owner, b'{"name": ', method="PUT", path=path)
    assert (bad_json.status_code, bad_json.json()) == (400, MALFORMED)
    surrogate = await post_raw(firm.owner, b'{"name": "\\ud800"}', method="PUT", path=path)
    assert surrogate.status_code == 422, surrogate.text
    assert surrogate.json() == one_error("name", UTF8.format("name"))
    array = await post_raw(firm.owner, b"[]", method="PUT", path=path)
    assert array.status_code == 422, array.text
    too_big = await post_raw(firm.owner, b'{"name": "' + b"n" * MIB + b'"}', "PUT", path)
    assert too_big.status_code == 413
    after = await firm.owner.get(path)
    assert after.json()["name"] == "Kept"

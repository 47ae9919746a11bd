"""A request body is read as JSON only when it is declared so: any other body gets a 415
that names the header to send, and changes nothing; an empty body is still read as an
empty object whatever its type."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers import Actor, Firm

GOALS = "/api/v2/goals"
NOT_JSON = {
    "message": "The request body must be JSON, sent with the header Content-Type: application/json."
}


async def goal_total(actor: Actor) -> int:
    response = await actor.get(GOALS)
    assert response.status_code == 200, response.text
    return int(response.json()["meta"]["total"])


async def send(actor: Actor, method: str, path: str, body: bytes, kind: str | None) -> Any:
    headers = {"Content-Type": kind} if kind is not None else {}
    return await actor.request(method, path, content=body, headers=headers)


@pytest.mark.parametrize(
    "kind",
    [None, "application/x-www-form-urlencoded", "text/plain", "multipart/form-data", "text/json"],
)
async def test_a_json_body_not_declared_as_json_is_415(firm: Firm, kind: str | None) -> None:
    client = await firm.client_account()
    body = json.dumps({"account_uuids": [client["uuid"]], "name": "Retire"}).encode()
    response = await send(firm.owner, "POST", GOALS, body, kind)
    assert (response.status_code, response.json()) == (415, NOT_JSON)
    assert await goal_total(firm.owner) == 0


async def test_an_update_not_declared_as_json_is_415_and_changes_nothing(firm: Firm) -> None:
    client = await firm.client_account()
    goal = await firm.goal([client["uuid"]], name="Kept")
    path = f"{GOALS}/{goal['uuid']}"
    form = "application/x-www-form-urlencoded"
    for body in (b'{"name": "Changed"}', b"name=Changed"):
        response = await send(firm.owner, "PUT", path, body, form)
        assert (response.status_code, response.json()) == (415, NOT_JSON)
    assert (await firm.owner.get(path)).json()["name"] == "Kept"


@pytest.mark.parametrize(
    "kind", ["application/json", "application/json; charset=utf-8", "application/vnd.api+json"]
)
async def test_every_json_media_type_is_read(firm: Firm, kind: str) -> None:
    client = await firm.client_account()
    body = json.dumps({"account_uuids": [client["uuid"]], "name": "Retire"}).encode()
    response = await send(firm.owner, "POST", GOALS, body, kind)
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "Retire"


@pytest.mark.parametrize("kind", [None, "application/x-www-form-urlencoded"])
async def test_an_empty_body_of_any_type_names_the_required_fields(
    firm: Firm, kind: str | None
) -> None:
    response = await send(firm.owner, "POST", GOALS, b"", kind)
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == {
        "account_uuids": ["The account uuids field is required."],
        "name": ["The name field is required."],
    }


async def test_a_json_value_that_is_not_an_object_stays_a_422(firm: Firm) -> None:
    response = await send(firm.owner, "POST", GOALS, b"[]", "application/json")
    assert (response.status_code, response.json()) == (
        422,
        {
            "message": "The body field must be an object.",
            "errors": {"body": ["The body field must be an object."]},
        },
    )

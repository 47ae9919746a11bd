"""POST /api/v2/goals: the UUIDs a body names must be records of the acting firm of the
right kind, checked as `field.index` with the exact 422 body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.goals.support import GOALS, assert_rejected, goal_count, invalid, random_uuid
from tests.helpers import Firm, new_firm

SELECTED = "The selected {} is invalid."
DUPLICATE = "The {} field has a duplicate value."
NO_OWNER = "The {} circle must contain at least one of the goal's owners."


@dataclass
class World:
    firm: Firm
    client: str
    other_client: str
    employee: str
    introducer: str
    circle: str
    circle_without_owner: str
    foreign_client: str
    foreign_circle: str


@pytest.fixture(scope="module")
async def world(app: FastAPI, client: httpx.AsyncClient) -> World:
    firm, foreign = await new_firm(app, client), await new_firm(app, client)
    owner, other, third = [(await firm.client_account())["uuid"] for _ in range(3)]
    introducer = await firm.owner.created(
        "/api/v1/account",
        {"type": "external", "role": "introducer", "first_name": "In", "last_name": "Tro"},
    )
    foreign_clients = [(await foreign.client_account())["uuid"] for _ in range(2)]
    return World(
        firm=firm,
        client=owner,
        other_client=other,
        employee=firm.owner.account_uuid,
        introducer=introducer["uuid"],
        circle=(await firm.circle([owner, other]))["uuid"],
        circle_without_owner=(await firm.circle([other, third]))["uuid"],
        foreign_client=foreign_clients[0],
        foreign_circle=(await foreign.circle(foreign_clients))["uuid"],
    )


def _owners_case(owners: list[str]) -> dict[str, Any]:
    return {"account_uuids": owners, "name": "Goal"}


async def _rejected(w: World, body: dict[str, Any], errors: dict[str, list[str]]) -> None:
    before = await goal_count(w.firm.owner)
    response = await w.firm.owner.post(GOALS, body)
    await assert_rejected(w.firm.owner, response, 422, invalid(errors), before)


@pytest.mark.parametrize("kind", ["employee", "introducer", "unknown", "foreign_client"])
async def test_owner_must_be_a_client_of_the_firm(world: World, kind: str) -> None:
    bad = random_uuid() if kind == "unknown" else getattr(world, kind)
    body = _owners_case([world.client, bad])
    await _rejected(world, body, {"account_uuids.1": [SELECTED.format("account uuids.1")]})


async def test_a_circle_is_not_an_owner(world: World) -> None:
    body = _owners_case([world.circle])
    await _rejected(world, body, {"account_uuids.0": [SELECTED.format("account uuids.0")]})


async def test_duplicate_owner(world: World) -> None:
    body = _owners_case([world.client, world.other_client, world.client])
    await _rejected(world, body, {"account_uuids.2": [DUPLICATE.format("account uuids.2")]})


async def test_duplicate_owner_in_other_case(world: World) -> None:
    body = _owners_case([world.client, world.client.upper()])
    await _rejected(world, body, {"account_uuids.1": [DUPLICATE.format("account uuids.1")]})


async def test_every_bad_owner_is_reported(world: World) -> None:
    owners = [world.employee, world.client, world.introducer, world.client, world.foreign_client]
    errors = {
        "account_uuids.0": [SELECTED.format("account uuids.0")],
        "account_uuids.2": [SELECTED.format("account uuids.2")],
        "account_uuids.3": [DUPLICATE.format("account uuids.3")],
        "account_uuids.4": [SELECTED.format("account uuids.4")],
    }
    await _rejected(world, _owners_case(owners), errors)


def _circles_case(w: World, circles: list[str]) -> dict[str, Any]:
    return {"account_uuids": [w.client], "name": "Goal", "visible_to_circles_uuids": circles}


async def test_circle_must_contain_an_owner(world: World) -> None:
    body = _circles_case(world, [world.circle, world.circle_without_owner])
    key = "visible_to_circles_uuids.1"
    await _rejected(world, body, {key: [NO_OWNER.format("visible to circles uuids.1")]})


@pytest.mark.parametrize("kind", ["unknown", "foreign_circle", "client"])
async def test_circle_must_be_a_circle_of_the_firm(world: World, kind: str) -> None:
    bad = random_uuid() if kind == "unknown" else getattr(world, kind)
    body = _circles_case(world, [bad])
    key = "visible_to_circles_uuids.0"
    await _rejected(world, body, {key: [SELECTED.format("visible to circles uuids.0")]})


async def test_duplicate_circle(world: World) -> None:
    body = _circles_case(world, [world.circle, world.circle])
    key = "visible_to_circles_uuids.1"
    await _rejected(world, body, {key: [DUPLICATE.format("visible to circles uuids.1")]})


async def test_owner_and_circle_errors_together(world: World) -> None:
    body = {
        "account_uuids": [world.employee, world.client],
        "name": "Goal",
        "visible_to_circles_uuids": [world.foreign_circle, world.circle_without_owner],
    }
    errors = {
        "account_uuids.0": [SELECTED.format("account uuids.0")],
        "visible_to_circles_uuids.0": [SELECTED.format("visible to circles uuids.0")],
        "visible_to_circles_uuids.1": [NO_OWNER.format("visible to circles uuids.1")],
    }
    await _rejected(world, body, errors)


async def test_shape_and_reference_errors_are_reported_together(world: World) -> None:
    """Every violated rule of a request is reported, not just the first
    stage's. A bad name must not hide an employee named as owner."""
    body = {"account_uuids": [world.employee], "name": ""}
    errors = {
        "account_uuids.0": [SELECTED.format("account uuids.0")],
        "name": ["The name field is required."],
    }
    await _rejected(world, body, errors)


async def test_circle_containing_any_one_owner_is_accepted(firm: Firm) -> None:
    first, second = (await firm.client_account())["uuid"], (await firm.client_account())["uuid"]
    third = (await firm.client_account())["uuid"]
    circle = await firm.circle([second, third])
    goal = await firm.goal([first, second], visible_to_circles_uuids=[circle["uuid"]])
    assert [c["uuid"] for c in goal["visible_to_circles"]] == [circle["uuid"]]
    assert await goal_count(firm.owner) == 1

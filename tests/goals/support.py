"""Shared helpers of the goals tests: the routes, the goal count, expected 422 bodies."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.accounts.support import ACCOUNT_KEYS  # noqa: F401 - shared by the tests importing it here
from tests.helpers import Actor, Firm

GOALS = "/api/v2/goals"
UNAUTHORIZED = {"message": "This action is unauthorized."}
NOT_FOUND = {"message": "Not found."}
MALFORMED = {"message": "Malformed JSON body."}
TIMESTAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$"

GOAL_KEYS = {
    "uuid",
    "created_at",
    "updated_at",
    "name",
    "description",
    "target_amount",
    "progress",
    "timeframe",
    "complete_goal_by",
    "priority",
    "shared_owner_type",
    "shared_owner",
    "show_on_circles",
    "accounts",
    "visible_to_circles",
}
CIRCLE_KEYS = {
    "uuid", "name", "accounts", "groups", "created_at", "updated_at", "bg_colour", "photo_url",
    "joint_account_uuid", "external_references", "current_life_stage_uuid",
}  # fmt: skip


def goal_path(goal_uuid: str) -> str:
    return f"{GOALS}/{goal_uuid}"


def client_goals_path(client_uuid: str, goal_uuid: str | None = None) -> str:
    path = f"/api/v1/client/{client_uuid}/goal"
    return f"{path}/{goal_uuid}" if goal_uuid else path


def random_uuid() -> str:
    return str(uuid.uuid4())


def invalid(errors: dict[str, list[str]]) -> dict[str, Any]:
    """The 422 body Laravel gives for these errors (first message, count of the rest)."""
    messages = [m for field in errors.values() for m in field]
    rest = len(messages) - 1
    suffix = f" (and {rest} more error{'s' if rest > 1 else ''})" if rest else ""
    return {"message": messages[0] + suffix, "errors": errors}


def one_error(field: str, sentence: str) -> dict[str, Any]:
    return invalid({field: [sentence]})


async def goal_count(actor: Actor) -> int:
    response = await actor.get(GOALS, params={"per_page": "1"})
    assert response.status_code == 200, response.text
    return int(response.json()["meta"]["total"])


async def uuids_listed(actor: Actor, path: str = GOALS, **params: str) -> list[str]:
    response = await actor.get(path, params={"per_page": "500", **params})
    assert response.status_code == 200, response.text
    return [item["uuid"] for item in response.json()["data"]]


async def post_raw(actor: Actor, content: bytes, method: str = "POST", path: str = GOALS) -> Any:
    headers = {"content-type": "application/json"}
    return await actor.request(method, path, content=content, headers=headers)


async def assert_rejected(
    actor: Actor, response: httpx.Response, status: int, body: dict[str, Any], before: int
) -> None:
    """The exact status and body, and no goal created."""
    assert response.status_code == status, response.text
    assert response.json() == body
    assert await goal_count(actor) == before


async def joint_client(firm: Firm, role: str = "joint") -> dict[str, Any]:
    """A shared client (joint, trust or business) owned by two new individuals."""
    first, second = await firm.client_account(), await firm.client_account()
    body = {"role": role, "name": "A & B", "owner_uuids": [first["uuid"], second["uuid"]]}
    return await firm.owner.created("/api/v1/client", body)

"""Shared by the tag suites: paths, the tag's keys, and requests to tag records."""

from __future__ import annotations

from typing import Any

from tests.helpers import Actor

TAGS = "/api/v1/tag"
TAG_KEYS = {"uuid", "name", "slug", "colour", "created_at", "updated_at"}
# Each kind of record that carries tags: its list's path and the taggable_type naming it.
LISTS = {
    "accounts": ("/api/v1/account", "account"),
    "clients": ("/api/v1/client", "account"),
    "cases": ("/api/v1/cases", "case"),
    "plans": ("/api/v1/plans", "plan"),
}


def tagging(mode: str, kind: str, record: str, tags: list[Any]) -> dict[str, Any]:
    return {"mode": mode, "taggable_type": kind, "taggable_uuid": record, "tags": tags}


async def tag(
    actor: Actor, mode: str, kind: str, record: str, tags: list[Any]
) -> list[dict[str, Any]]:
    """Tag a record (200 expected); the tags the answer lists."""
    response = await actor.post(TAGS, json=tagging(mode, kind, record, tags))
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"data"}
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def names(tags: list[dict[str, Any]]) -> list[str]:
    return [t["name"] for t in tags]

"""The per-client v1 reads: GET /api/v1/client/{client_uuid}/goal[/{uuid}]."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from tests.goals.support import NOT_FOUND, client_goals_path, goal_path, joint_client, random_uuid
from tests.helpers import Firm, new_firm


@dataclass
class Data:
    firm: Firm
    alice: str
    bob: str
    joint: str
    idle: str
    alone: str  # alice's own goal
    both: str  # alice and bob
    bobs: str  # bob's own goal
    joints: str  # the joint client's goal


@pytest.fixture(scope="module")
async def data(app: FastAPI, client: httpx.AsyncClient) -> Data:
    firm = await new_firm(app, client)
    alice, bob, idle = [(await firm.client_account())["uuid"] for _ in range(3)]
    joint = (await joint_client(firm))["uuid"]
    alone = (await firm.goal([alice], name="Alone", priority=2))["uuid"]
    both = (await firm.goal([bob, alice], name="Both", priority=4))["uuid"]
    bobs = (await firm.goal([bob], name="Bob's"))["uuid"]
    joints = (await firm.goal([joint], name="Joint"))["uuid"]
    return Data(firm, alice, bob, joint, idle, alone, both, bobs, joints)


async def _listed(data: Data, client_uuid: str, **params: str) -> list[str]:
    response = await data.firm.owner.get(client_goals_path(client_uuid), params=params)
    assert response.status_code == 200, response.text
    return [g["uuid"] for g in response.json()["data"]]


async def test_lists_the_goals_the_client_owns(data: Data) -> None:
    assert await _listed(data, data.alice) == [data.alone, data.both]
    assert await _listed(data, data.bob) == [data.both, data.bobs]
    assert await _listed(data, data.joint) == [data.joints]
    assert await _listed(data, data.idle) == []


async def test_the_owners_of_a_joint_client_do_not_inherit_its_goals(data: Data) -> None:
    shared = (await data.firm.owner.get(f"/api/v1/client/{data.joint}")).json()
    for owner in shared["owners"]:
        assert data.joints not in await _listed(data, owner["uuid"])


async def test_list_body_is_paginated_and_filterable(data: Data) -> None:
    path = client_goals_path(data.alice)
    response = await data.firm.owner.get(path, params={"per_page": "1", "sort": "-priority"})
    body = response.json()
    assert [g["uuid"] for g in body["data"]] == [data.both]
    link = f"http://test{path}?per_page=1&sort=-priority&"
    assert body["meta"] == {
        "current_page": 1,
        "from": 1,
        "last_page": 2,
        "links": [
            {"url": None, "label": "&laquo; Previous", "active": False},
            {"url": f"{link}page=1", "label": "1", "active": True},
            {"url": f"{link}page=2", "label": "2", "active": False},
            {"url": f"{link}page=2", "label": "Next &raquo;", "active": False},
        ],
        "path": f"http://test{path}",
        "per_page": 1,
        "to": 1,
        "total": 2,
    }
    assert body["links"]["next"] == f"http://test{path}?per_page=1&sort=-priority&page=2"
    assert await _listed(data, data.alice, **{"filter[name]": "alo"}) == [data.alone]
    unknown = await data.firm.owner.get(path, params={"filter[nope]": "1"})
    assert unknown.status_code == 400


async def test_show_matches_the_v2_resource(data: Data) -> None:
    for client_uuid in (data.alice, data.bob):
        response = await data.firm.owner.get(client_goals_path(client_uuid, data.both))
        assert response.status_code == 200
        assert response.json() == (await data.firm.owner.get(goal_path(data.both))).json()


@pytest.mark.parametrize(
    ("client_name", "goal_name"),
    [
        ("alice", "bobs"),  # a goal of the firm, not owned by that client
        ("bob", "joints"),
        ("idle", "alone"),
        ("alice", "unknown"),
        ("unknown", "alone"),
        ("employee", "alone"),  # an account of the firm, but not a client
        ("malformed", "alone"),
        ("alice", "malformed"),
    ],
)
async def test_show_404s(data: Data, client_name: str, goal_name: str) -> None:
    def ref(name: str) -> str:
        special = {
            "unknown": random_uuid(),
            "malformed": "not-a-uuid",
            "employee": data.firm.owner.account_uuid,
        }
        return special.get(name) or str(getattr(data, name))

    response = await data.firm.owner.get(client_goals_path(ref(client_name), ref(goal_name)))
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize("which", ["unknown", "employee", "malformed"])
async def test_list_of_no_such_client_is_404(data: Data, which: str) -> None:
    ref = {
        "unknown": random_uuid(),
        "employee": data.firm.owner.account_uuid,
        "malformed": "zzz",
    }[which]
    response = await data.firm.owner.get(client_goals_path(ref))
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


async def test_the_documented_shared_owner_include_is_accepted(data: Data) -> None:
    path = client_goals_path(data.alice)
    plain = (await data.firm.owner.get(path)).json()
    included = await data.firm.owner.get(path, params={"include": "shared_owner"})
    assert (included.status_code, included.json()["data"]) == (200, plain["data"])
    other = await data.firm.owner.get(path, params={"include": "accounts"})
    assert (other.status_code, other.json()) == (
        400,
        {
            "message": "Requested include(s) `accounts` are not allowed. "
            "Allowed include(s) are `shared_owner`."
        },
    )

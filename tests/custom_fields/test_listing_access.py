"""Custom-field lists (pagination, filters, sorts) and who may read and write them."""

from __future__ import annotations

import pytest

from tests.helpers import Firm
from tests.records_support import (
    CUSTOM_FIELDS,
    NOT_FOUND,
    UNAUTHORIZED,
    Cast,
    assert_body,
    assert_meta,
    listed,
    not_allowed,
)

FIELDS = [
    ("Zeta", "string", "task"),
    ("Alpha", "number", "task"),
    ("Mid Point", "boolean", "client"),
    ("Beta", "string", "case"),
    ("Omega", "datetime", "task"),
]


async def _seed(firm: Firm) -> list[str]:
    made = [
        await firm.owner.created(CUSTOM_FIELDS, {"name": n, "type": t, "model_type": m})
        for n, t, m in FIELDS
    ]
    return [m["uuid"] for m in made]


async def _names(firm: Firm, **params: str) -> list[str]:
    response = await firm.owner.get(CUSTOM_FIELDS, params={"per_page": "500", **params})
    assert response.status_code == 200, response.text
    return [f["name"] for f in response.json()["data"]]


async def test_pagination_and_default_order(firm: Firm) -> None:
    await _seed(firm)
    response = await firm.owner.get(CUSTOM_FIELDS, params={"per_page": "2", "page": "3"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert_meta(body, total=5, page=3, per_page=2)
    # Position within each model type, ties by creation.
    assert await _names(firm) == ["Zeta", "Mid Point", "Beta", "Alpha", "Omega"]
    assert [f["name"] for f in body["data"]] == ["Omega"]
    assert body["links"]["next"] is None


async def test_sorts(firm: Firm) -> None:
    await _seed(firm)
    names = [n for n, _, _ in FIELDS]
    assert await _names(firm, sort="name") == sorted(names)
    assert await _names(firm, sort="-name") == sorted(names, reverse=True)
    assert await _names(firm, sort="created_at") == names
    assert await _names(firm, sort="-created_at") == names[::-1]
    response = await firm.owner.get(CUSTOM_FIELDS, params={"sort": "reference"})
    allowed = "position, created_at, updated_at, name, model_type"
    expected = not_allowed("sort", "reference", allowed)
    assert_body(response, 400, expected)


async def test_filters(firm: Firm) -> None:
    uuids = await _seed(firm)
    assert await _names(firm, **{"filter[model_type]": "task"}) == ["Zeta", "Alpha", "Omega"]
    assert await _names(firm, **{"filter[model_type]": "client,case"}) == ["Mid Point", "Beta"]
    assert await _names(firm, **{"filter[type]": "string"}) == ["Zeta", "Beta"]
    assert await _names(firm, **{"filter[name]": "ETA"}) == ["Zeta", "Beta"]
    assert await _names(firm, **{"filter[uuid]": uuids[1]}) == ["Alpha"]
    both = {"filter[type]": "string", "filter[model_type]": "task"}
    assert await _names(firm, **both) == ["Zeta"]


async def test_bad_filters(firm: Firm) -> None:
    response = await firm.owner.get(CUSTOM_FIELDS, params={"filter[reference]": "x"})
    assert_body(response, 400, not_allowed("filter", "reference", "uuid, model_type, type, name"))
    response = await firm.owner.get(CUSTOM_FIELDS, params={"filter[model_type]": "goal"})
    message = "The filter.model type filter must be one of: task, client, case, plan, board_task."
    assert_body(response, 422, {"message": message, "errors": {"filter.model_type": [message]}})


@pytest.mark.parametrize("who", ["admin", "member", "readonly", "client"])
async def test_everyone_in_the_firm_reads(shop: Cast, who: str) -> None:
    made = await shop.owner.created(CUSTOM_FIELDS, {"type": "string", "name": f"For {who}"})
    actor = getattr(shop, who)
    assert_body(await actor.get(f"{CUSTOM_FIELDS}/{made['uuid']}"), 200, made)
    assert made["uuid"] in await listed(actor, CUSTOM_FIELDS)


@pytest.mark.parametrize("who", ["member", "readonly", "client"])
async def test_only_managers_with_write_permission_write(shop: Cast, who: str) -> None:
    actor = getattr(shop, who)
    made = await shop.owner.created(CUSTOM_FIELDS, {"type": "string", "name": f"Guard {who}"})
    path = f"{CUSTOM_FIELDS}/{made['uuid']}"
    before = await listed(shop.owner, CUSTOM_FIELDS)
    body = {"type": "string", "name": f"Nope {who}"}
    assert_body(await actor.post(CUSTOM_FIELDS, body), 403, UNAUTHORIZED)
    assert_body(await actor.put(path, {"name": "Nope"}), 403, UNAUTHORIZED)
    assert_body(await actor.delete(path), 403, UNAUTHORIZED)
    assert await listed(shop.owner, CUSTOM_FIELDS) == before
    assert_body(await shop.owner.get(path), 200, made)


async def test_admin_writes_and_delete_needs_delete_permission(shop: Cast) -> None:
    made = await shop.admin.created(CUSTOM_FIELDS, {"type": "number", "name": "By admin"})
    path = f"{CUSTOM_FIELDS}/{made['uuid']}"
    renamed = await shop.nodelete.put(path, {"name": "Admin renamed"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Admin renamed"
    assert_body(await shop.nodelete.delete(path), 403, UNAUTHORIZED)
    assert (await shop.admin.delete(path)).status_code == 204


async def test_another_firm_sees_nothing_and_names_are_per_firm(shop: Cast, rival: Firm) -> None:
    made = await shop.owner.created(CUSTOM_FIELDS, {"type": "string", "name": "Firm Secret"})
    path = f"{CUSTOM_FIELDS}/{made['uuid']}"
    assert_body(await rival.owner.get(path), 404, NOT_FOUND)
    assert_body(await rival.owner.put(path, {"name": "Mine"}), 404, NOT_FOUND)
    assert_body(await rival.owner.delete(path), 404, NOT_FOUND)
    assert made["uuid"] not in await listed(rival.owner, CUSTOM_FIELDS)
    theirs = await rival.owner.created(CUSTOM_FIELDS, {"type": "string", "name": "Firm Secret"})
    assert (theirs["reference"], theirs["position"]) == ("firm_secret", 1)
    assert_body(await shop.owner.get(path), 200, made)

"""Task-status lists (pagination, filters, sorts) and who may read and write them."""

from __future__ import annotations

import pytest

from tests.helpers import Firm
from tests.records_support import (
    NOT_FOUND,
    TASK_STATUSES,
    UNAUTHORIZED,
    Cast,
    assert_body,
    assert_meta,
    listed,
    not_allowed,
    unknown,
)

FILTERS = "uuid, name, is_type_completed, is_archived, is_not_started"


async def _names(firm: Firm, **params: str) -> list[str]:
    response = await firm.owner.get(TASK_STATUSES, params={"per_page": "500", **params})
    assert response.status_code == 200, response.text
    return [s["name"] for s in response.json()["data"]]


async def test_pagination_in_position_order(firm: Firm) -> None:
    for name in ("d", "e", "f", "g"):
        await firm.owner.created(TASK_STATUSES, {"name": name})
    response = await firm.owner.get(TASK_STATUSES, params={"per_page": "3", "page": "2"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert_meta(body, total=7, page=2, per_page=3)
    assert [s["name"] for s in body["data"]] == ["d", "e", "f"]
    assert [s["position"] for s in body["data"]] == [4, 5, 6]
    assert body["links"]["next"].endswith("page=3")
    assert body["meta"]["path"] == f"http://test{TASK_STATUSES}"


async def test_sorts(firm: Firm) -> None:
    await firm.owner.created(TASK_STATUSES, {"name": "Awaiting"})
    defaults = ["Not Started", "In Progress", "Completed", "Awaiting"]
    assert await _names(firm) == defaults
    assert await _names(firm, sort="-position") == defaults[::-1]
    assert await _names(firm, sort="name") == sorted(defaults)
    assert await _names(firm, sort="-name") == sorted(defaults, reverse=True)
    assert await _names(firm, sort="created_at") == defaults
    response = await firm.owner.get(TASK_STATUSES, params={"sort": "colour"})
    assert_body(response, 400, not_allowed("sort", "colour", "position, created_at, name"))


async def test_filters(firm: Firm) -> None:
    old = await firm.owner.created(TASK_STATUSES, {"name": "Old Review", "is_archived": True})
    assert await _names(firm, **{"filter[is_archived]": "true"}) == ["Old Review"]
    assert len(await _names(firm, **{"filter[is_archived]": "false"})) == 3
    assert await _names(firm, **{"filter[is_type_completed]": "true"}) == ["Completed"]
    assert await _names(firm, **{"filter[is_not_started]": "1"}) == ["Not Started"]
    assert await _names(firm, **{"filter[name]": "REVIEW"}) == ["Old Review"]
    assert await _names(firm, **{"filter[uuid]": f"{old['uuid']},{unknown()}"}) == ["Old Review"]


async def test_bad_filters(firm: Firm) -> None:
    response = await firm.owner.get(TASK_STATUSES, params={"filter[colour]": "#fff"})
    assert_body(response, 400, not_allowed("filter", "colour", FILTERS))
    response = await firm.owner.get(TASK_STATUSES, params={"filter[is_archived]": "maybe"})
    expected = {
        "message": "The filter.is archived filter must be true or false.",
        "errors": {"filter.is_archived": ["The filter.is archived filter must be true or false."]},
    }
    assert_body(response, 422, expected)


@pytest.mark.parametrize("who", ["admin", "member", "readonly", "client"])
async def test_everyone_in_the_firm_reads(shop: Cast, who: str) -> None:
    made = await shop.owner.created(TASK_STATUSES, {"name": f"Seen by {who}"})
    actor = getattr(shop, who)
    assert_body(await actor.get(f"{TASK_STATUSES}/{made['uuid']}"), 200, made)
    assert made["uuid"] in await listed(actor, TASK_STATUSES)


@pytest.mark.parametrize("who", ["member", "readonly", "client"])
async def test_only_managers_with_write_permission_write(shop: Cast, who: str) -> None:
    actor = getattr(shop, who)
    made = await shop.owner.created(TASK_STATUSES, {"name": "Guarded"})
    path = f"{TASK_STATUSES}/{made['uuid']}"
    before = await listed(shop.owner, TASK_STATUSES)
    assert_body(await actor.post(TASK_STATUSES, {"name": "Nope"}), 403, UNAUTHORIZED)
    assert_body(await actor.put(path, {"name": "Nope"}), 403, UNAUTHORIZED)
    assert_body(await actor.delete(path), 403, UNAUTHORIZED)
    assert await listed(shop.owner, TASK_STATUSES) == before
    assert_body(await shop.owner.get(path), 200, made)


async def test_admin_writes_and_delete_needs_delete_permission(shop: Cast) -> None:
    made = await shop.admin.created(TASK_STATUSES, {"name": "By admin"})
    path = f"{TASK_STATUSES}/{made['uuid']}"
    renamed = await shop.nodelete.put(path, {"name": "Renamed"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Renamed"
    assert_body(await shop.nodelete.delete(path), 403, UNAUTHORIZED)
    assert (await shop.admin.delete(path)).status_code == 204


async def test_another_firm_sees_nothing(shop: Cast, rival: Firm) -> None:
    made = await shop.owner.created(TASK_STATUSES, {"name": "Private"})
    path = f"{TASK_STATUSES}/{made['uuid']}"
    assert_body(await rival.owner.get(path), 404, NOT_FOUND)
    assert_body(await rival.owner.put(path, {"name": "Taken over"}), 404, NOT_FOUND)
    assert_body(await rival.owner.delete(path), 404, NOT_FOUND)
    assert made["uuid"] not in await listed(rival.owner, TASK_STATUSES)
    response = await rival.owner.get(TASK_STATUSES, params={"filter[uuid]": made["uuid"]})
    assert response.json()["data"] == []
    assert_body(await shop.owner.get(path), 200, made)

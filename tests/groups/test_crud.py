"""Groups: create, list, show, update and delete, field by field."""

from __future__ import annotations

from tests.accounts.support import (
    ACCOUNTS,
    COMPACT_KEYS,
    GROUP_KEYS,
    GROUPS,
    NOT_FOUND,
    TIMESTAMP,
    UUID,
    Cast,
    assert_body,
    assert_page,
    compact_of,
    employee,
    listed,
    unknown,
)
from tests.helpers import Firm


async def test_create_renders_every_field(shop: Cast) -> None:
    client = await shop.firm.client_account(first_name="Zara", last_name="Client")
    staff = await employee(shop.owner, "member", first_name="Adam", last_name="Staff")
    introducer = await shop.owner.created(
        ACCOUNTS, {"type": "external", "role": "introducer", "first_name": "Mo", "last_name": "I"}
    )
    tag = unknown()[:8]
    body = {
        "name": f"Team {tag}",
        "participants": [client["uuid"], introducer["uuid"], staff["uuid"]],
    }
    response = await shop.owner.post(GROUPS, body)
    assert response.status_code == 201, response.text
    data = response.json()
    assert set(data) == GROUP_KEYS
    assert UUID.match(data["uuid"])
    assert data["name"] == f"Team {tag}"
    assert data["slug"] == f"team-{tag}"
    assert data["participants"] == [compact_of(staff), compact_of(introducer), compact_of(client)]
    assert all(set(p) == COMPACT_KEYS for p in data["participants"])
    assert data["participants_count"] == 3
    assert TIMESTAMP.match(data["created_at"]) and data["updated_at"] == data["created_at"]


async def test_participants_default_to_none(shop: Cast) -> None:
    data = await shop.owner.created(GROUPS, {"name": f"Empty {unknown()}"})
    assert (data["participants"], data["participants_count"]) == ([], 0)


async def test_show_and_list(firm: Firm) -> None:
    client = await firm.client_account()
    first = await firm.group([client["uuid"]])
    second = await firm.group([])
    assert_body(await firm.owner.get(f"{GROUPS}/{first['uuid']}"), 200, first)
    response = await firm.owner.get(GROUPS)
    assert response.status_code == 200
    body = response.json()
    assert_page(body, total=2, path=GROUPS)
    assert body["data"] == [first, second]
    page = (await firm.owner.get(GROUPS, params={"per_page": "1", "page": "2"})).json()
    assert_page(page, total=2, path=GROUPS, page=2, per_page=1)
    assert page["data"] == [second]


async def test_list_filters_and_sorts(firm: Firm) -> None:
    beta = await firm.group([], name="Beta")
    alpha = await firm.group([], name="Alpha team")
    gamma = await firm.group([], name="Gamma TEAM")
    assert await listed(firm.owner, GROUPS, **{"filter[name]": "team"}) == [
        alpha["uuid"],
        gamma["uuid"],
    ]
    by_uuid = {"filter[uuid]": f"{gamma['uuid']},{beta['uuid']}"}
    assert await listed(firm.owner, GROUPS, **by_uuid) == [beta["uuid"], gamma["uuid"]]
    assert await listed(firm.owner, GROUPS, sort="name") == [
        alpha["uuid"],
        beta["uuid"],
        gamma["uuid"],
    ]
    assert await listed(firm.owner, GROUPS, sort="-created_at") == [
        gamma["uuid"],
        alpha["uuid"],
        beta["uuid"],
    ]
    await firm.owner.put(f"{GROUPS}/{beta['uuid']}", {"participants": []})
    assert (await listed(firm.owner, GROUPS, sort="-updated_at"))[0] == beta["uuid"]


async def test_update_changes_only_the_given_fields(shop: Cast) -> None:
    a, b = await shop.firm.client_account(), await shop.firm.client_account()
    group = await shop.firm.group([a["uuid"]])
    path = f"{GROUPS}/{group['uuid']}"
    moved = await shop.owner.put(path, {"participants": [b["uuid"], a["uuid"]]})
    assert moved.status_code == 200, moved.text
    data = moved.json()
    assert (data["name"], data["slug"]) == (group["name"], group["slug"])
    assert data["participants_count"] == 2
    assert {p["uuid"] for p in data["participants"]} == {a["uuid"], b["uuid"]}
    renamed = (await shop.owner.put(path, {"name": f"Renamed {unknown()[:6]}"})).json()
    assert renamed["participants"] == data["participants"]
    cleared = (await shop.owner.put(path, {"participants": []})).json()
    assert (cleared["participants"], cleared["participants_count"]) == ([], 0)
    assert cleared["name"] == renamed["name"]
    assert_body(await shop.owner.get(path), 200, cleared)


async def test_delete_then_404(shop: Cast) -> None:
    client = await shop.firm.client_account()
    group = await shop.firm.group([client["uuid"]])
    path = f"{GROUPS}/{group['uuid']}"
    response = await shop.owner.delete(path)
    assert (response.status_code, response.content) == (204, b"")
    assert_body(await shop.owner.get(path), 404, NOT_FOUND)
    assert_body(await shop.owner.put(path, {"name": "Back"}), 404, NOT_FOUND)
    assert_body(await shop.owner.delete(path), 404, NOT_FOUND)
    assert group["uuid"] not in await listed(shop.owner, GROUPS)
    assert (await shop.owner.get(f"{ACCOUNTS}/{client['uuid']}")).status_code == 200


async def test_deleted_participant_leaves_the_group(shop: Cast) -> None:
    a, b = await shop.firm.client_account(), await shop.firm.client_account()
    group = await shop.firm.group([a["uuid"], b["uuid"]])
    assert (await shop.owner.delete(f"{ACCOUNTS}/{a['uuid']}")).status_code == 204
    shown = (await shop.owner.get(f"{GROUPS}/{group['uuid']}")).json()
    assert (shown["participants"], shown["participants_count"]) == ([compact_of(b)], 1)


async def test_malformed_path_uuid_is_404(shop: Cast) -> None:
    group = await shop.firm.group([])
    for method in ("GET", "PUT", "DELETE"):
        for bad in ("12345", f"{group['uuid']}%0A"):
            response = await shop.owner.request(method, f"{GROUPS}/{bad}", json={})
            assert_body(response, 404, NOT_FOUND)

"""Accounts and clients: create, list, show, update and delete, field by field."""

from __future__ import annotations

from typing import Any

from tests.accounts.support import (
    ACCOUNT_KEYS,
    ACCOUNTS,
    CLIENTS,
    COMPACT_KEYS,
    NOT_FOUND,
    TIMESTAMP,
    UUID,
    Cast,
    assert_body,
    assert_page,
    compact_of,
    employee,
    joint,
    listed,
    photo_url,
)
from tests.helpers import Firm


def assert_resource(data: dict[str, Any], **expected: Any) -> None:
    assert set(data) == ACCOUNT_KEYS
    assert UUID.match(data["uuid"])
    assert TIMESTAMP.match(data["created_at"]), data["created_at"]
    assert TIMESTAMP.match(data["updated_at"]), data["updated_at"]
    assert data["photo_url"] == photo_url(data["name"])
    for key, value in expected.items():
        assert data[key] == value, (key, data[key], value)


async def test_create_client_renders_every_field(shop: Cast) -> None:
    adviser = await employee(shop.owner, "member", first_name="Ada", last_name="Adviser")
    admin = await employee(shop.owner, "admin", first_name="Al", last_name="Admin")
    para = await employee(shop.owner, "member", first_name="Pat", last_name="Para")
    body = {
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "jane.doe@example.com",
        "assigned_adviser_uuid": adviser["uuid"],
        "assigned_administrator_uuid": admin["uuid"],
        "assigned_paraplanner_uuid": para["uuid"],
        "inactive_at": "2030-01-31",
    }
    response = await shop.owner.post(CLIENTS, body)
    assert response.status_code == 201, response.text
    data = response.json()
    assert_resource(
        data,
        type="client",
        role="individual",
        first_name="Jane",
        last_name="Doe",
        name="Jane Doe",
        email="jane.doe@example.com",
        photo_url="http://test/avatar.svg?name=Jane+Doe",
        assigned_adviser=compact_of(adviser),
        assigned_administrator=compact_of(admin),
        assigned_paraplanner=compact_of(para),
        owners=[],
        circles=[],
        inactive_at="2030-01-31",
    )
    assert set(data["assigned_adviser"]) == COMPACT_KEYS
    assert data["created_at"] == data["updated_at"]


async def test_create_staff_and_introducer_through_account(shop: Cast) -> None:
    for kind, role in (("employee", "owner"), ("employee", "admin"), ("external", "introducer")):
        body = {"type": kind, "role": role, "first_name": "Sam", "last_name": kind.title()}
        response = await shop.owner.post(ACCOUNTS, body)
        assert response.status_code == 201, response.text
        assert_resource(
            response.json(),
            type=kind,
            role=role,
            first_name="Sam",
            last_name=kind.title(),
            name=f"Sam {kind.title()}",
            email=None,
            assigned_adviser=None,
            assigned_administrator=None,
            assigned_paraplanner=None,
            owners=[],
            circles=[],
            inactive_at=None,
        )


async def test_shared_clients_render_their_owners_in_order(shop: Cast) -> None:
    first, second = await shop.firm.client_account(), await shop.firm.client_account()
    for role in ("joint", "trust", "business"):
        body = {
            "type": "client",
            "role": role,
            "name": f"The {role} one",
            "owner_uuids": [second["uuid"], first["uuid"]],
        }
        response = await shop.owner.post(ACCOUNTS, body)
        assert response.status_code == 201, response.text
        assert_resource(
            response.json(),
            type="client",
            role=role,
            name=f"The {role} one",
            first_name=None,
            last_name=None,
            owners=[compact_of(second), compact_of(first)],
        )
    # An owner's own resource lists no owners of its own.
    shown = await shop.owner.get(f"{CLIENTS}/{first['uuid']}")
    assert shown.json()["owners"] == []


async def test_client_route_forces_type_and_defaults_the_role(shop: Cast) -> None:
    body = {"type": "employee", "first_name": "Only", "last_name": "Client"}
    data = await shop.owner.created(CLIENTS, body)
    assert (data["type"], data["role"]) == ("client", "individual")


async def test_show_renders_the_created_resource(shop: Cast) -> None:
    created = await shop.firm.client_account()
    for path in (ACCOUNTS, CLIENTS):
        response = await shop.owner.get(f"{path}/{created['uuid']}")
        assert response.status_code == 200, response.text
        assert response.json() == created


async def test_client_routes_do_not_serve_staff(shop: Cast) -> None:
    staff = await employee(shop.owner)
    path = f"{CLIENTS}/{staff['uuid']}"
    assert_body(await shop.owner.get(path), 404, NOT_FOUND)
    assert_body(await shop.owner.put(path, {"first_name": "X"}), 404, NOT_FOUND)
    assert_body(await shop.owner.delete(path), 404, NOT_FOUND)
    assert (await shop.owner.get(f"{ACCOUNTS}/{staff['uuid']}")).json() == staff
    assert staff["uuid"] not in await listed(shop.owner, CLIENTS)
    assert staff["uuid"] in await listed(shop.owner, ACCOUNTS)


async def test_malformed_path_uuid_is_404(shop: Cast) -> None:
    for path in (ACCOUNTS, CLIENTS):
        assert_body(await shop.owner.get(f"{path}/not-a-uuid"), 404, NOT_FOUND)
        assert_body(await shop.owner.put(f"{path}/123", {}), 404, NOT_FOUND)
        assert_body(await shop.owner.delete(f"{path}/zzz"), 404, NOT_FOUND)
        # A trailing newline once slipped past the pattern and crashed uuid.UUID (500).
        assert_body(await shop.owner.get(f"{path}/{shop.owner.account_uuid}%0A"), 404, NOT_FOUND)


async def test_list_renders_resources_in_a_page(firm: Firm) -> None:
    client = await firm.client_account()
    for path, expected in ((ACCOUNTS, 2), (CLIENTS, 1)):
        response = await firm.owner.get(path)
        assert response.status_code == 200, response.text
        body = response.json()
        assert_page(body, total=expected, path=path)
        assert body["data"][-1] == client
        for item in body["data"]:
            assert set(item) == ACCOUNT_KEYS


async def test_update_changes_only_the_given_fields(shop: Cast) -> None:
    adviser = await employee(shop.owner)
    created = await shop.firm.client_account(assigned_adviser_uuid=adviser["uuid"])
    path = f"{CLIENTS}/{created['uuid']}"
    response = await shop.owner.put(path, {"email": "new@example.com"})
    assert response.status_code == 200, response.text
    data = response.json()
    unchanged = {k: v for k, v in created.items() if k not in ("email", "updated_at")}
    assert {k: v for k, v in data.items() if k in unchanged} == unchanged
    assert data["email"] == "new@example.com"
    assert data["updated_at"] >= created["updated_at"]
    assert (await shop.owner.get(path)).json() == data


async def test_renaming_a_person_rebuilds_name_and_photo(shop: Cast) -> None:
    created = await shop.firm.client_account(first_name="Old", last_name="Name")
    data = (await shop.owner.put(f"{ACCOUNTS}/{created['uuid']}", {"first_name": "Zoë"})).json()
    assert (data["first_name"], data["last_name"], data["name"]) == ("Zoë", "Name", "Zoë Name")
    assert data["photo_url"] == "http://test/avatar.svg?name=Zo%C3%AB+Name"


async def test_update_clears_and_sets_assigned_staff(shop: Cast) -> None:
    adviser, other = await employee(shop.owner), await employee(shop.owner, "admin")
    created = await shop.firm.client_account(assigned_adviser_uuid=adviser["uuid"])
    path = f"{CLIENTS}/{created['uuid']}"
    body = {"assigned_adviser_uuid": None, "assigned_paraplanner_uuid": other["uuid"]}
    data = (await shop.owner.put(path, body)).json()
    assert data["assigned_adviser"] is None
    assert data["assigned_paraplanner"] == compact_of(other)
    assert data["inactive_at"] is None
    data = (await shop.owner.put(path, {"inactive_at": "2031-02-03"})).json()
    assert data["inactive_at"] == "2031-02-03"
    assert data["assigned_paraplanner"] == compact_of(other)


async def test_update_replaces_the_owners_of_a_shared_client(shop: Cast) -> None:
    a, b, c = [await shop.firm.client_account() for _ in range(3)]
    shared = await joint(shop.firm, [a["uuid"], b["uuid"]])
    path = f"{CLIENTS}/{shared['uuid']}"
    data = (await shop.owner.put(path, {"owner_uuids": [c["uuid"], a["uuid"]]})).json()
    assert data["owners"] == [compact_of(c), compact_of(a)]
    data = (await shop.owner.put(path, {"name": "Renamed"})).json()
    assert data["owners"] == [compact_of(c), compact_of(a)]
    assert (data["name"], data["photo_url"]) == ("Renamed", photo_url("Renamed"))


async def test_role_change_to_individual_drops_owners(shop: Cast) -> None:
    a = await shop.firm.client_account()
    shared = await joint(shop.firm, [a["uuid"]])
    body = {"role": "individual", "first_name": "Now", "last_name": "Single"}
    data = (await shop.owner.put(f"{CLIENTS}/{shared['uuid']}", body)).json()
    assert (data["role"], data["name"], data["owners"]) == ("individual", "Now Single", [])


async def test_role_change_to_joint_takes_owners(shop: Cast) -> None:
    a, b = await shop.firm.client_account(), await shop.firm.client_account()
    body = {"role": "trust", "name": "B Trust", "owner_uuids": [a["uuid"]]}
    data = (await shop.owner.put(f"{CLIENTS}/{b['uuid']}", body)).json()
    assert (data["role"], data["name"], data["owners"]) == ("trust", "B Trust", [compact_of(a)])


async def test_delete_then_gone_everywhere(shop: Cast) -> None:
    for path in (ACCOUNTS, CLIENTS):
        created = await shop.firm.client_account()
        item = f"{path}/{created['uuid']}"
        response = await shop.owner.delete(item)
        assert response.status_code == 204
        assert response.content == b""
        assert_body(await shop.owner.get(item), 404, NOT_FOUND)
        assert_body(await shop.owner.delete(item), 404, NOT_FOUND)
        assert created["uuid"] not in await listed(shop.owner, path)


async def test_deleting_staff_clears_assignments(shop: Cast) -> None:
    adviser = await employee(shop.owner)
    created = await shop.firm.client_account(assigned_adviser_uuid=adviser["uuid"])
    assert (await shop.owner.delete(f"{ACCOUNTS}/{adviser['uuid']}")).status_code == 204
    shown = (await shop.owner.get(f"{CLIENTS}/{created['uuid']}")).json()
    assert shown["assigned_adviser"] is None


async def test_account_lists_its_circles(shop: Cast) -> None:
    a, b = await shop.firm.client_account(), await shop.firm.client_account()
    first = await shop.firm.circle([a["uuid"], b["uuid"]], name="Zeta House")
    second = await shop.firm.circle([a["uuid"], b["uuid"]], name="Alpha House")
    shown = (await shop.owner.get(f"{CLIENTS}/{a['uuid']}")).json()
    assert shown["circles"] == [
        {"uuid": second["uuid"], "name": "Alpha House", "login_access_level": None},
        {"uuid": first["uuid"], "name": "Zeta House", "login_access_level": None},
    ]


async def test_photo_url_serves_an_initials_svg(shop: Cast) -> None:
    created = await shop.firm.client_account(first_name="Mary", last_name="Jones")
    assert created["photo_url"].startswith("http://test/avatar.svg?")
    response = await shop.firm.client.get(created["photo_url"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.text.startswith("<svg")
    assert ">MJ</text>" in response.text

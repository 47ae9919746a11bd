"""Who may see and write accounts: managers, members (reach through groups and circles),
logins without write or delete permission, client and external accounts."""

from __future__ import annotations

from typing import Any

from tests.accounts.support import (
    ACCOUNTS,
    CLIENTS,
    NOT_FOUND,
    UNAUTHORIZED,
    Cast,
    assert_body,
    employee,
    listed,
    unknown,
)
from tests.helpers import Actor

PERSON = {"first_name": "New", "last_name": "Person"}


async def reach(cast: Cast) -> dict[str, dict[str, Any]]:
    """Fresh clients placed relative to the shared member: reachable directly, through a
    circle carrying one of their groups, and three that the member cannot reach."""
    firm = cast.firm
    made = {k: await firm.client_account() for k in ("direct", "via_circle", "partner")}
    made |= {k: await firm.client_account() for k in ("other_group", "other_circle", "alone")}
    theirs = await firm.group([cast.member.account_uuid, made["direct"]["uuid"]])
    others = await firm.group([cast.admin.account_uuid, made["other_group"]["uuid"]])
    await firm.circle(
        [made["via_circle"]["uuid"], made["partner"]["uuid"]], group_uuids=[theirs["uuid"]]
    )
    await firm.circle(
        [made["other_circle"]["uuid"], made["alone"]["uuid"]], group_uuids=[others["uuid"]]
    )
    await firm.circle([made["alone"]["uuid"], made["other_group"]["uuid"]])
    return made


async def test_member_reaches_clients_through_groups_and_circles(shop: Cast) -> None:
    made = await reach(shop)
    visible = ("direct", "via_circle", "partner")
    for key, record in made.items():
        response = await shop.member.get(f"{CLIENTS}/{record['uuid']}")
        if key in visible:
            assert response.status_code == 200, key
            assert response.json()["uuid"] == record["uuid"]
        else:
            assert_body(response, 404, NOT_FOUND)
    everyone = ",".join(r["uuid"] for r in made.values())
    for path in (ACCOUNTS, CLIENTS):
        seen = await listed(shop.member, path, **{"filter[uuid]": everyone})
        assert seen == [made[k]["uuid"] for k in visible]


async def test_member_sees_all_staff_and_introducers(shop: Cast) -> None:
    staff = await employee(shop.owner, "admin")
    introducer = await shop.owner.created(
        ACCOUNTS, {"type": "external", "role": "introducer", **PERSON}
    )
    for record in (staff, introducer):
        assert (await shop.member.get(f"{ACCOUNTS}/{record['uuid']}")).json() == record
    seen = await listed(shop.member, ACCOUNTS, **{"filter[type]": "employee,external"})
    assert {staff["uuid"], introducer["uuid"], shop.owner.account_uuid} <= set(seen)


async def test_member_writes_reachable_clients_only(shop: Cast) -> None:
    made = await reach(shop)
    created = await shop.member.post(CLIENTS, PERSON)
    assert created.status_code == 201, created.text
    direct = f"{CLIENTS}/{made['direct']['uuid']}"
    assert (await shop.member.put(direct, {"email": "m@example.com"})).status_code == 200
    hidden = f"{CLIENTS}/{made['alone']['uuid']}"
    assert_body(await shop.member.put(hidden, {"email": "m@example.com"}), 404, NOT_FOUND)
    assert_body(await shop.member.delete(hidden), 404, NOT_FOUND)
    assert (await shop.member.delete(direct)).status_code == 204
    assert_body(await shop.owner.get(direct), 404, NOT_FOUND)


async def test_member_cannot_manage_staff_or_introducers(shop: Cast) -> None:
    before = await listed(shop.owner, ACCOUNTS)
    for kind, role in (("employee", "member"), ("employee", "owner"), ("external", "introducer")):
        response = await shop.member.post(ACCOUNTS, {"type": kind, "role": role, **PERSON})
        assert_body(response, 403, UNAUTHORIZED)
    assert await listed(shop.owner, ACCOUNTS) == before
    staff = await employee(shop.owner)
    path = f"{ACCOUNTS}/{staff['uuid']}"
    assert_body(await shop.member.put(path, {"first_name": "X"}), 403, UNAUTHORIZED)
    assert_body(await shop.member.delete(path), 403, UNAUTHORIZED)
    own = f"{ACCOUNTS}/{shop.member.account_uuid}"
    assert_body(await shop.member.put(own, {"role": "owner"}), 403, UNAUTHORIZED)
    assert (await shop.owner.get(path)).json() == staff


async def test_admin_manages_staff_but_not_owners(shop: Cast) -> None:
    response = await shop.admin.post(ACCOUNTS, {"type": "employee", "role": "member", **PERSON})
    assert response.status_code == 201, response.text
    path = f"{ACCOUNTS}/{response.json()['uuid']}"
    updated = await shop.admin.put(path, {"role": "admin"})
    assert (updated.status_code, updated.json()["role"]) == (200, "admin")
    # Only an owner makes, edits or removes owners; an admin cannot promote anyone to owner.
    assert_body(await shop.admin.put(path, {"role": "owner"}), 403, UNAUTHORIZED)
    own = f"{ACCOUNTS}/{shop.admin.account_uuid}"
    assert_body(await shop.admin.put(own, {"role": "owner"}), 403, UNAUTHORIZED)
    owner = {"type": "employee", "role": "owner", **PERSON}
    assert_body(await shop.admin.post(ACCOUNTS, owner), 403, UNAUTHORIZED)
    firm_owner = f"{ACCOUNTS}/{shop.owner.account_uuid}"
    assert_body(await shop.admin.put(firm_owner, {"first_name": "X"}), 403, UNAUTHORIZED)
    assert_body(await shop.admin.delete(firm_owner), 403, UNAUTHORIZED)
    assert (await shop.admin.delete(path)).status_code == 204
    made = await shop.owner.post(ACCOUNTS, owner)
    assert made.status_code == 201 and made.json()["role"] == "owner"
    assert (await shop.owner.delete(f"{ACCOUNTS}/{made.json()['uuid']}")).status_code == 204


async def test_sole_owner_of_a_shared_client_cannot_be_deleted(shop: Cast) -> None:
    first, second = await shop.firm.client_account(), await shop.firm.client_account()
    joint = await shop.owner.created(
        CLIENTS, {"role": "joint", "name": "A & B", "owner_uuids": [first["uuid"], second["uuid"]]}
    )
    assert (await shop.owner.delete(f"{CLIENTS}/{first['uuid']}")).status_code == 204
    message = "The account is the only owner of a shared client; change its owners first."
    assert_body(await shop.owner.delete(f"{CLIENTS}/{second['uuid']}"), 409, {"message": message})
    remaining = (await shop.owner.get(f"{CLIENTS}/{joint['uuid']}")).json()
    assert [o["uuid"] for o in remaining["owners"]] == [second["uuid"]]


async def test_member_reaches_the_clients_assigned_to_them(shop: Cast) -> None:
    hidden = await shop.firm.client_account()
    assert_body(await shop.member.get(f"{CLIENTS}/{hidden['uuid']}"), 404, NOT_FOUND)
    mine = await shop.firm.client_account(assigned_paraplanner_uuid=shop.member.account_uuid)
    shown = await shop.member.get(f"{CLIENTS}/{mine['uuid']}")
    assert shown.status_code == 200 and shown.json() == mine


async def test_deleting_the_acting_account_is_409(shop: Cast) -> None:
    for actor in (shop.owner, shop.admin):
        response = await actor.delete(f"{ACCOUNTS}/{actor.account_uuid}")
        message = "You cannot delete the account you are acting as."
        assert_body(response, 409, {"message": message})
        assert (await actor.get(f"{ACCOUNTS}/{actor.account_uuid}")).status_code == 200


async def test_login_without_write_permission(shop: Cast) -> None:
    record = await shop.firm.client_account()
    path = f"{CLIENTS}/{record['uuid']}"
    assert (await shop.readonly.get(path)).json() == record
    assert_body(await shop.readonly.post(CLIENTS, PERSON), 403, UNAUTHORIZED)
    body = {"type": "employee", "role": "member", **PERSON}
    assert_body(await shop.readonly.post(ACCOUNTS, body), 403, UNAUTHORIZED)
    assert_body(await shop.readonly.put(path, {"first_name": "X"}), 403, UNAUTHORIZED)
    assert_body(await shop.readonly.delete(path), 403, UNAUTHORIZED)
    assert (await shop.owner.get(path)).json() == record
    # Records that do not exist are 404 whatever the permissions.
    assert_body(await shop.readonly.put(f"{CLIENTS}/{unknown()}", {}), 404, NOT_FOUND)


async def test_login_without_delete_permission(shop: Cast) -> None:
    record = await shop.firm.client_account()
    path = f"{ACCOUNTS}/{record['uuid']}"
    assert (await shop.nodelete.put(path, {"first_name": "Kept"})).status_code == 200
    assert_body(await shop.nodelete.delete(path), 403, UNAUTHORIZED)
    assert (await shop.owner.get(path)).json()["first_name"] == "Kept"


async def assert_sees_only_itself(actor: Actor, other: dict[str, Any]) -> None:
    own = await actor.get(f"{ACCOUNTS}/{actor.account_uuid}")
    assert own.status_code == 200, own.text
    assert await listed(actor, ACCOUNTS) == [actor.account_uuid]
    for path in (f"{ACCOUNTS}/{other['uuid']}", f"{CLIENTS}/{other['uuid']}"):
        assert_body(await actor.get(path), 404, NOT_FOUND)


async def test_client_account_sees_only_itself_and_writes_nothing(shop: Cast) -> None:
    other = await shop.firm.client_account()
    await shop.firm.circle([shop.client.account_uuid, other["uuid"]])
    await assert_sees_only_itself(shop.client, other)
    assert await listed(shop.client, CLIENTS) == [shop.client.account_uuid]
    assert_body(await shop.client.get(f"{ACCOUNTS}/{shop.owner.account_uuid}"), 404, NOT_FOUND)
    own = f"{CLIENTS}/{shop.client.account_uuid}"
    assert_body(await shop.client.post(CLIENTS, PERSON), 403, UNAUTHORIZED)
    assert_body(await shop.client.put(own, {"first_name": "Me"}), 403, UNAUTHORIZED)
    assert_body(await shop.client.delete(own), 403, UNAUTHORIZED)


async def test_external_account_sees_only_itself(shop: Cast) -> None:
    introducer = await shop.firm.actor(type="external", role="introducer")
    other = await shop.firm.client_account()
    await assert_sees_only_itself(introducer, other)
    assert await listed(introducer, CLIENTS) == []
    assert_body(await introducer.post(CLIENTS, PERSON), 403, UNAUTHORIZED)


async def test_member_names_only_reachable_owners(shop: Cast) -> None:
    made = await reach(shop)
    body = {"role": "joint", "name": "Pair", "owner_uuids": [made["direct"]["uuid"]]}
    assert (await shop.member.post(CLIENTS, body)).status_code == 201
    body["owner_uuids"] = [made["direct"]["uuid"], made["alone"]["uuid"]]
    response = await shop.member.post(CLIENTS, body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == {
        "owner_uuids.1": ["The selected owner uuids.1 is invalid."]
    }

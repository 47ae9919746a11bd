"""Who may see and write groups: staff see all, only owners and admins write (with the
login's permissions), client and external accounts see the groups they are in."""

from __future__ import annotations

from tests.accounts.support import (
    GROUPS,
    NOT_FOUND,
    UNAUTHORIZED,
    Cast,
    assert_body,
    listed,
    total,
    unknown,
)
from tests.helpers import Actor


async def test_member_reads_every_group_but_writes_none(shop: Cast) -> None:
    theirs = await shop.firm.group([shop.member.account_uuid])
    others = await shop.firm.group([shop.admin.account_uuid])
    for group in (theirs, others):
        assert_body(await shop.member.get(f"{GROUPS}/{group['uuid']}"), 200, group)
    both = {"filter[uuid]": f"{theirs['uuid']},{others['uuid']}"}
    assert await listed(shop.member, GROUPS, **both) == [theirs["uuid"], others["uuid"]]
    before = await total(shop.owner, GROUPS)
    assert_body(await shop.member.post(GROUPS, {"name": "Mine"}), 403, UNAUTHORIZED)
    assert await total(shop.owner, GROUPS) == before
    path = f"{GROUPS}/{theirs['uuid']}"
    assert_body(await shop.member.put(path, {"name": "Mine"}), 403, UNAUTHORIZED)
    assert_body(await shop.member.delete(path), 403, UNAUTHORIZED)
    assert_body(await shop.owner.get(path), 200, theirs)


async def test_admin_writes_groups(shop: Cast) -> None:
    made = await shop.admin.post(GROUPS, {"name": f"Admin {unknown()[:6]}"})
    assert made.status_code == 201, made.text
    path = f"{GROUPS}/{made.json()['uuid']}"
    updated = await shop.admin.put(path, {"participants": [shop.member.account_uuid]})
    assert (updated.status_code, updated.json()["participants_count"]) == (200, 1)
    assert (await shop.admin.delete(path)).status_code == 204


async def test_login_without_write_or_delete_permission(shop: Cast) -> None:
    group = await shop.firm.group([])
    path = f"{GROUPS}/{group['uuid']}"
    assert_body(await shop.readonly.get(path), 200, group)
    assert_body(await shop.readonly.post(GROUPS, {"name": "No"}), 403, UNAUTHORIZED)
    assert_body(await shop.readonly.put(path, {"name": "No"}), 403, UNAUTHORIZED)
    assert_body(await shop.readonly.delete(path), 403, UNAUTHORIZED)
    assert_body(await shop.nodelete.delete(path), 403, UNAUTHORIZED)
    kept = await shop.nodelete.put(path, {"participants": [shop.owner.account_uuid]})
    assert kept.status_code == 200
    assert_body(await shop.owner.get(path), 200, kept.json())


async def assert_sees_only_its_groups(cast: Cast, actor: Actor) -> None:
    ours = await cast.firm.group([actor.account_uuid, cast.admin.account_uuid])
    others = await cast.firm.group([cast.admin.account_uuid])
    # The admin taking part is not an account the actor may open: neither listed nor counted.
    alone = [p for p in ours["participants"] if p["uuid"] == actor.account_uuid]
    body = {**ours, "participants": alone, "participants_count": 1}
    assert_body(await actor.get(f"{GROUPS}/{ours['uuid']}"), 200, body)
    assert_body(await actor.get(f"{GROUPS}/{others['uuid']}"), 404, NOT_FOUND)
    seen = await listed(actor, GROUPS)
    assert ours["uuid"] in seen
    assert others["uuid"] not in seen
    assert_body(await actor.post(GROUPS, {"name": "Mine"}), 403, UNAUTHORIZED)
    path = f"{GROUPS}/{ours['uuid']}"
    assert_body(await actor.put(path, {"name": "Mine"}), 403, UNAUTHORIZED)
    assert_body(await actor.delete(path), 403, UNAUTHORIZED)
    hidden = f"{GROUPS}/{others['uuid']}"
    assert_body(await actor.put(hidden, {"name": "Mine"}), 404, NOT_FOUND)
    assert_body(await actor.delete(hidden), 404, NOT_FOUND)
    assert_body(await cast.owner.get(path), 200, ours)


async def test_client_account_sees_only_its_groups(shop: Cast) -> None:
    await assert_sees_only_its_groups(shop, shop.client)


async def test_external_account_sees_only_its_groups(shop: Cast) -> None:
    introducer = await shop.firm.actor(type="external", role="introducer")
    await assert_sees_only_its_groups(shop, introducer)

"""POST /api/v1/client/{client_uuid}/owners: attach, detach and sync a shared client's
owners, rule by rule; a member's view."""

from __future__ import annotations

from typing import Any

from tests.accounts.support import (
    CLIENTS,
    DUPLICATE,
    INVALID,
    NOT_ARRAY,
    NOT_FOUND,
    NOT_UUID,
    REQUIRED,
    UNAUTHORIZED,
    Cast,
    assert_422,
    assert_body,
    compact_of,
    employee,
    errors_of,
    joint,
    unknown,
)
from tests.helpers import Firm

SHARED_ONLY = "The :a field is only allowed for joint, trust and business clients."
KEEP_ONE = "The :a field would leave the client without an owner."
TOO_MANY = "The :a field would give the client more than 10 owners."


def owners_path(client_uuid: str) -> str:
    return f"{CLIENTS}/{client_uuid}/owners"


async def people(shop: Cast, n: int) -> list[dict[str, Any]]:
    return [await shop.firm.client_account() for _ in range(n)]


async def shown_owners(shop: Cast, client_uuid: str) -> list[str]:
    response = await shop.owner.get(f"{CLIENTS}/{client_uuid}")
    return [o["uuid"] for o in response.json()["owners"]]


async def test_attach_detach_and_sync(shop: Cast) -> None:
    a, b, c = await people(shop, 3)
    shared = await joint(shop.firm, [a["uuid"]])
    target = owners_path(shared["uuid"])
    response = await shop.owner.post(target, {"mode": "attach", "owners": [b["uuid"], a["uuid"]]})
    assert response.status_code == 200, response.text
    body = response.json()
    shown = (await shop.owner.get(f"{CLIENTS}/{shared['uuid']}")).json()
    assert body == shown  # the client, as its GET shows it
    assert sorted(o["uuid"] for o in body["owners"]) == sorted([a["uuid"], b["uuid"]])
    assert compact_of(b) in body["owners"]
    response = await shop.owner.post(target, {"mode": "detach", "owners": [a["uuid"], c["uuid"]]})
    assert response.status_code == 200, response.text
    assert await shown_owners(shop, shared["uuid"]) == [b["uuid"]]
    response = await shop.owner.post(target, {"mode": "sync", "owners": [c["uuid"], a["uuid"]]})
    assert response.status_code == 200, response.text
    assert sorted(await shown_owners(shop, shared["uuid"])) == sorted([a["uuid"], c["uuid"]])


async def test_every_shape_rule_at_once(shop: Cast) -> None:
    [a] = await people(shop, 1)
    shared = await joint(shop.firm, [a["uuid"]])
    target = owners_path(shared["uuid"])
    assert_422(
        await shop.owner.post(target, {}), errors_of(("mode", REQUIRED), ("owners", REQUIRED))
    )
    assert_422(
        await shop.owner.post(target, {"mode": "merge", "owners": []}),
        errors_of(("mode", INVALID), ("owners", REQUIRED)),
    )
    assert_422(
        await shop.owner.post(target, {"mode": None, "owners": "x"}),
        errors_of(("mode", REQUIRED), ("owners", NOT_ARRAY)),
    )
    assert_422(
        await shop.owner.post(target, {"mode": "sync", "owners": ["nope", a["uuid"]]}),
        errors_of(("owners.0", NOT_UUID)),
    )
    # A malformed mode does not hide a bad owner, nor the client's kind.
    assert_422(
        await shop.owner.post(owners_path(a["uuid"]), {"mode": "merge", "owners": [unknown()]}),
        errors_of(("mode", INVALID), ("owners.0", INVALID), ("owners", SHARED_ONLY)),
    )
    eleven = [unknown() for _ in range(11)]
    assert_422(
        await shop.owner.post(target, {"mode": "attach", "owners": eleven}),
        errors_of(("owners", "The :a field must not have more than 10 items.")),
    )
    assert await shown_owners(shop, shared["uuid"]) == [a["uuid"]]


async def test_every_owner_rule_at_once(shop: Cast, rival: Firm) -> None:
    """Owners are individual clients of the firm, named once."""
    [a, b] = await people(shop, 2)
    shared = await joint(shop.firm, [a["uuid"]])
    other_shared = await joint(shop.firm, [a["uuid"]])
    staff = await employee(shop.owner)
    foreign = await rival.client_account()
    named = [
        b["uuid"],
        b["uuid"],
        unknown(),
        foreign["uuid"],
        other_shared["uuid"],
        staff["uuid"],
        shared["uuid"],
    ]
    response = await shop.owner.post(
        owners_path(shared["uuid"]), {"mode": "attach", "owners": named}
    )
    assert_422(
        response,
        errors_of(
            ("owners.1", DUPLICATE),
            ("owners.2", INVALID),
            ("owners.3", INVALID),
            ("owners.4", INVALID),
            ("owners.5", INVALID),
            ("owners.6", INVALID),
        ),
    )
    assert await shown_owners(shop, shared["uuid"]) == [a["uuid"]]


async def test_only_a_shared_client_has_owners(shop: Cast) -> None:
    [a, b] = await people(shop, 2)
    response = await shop.owner.post(
        owners_path(a["uuid"]), {"mode": "attach", "owners": [b["uuid"], unknown()]}
    )
    assert_422(response, errors_of(("owners.1", INVALID), ("owners", SHARED_ONLY)))
    assert await shown_owners(shop, a["uuid"]) == []


async def test_a_shared_client_keeps_one_to_ten_owners(shop: Cast) -> None:
    many = await people(shop, 11)
    shared = await joint(shop.firm, [many[0]["uuid"], many[1]["uuid"]])
    target = owners_path(shared["uuid"])
    every = [many[0]["uuid"], many[1]["uuid"], unknown()]
    response = await shop.owner.post(target, {"mode": "detach", "owners": every[:2]})
    assert_422(response, errors_of(("owners", KEEP_ONE)))
    rest = [p["uuid"] for p in many[2:]]
    response = await shop.owner.post(target, {"mode": "attach", "owners": rest})
    assert_422(response, errors_of(("owners", TOO_MANY)))
    response = await shop.owner.post(target, {"mode": "sync", "owners": rest})
    assert response.status_code == 200, response.text
    assert sorted(await shown_owners(shop, shared["uuid"])) == sorted(rest)


async def test_a_member_syncs_only_the_owners_it_sees(shop: Cast) -> None:
    seen, hidden, added = await people(shop, 3)
    shared = await joint(shop.firm, [seen["uuid"], hidden["uuid"]])
    await shop.firm.group([shared["uuid"], seen["uuid"], added["uuid"], shop.member.account_uuid])
    target = owners_path(shared["uuid"])
    # An owner the member cannot see is as unknown to it as a missing one.
    response = await shop.member.post(target, {"mode": "detach", "owners": [hidden["uuid"]]})
    assert_422(response, errors_of(("owners.0", INVALID)))
    response = await shop.member.post(target, {"mode": "sync", "owners": [added["uuid"]]})
    assert response.status_code == 200, response.text
    assert [o["uuid"] for o in response.json()["owners"]] == [added["uuid"]]
    assert sorted(await shown_owners(shop, shared["uuid"])) == sorted(
        [hidden["uuid"], added["uuid"]]
    )


async def test_who_may_change_owners(shop: Cast, rival: Firm) -> None:
    [a, b] = await people(shop, 2)
    shared = await joint(shop.firm, [a["uuid"]])
    body = {"mode": "attach", "owners": [b["uuid"]]}
    target = owners_path(shared["uuid"])
    # The member does not reach this client: it is as missing as another firm's.
    assert_body(await shop.member.post(target, body), 404, NOT_FOUND)
    assert_body(await shop.client.post(target, body), 404, NOT_FOUND)
    assert_body(await shop.readonly.post(target, body), 403, UNAUTHORIZED)
    theirs = await joint(rival, [(await rival.client_account())["uuid"]])
    assert_body(await shop.owner.post(owners_path(theirs["uuid"]), body), 404, NOT_FOUND)
    staff = await employee(shop.owner)
    assert_body(await shop.owner.post(owners_path(staff["uuid"]), body), 404, NOT_FOUND)
    assert (await shop.nodelete.post(target, body)).status_code == 200
    assert sorted(await shown_owners(shop, shared["uuid"])) == sorted([a["uuid"], b["uuid"]])

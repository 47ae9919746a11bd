"""POST /api/v1/group/{group_uuid}/participants: accounts are added to the group (those
already in it stay), rule by rule; who may add them."""

from __future__ import annotations

from tests.accounts.support import (
    ACCOUNTS,
    DUPLICATE,
    GROUPS,
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
    unknown,
)
from tests.helpers import Firm


def participants_path(group_uuid: str) -> str:
    return f"{GROUPS}/{group_uuid}/participants"


async def test_accounts_are_added_and_the_others_stay(shop: Cast) -> None:
    first = await shop.firm.client_account(first_name="Aaron")
    second = await shop.firm.client_account(first_name="Bella")
    staff = await employee(shop.owner, first_name="Cyril")
    group = await shop.firm.group([first["uuid"]])
    target = participants_path(group["uuid"])
    response = await shop.owner.post(target, {"participants": [staff["uuid"], second["uuid"]]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == (await shop.owner.get(f"{GROUPS}/{group['uuid']}")).json()
    assert body["participants"] == [compact_of(x) for x in (first, second, staff)]
    assert body["participants_count"] == 3
    assert {k: body[k] for k in ("uuid", "name", "slug")} == {
        k: group[k] for k in ("uuid", "name", "slug")
    }
    # Naming one already in the group changes nothing.
    again = await shop.owner.post(target, {"participants": [first["uuid"]]})
    assert_body(again, 200, body)


async def test_every_rule_at_once(shop: Cast, rival: Firm) -> None:
    first = await shop.firm.client_account()
    group = await shop.firm.group([first["uuid"]])
    target = participants_path(group["uuid"])
    assert_422(await shop.owner.post(target, {}), errors_of(("participants", REQUIRED)))
    assert_422(
        await shop.owner.post(target, {"participants": []}), errors_of(("participants", REQUIRED))
    )
    assert_422(
        await shop.owner.post(target, {"participants": {"a": 1}}),
        errors_of(("participants", NOT_ARRAY)),
    )
    foreign = await rival.client_account()
    named = [first["uuid"], "nope", first["uuid"], unknown(), foreign["uuid"]]
    response = await shop.owner.post(target, {"participants": named})
    assert_422(response, errors_of(("participants.1", NOT_UUID)))
    response = await shop.owner.post(target, {"participants": [n for n in named if n != "nope"]})
    assert_422(
        response,
        errors_of(
            ("participants.1", DUPLICATE),
            ("participants.2", INVALID),
            ("participants.3", INVALID),
        ),
    )
    response = await shop.owner.post(target, {"participants": [unknown() for _ in range(501)]})
    assert_422(
        response, errors_of(("participants", "The :a field must not have more than 500 items."))
    )
    shown = (await shop.owner.get(f"{GROUPS}/{group['uuid']}")).json()
    assert [p["uuid"] for p in shown["participants"]] == [first["uuid"]]


async def test_who_may_add_participants(shop: Cast, rival: Firm) -> None:
    client = await shop.firm.client_account()
    group = await shop.firm.group([shop.client.account_uuid])
    target = participants_path(group["uuid"])
    body = {"participants": [client["uuid"]]}
    assert_body(await shop.member.post(target, body), 403, UNAUTHORIZED)
    # The client caller sees the group it takes part in, and may not write it.
    assert_body(await shop.client.post(target, body), 403, UNAUTHORIZED)
    hidden = await shop.firm.group([])
    assert_body(await shop.client.post(participants_path(hidden["uuid"]), body), 404, NOT_FOUND)
    assert_body(await shop.readonly.post(target, body), 403, UNAUTHORIZED)
    theirs = await rival.group([])
    assert_body(await shop.owner.post(participants_path(theirs["uuid"]), body), 404, NOT_FOUND)
    for missing in (unknown(), "not-a-uuid"):
        assert_body(await shop.owner.post(participants_path(missing), body), 404, NOT_FOUND)
    response = await shop.nodelete.post(target, body)
    assert response.status_code == 200, response.text
    assert response.json()["participants_count"] == 2
    assert (await shop.owner.get(f"{ACCOUNTS}/{client['uuid']}")).status_code == 200

"""An account's client status and introducer: written as `client_status_uuid` and
`introduced_by_uuid`, shown as `client_status` and `introduced_by`, listed with
`filter[status]` and `filter[introduced_by]`."""

from __future__ import annotations

from typing import Any

import pytest

from tests.accounts.support import (
    ACCOUNTS,
    CLIENTS,
    INVALID,
    NOT_UUID,
    assert_422,
    compact_of,
    errors_of,
    listed,
    total,
    unknown,
)
from tests.helpers import Actor, Firm

STATUS_KEYS = ("name", "uuid", "colour", "created_at", "updated_at")


async def introducer(actor: Actor, **extra: Any) -> dict[str, Any]:
    body = {"type": "external", "role": "introducer", "first_name": "Ian", "last_name": "Intro"}
    return await actor.created(ACCOUNTS, {**body, **extra})


async def status(actor: Actor, name: str) -> dict[str, Any]:
    made = await actor.created("/api/v1/client-status", {"name": name, "colour": "#123456"})
    return {k: made[k] for k in STATUS_KEYS}


async def shown(actor: Actor, account: dict[str, Any]) -> dict[str, Any]:
    response = await actor.get(f"{ACCOUNTS}/{account['uuid']}")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def test_written_shown_changed_and_cleared(firm: Firm) -> None:
    active, lapsed = await status(firm.owner, "Active"), await status(firm.owner, "Lapsed")
    ian = await introducer(firm.owner)
    made = await firm.client_account(
        client_status_uuid=active["uuid"], introduced_by_uuid=ian["uuid"]
    )
    assert (made["client_status"], made["introduced_by"]) == (active, compact_of(ian))
    assert (await shown(firm.owner, made))["client_status"] == active
    path = f"{CLIENTS}/{made['uuid']}"
    changed = await firm.owner.put(path, {"client_status_uuid": lapsed["uuid"]})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["client_status"], changed.json()["introduced_by"]) == (
        lapsed, compact_of(ian))  # fmt: skip
    cleared = await firm.owner.put(path, {"client_status_uuid": None, "introduced_by_uuid": None})
    assert (cleared.json()["client_status"], cleared.json()["introduced_by"]) == (None, None)
    plain = await firm.client_account()
    assert (plain["client_status"], plain["introduced_by"]) == (None, None)


async def test_unknown_or_other_firms_records_are_refused(firm: Firm, other_firm: Firm) -> None:
    theirs_status = await status(other_firm.owner, "Active")
    theirs_introducer = await introducer(other_firm.owner)
    before = await total(firm.owner, ACCOUNTS)
    for status_uuid, introducer_uuid in (
        (unknown(), unknown()),
        (theirs_status["uuid"], theirs_introducer["uuid"]),
    ):
        body = {"first_name": "N", "last_name": "O", "client_status_uuid": status_uuid,
                "introduced_by_uuid": introducer_uuid}  # fmt: skip
        response = await firm.owner.post(CLIENTS, body)
        assert_422(
            response,
            errors_of(("introduced_by_uuid", INVALID), ("client_status_uuid", INVALID)),
        )
    assert await total(firm.owner, ACCOUNTS) == before
    one = await firm.client_account()
    refused = await firm.owner.put(
        f"{ACCOUNTS}/{one['uuid']}", {"introduced_by_uuid": theirs_introducer["uuid"]}
    )
    assert_422(refused, errors_of(("introduced_by_uuid", INVALID)))
    refused = await firm.owner.put(
        f"{ACCOUNTS}/{one['uuid']}", {"client_status_uuid": theirs_status["uuid"]}
    )
    assert_422(refused, errors_of(("client_status_uuid", INVALID)))
    assert await shown(firm.owner, one) == one


async def test_the_introducer_is_an_introducer(firm: Firm) -> None:
    staff = await firm.owner.created(
        ACCOUNTS, {"type": "employee", "role": "member", "first_name": "E", "last_name": "M"}
    )
    client = await firm.client_account()
    for who in (staff, client):
        response = await firm.owner.post(
            CLIENTS, {"first_name": "N", "last_name": "O", "introduced_by_uuid": who["uuid"]}
        )
        assert_422(response, errors_of(("introduced_by_uuid", INVALID)))
    malformed = await firm.owner.post(
        CLIENTS, {"first_name": "N", "last_name": "O", "client_status_uuid": "active"}
    )
    assert_422(malformed, errors_of(("client_status_uuid", NOT_UUID)))


@pytest.mark.parametrize("path", [ACCOUNTS, CLIENTS])
async def test_filters_narrow_the_list(firm: Firm, other_firm: Firm, path: str) -> None:
    active, inactive = await status(firm.owner, "Active"), await status(firm.owner, "Inactive")
    ian, ivy = await introducer(firm.owner), await introducer(firm.owner, first_name="Ivy")
    a = await firm.client_account(client_status_uuid=active["uuid"], introduced_by_uuid=ian["uuid"])
    b = await firm.client_account(
        client_status_uuid=inactive["uuid"], introduced_by_uuid=ivy["uuid"]
    )
    await firm.client_account()
    theirs = await introducer(other_firm.owner)

    async def where(name: str, value: str) -> list[str]:
        return await listed(firm.owner, path, **{f"filter[{name}]": value})

    # A status by a part of its name (any case) or by its UUID; comma-separated: any of.
    assert await where("status", "active") == [a["uuid"], b["uuid"]]
    assert await where("status", "INACT") == [b["uuid"]]
    assert await where("status", active["uuid"]) == [a["uuid"]]
    assert await where("status", f"nothing,{inactive['uuid']}") == [b["uuid"]]
    assert await where("status", "%") == []
    assert await where("introduced_by", ian["uuid"]) == [a["uuid"]]
    assert await where("introduced_by", f"{ian['uuid']},{ivy['uuid']}") == [a["uuid"], b["uuid"]]
    assert await where("introduced_by", theirs["uuid"]) == []
    assert await where("introduced_by", unknown()) == []
    refused = await firm.owner.get(path, params={"filter[introduced_by]": "ian"})
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"] == {
        "filter.introduced_by": [
            "The filter.introduced by filter must be a comma-separated list of UUIDs."
        ]
    }


async def test_deleting_the_status_or_introducer_leaves_the_account(firm: Firm) -> None:
    active, ian = await status(firm.owner, "Active"), await introducer(firm.owner)
    made = await firm.client_account(
        client_status_uuid=active["uuid"], introduced_by_uuid=ian["uuid"]
    )
    for path in (f"/api/v1/client-status/{active['uuid']}", f"{ACCOUNTS}/{ian['uuid']}"):
        assert (await firm.owner.delete(path)).status_code == 204
    after = await shown(firm.owner, made)
    assert (after["client_status"], after["introduced_by"]) == (None, None)
    assert await listed(firm.owner, CLIENTS, **{"filter[status]": "Active"}) == []


async def test_visibility_is_unchanged(firm: Firm) -> None:
    """A member lists only the clients it reaches, filtered or not, and sees their
    introducer; a client login sees its status but not the introducer it cannot open,
    and a filter naming that introducer matches nothing for it."""
    member = await firm.actor(role="member")
    login = await firm.actor(type="client", role="individual")
    active, ian = await status(firm.owner, "Active"), await introducer(firm.owner)
    named = {"client_status_uuid": active["uuid"], "introduced_by_uuid": ian["uuid"]}
    reached = await firm.client_account(**named)
    hidden = await firm.client_account(**named)
    await firm.group([member.account_uuid, reached["uuid"]])
    mine = await firm.owner.put(f"{ACCOUNTS}/{login.account_uuid}", named)
    assert mine.status_code == 200, mine.text
    for filters in ({}, {"filter[status]": "Active"}, {"filter[introduced_by]": ian["uuid"]}):
        assert await listed(member, CLIENTS, **filters) == [reached["uuid"]]
    everyone = await listed(firm.owner, CLIENTS, **{"filter[introduced_by]": ian["uuid"]})
    assert everyone == [login.account_uuid, reached["uuid"], hidden["uuid"]]
    assert (await shown(member, reached))["introduced_by"] == compact_of(ian)
    own = await shown(login, {"uuid": login.account_uuid})
    assert (own["client_status"], own["introduced_by"]) == (active, None)
    assert await listed(login, CLIENTS, **{"filter[status]": active["uuid"]}) == [
        login.account_uuid]  # fmt: skip
    assert await listed(login, CLIENTS, **{"filter[introduced_by]": ian["uuid"]}) == []

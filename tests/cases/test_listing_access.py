"""Case lists (pagination, filters, sorts), visibility by role, permissions, isolation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import Firm
from tests.records_support import (
    CASES,
    INVALID,
    NOT_FOUND,
    UNAUTHORIZED,
    Cast,
    assert_body,
    assert_meta,
    invalid,
    listed,
    not_allowed,
    say,
)


async def _case(firm: Firm, participants: list[str], **extra: Any) -> dict[str, Any]:
    body = {"name": extra.pop("name", "Case"), "participants": participants, **extra}
    return await firm.owner.created(CASES, body)


async def _names(firm: Firm, **params: str) -> list[str]:
    response = await firm.owner.get(CASES, params={"per_page": "500", **params})
    assert response.status_code == 200, response.text
    return [c["name"] for c in response.json()["data"]]


async def test_list_pagination_sorts_and_filters(firm: Firm) -> None:
    a, b = (await firm.client_account())["uuid"], (await firm.client_account())["uuid"]
    group = (await firm.group([]))["uuid"]
    made = [
        await _case(firm, [a], name="Delta", value=300, review_at="2026-03-01"),
        await _case(firm, [b], name="Alpha", value=100, group_uuids=[group]),
        await _case(firm, [a, b], name="Charlie", review_at="2026-01-01"),
        await _case(firm, [b], name="Bravo", value=200, review_at="2026-02-01"),
    ]
    response = await firm.owner.get(CASES, params={"per_page": "3", "page": "2"})
    assert response.status_code == 200, response.text
    assert_meta(response.json(), total=4, page=2, per_page=3)
    assert [c["name"] for c in response.json()["data"]] == ["Bravo"]
    assert await _names(firm) == ["Delta", "Alpha", "Charlie", "Bravo"]
    assert await _names(firm, sort="-created_at") == ["Bravo", "Charlie", "Alpha", "Delta"]
    assert await _names(firm, sort="name") == ["Alpha", "Bravo", "Charlie", "Delta"]
    assert await _names(firm, sort="value") == ["Alpha", "Bravo", "Delta", "Charlie"]
    assert await _names(firm, sort="-value") == ["Delta", "Bravo", "Alpha", "Charlie"]
    assert await _names(firm, sort="review_at") == ["Charlie", "Bravo", "Delta", "Alpha"]
    assert await _names(firm, **{"filter[name]": "LTA"}) == ["Delta"]
    assert await _names(firm, **{"filter[uuid]": made[2]["uuid"]}) == ["Charlie"]
    assert await _names(firm, **{"filter[participant_uuids]": a}) == ["Delta", "Charlie"]
    both = {"filter[participant_uuids]": f"{a},{b}", "filter[group_uuids]": group}
    assert await _names(firm, **both) == ["Alpha"]


async def test_bad_list_parameters(firm: Firm) -> None:
    response = await firm.owner.get(CASES, params={"filter[client_uuid]": "x"})
    allowed = "uuid, name, participant_uuids, group_uuids"
    allowed += ", status, type, plan_uuid, account_uuids, employee_account_uuids, circle_uuids"
    allowed += ", completed, in_progress, review_at_after, review_at_before, completed_after"
    allowed += ", completed_before, tags"
    assert_body(response, 400, not_allowed("filter", "client_uuid", allowed))
    response = await firm.owner.get(CASES, params={"sort": "-status"})
    allowed = "created_at, updated_at, name, review_at, value, status_position, completed_at"
    assert_body(response, 400, not_allowed("sort", "status", allowed))
    response = await firm.owner.get(CASES, params={"filter[group_uuids]": "nope"})
    message = "The filter.group uuids filter must be a comma-separated list of UUIDs."
    assert_body(response, 422, {"message": message, "errors": {"filter.group_uuids": [message]}})


async def test_member_sees_cases_through_groups_clients_and_assignment(firm: Firm) -> None:
    member = await firm.actor(role="member")
    reached, other = (await firm.client_account())["uuid"], (await firm.client_account())["uuid"]
    in_circle = (await firm.client_account())["uuid"]
    group = (await firm.group([member.account_uuid, reached]))["uuid"]
    await firm.circle([in_circle, other], group_uuids=[group])
    seen = [
        await _case(firm, [reached], name="via participant"),
        await _case(firm, [other], name="via case group", group_uuids=[group]),
        await _case(firm, [other], name="via assignment", assigned_to_uuids=[member.account_uuid]),
        await _case(firm, [in_circle], name="via circle"),
    ]
    hidden = await _case(firm, [(await firm.client_account())["uuid"]], name="hidden")
    assert await listed(member, CASES) == [c["uuid"] for c in seen]
    for case in seen:
        assert_body(await member.get(f"{CASES}/{case['uuid']}"), 200, case)
    path = f"{CASES}/{hidden['uuid']}"
    assert_body(await member.get(path), 404, NOT_FOUND)
    assert_body(await member.put(path, {"name": "x"}), 404, NOT_FOUND)
    assert_body(await member.delete(path), 404, NOT_FOUND)
    assert (await firm.owner.get(path)).json() == hidden


async def test_member_writes_with_clients_they_reach(firm: Firm) -> None:
    member = await firm.actor(role="member")
    reached, unreached = (
        (await firm.client_account())["uuid"],
        (await firm.client_account())["uuid"],
    )
    await firm.group([member.account_uuid, reached])
    made = await member.created(CASES, {"name": "Mine", "participants": [reached]})
    response = await member.post(CASES, {"name": "Not mine", "participants": [unreached]})
    assert_body(response, 422, invalid({"participants.0": [say(INVALID, "participants.0")]}))
    path = f"{CASES}/{made['uuid']}"
    response = await member.put(path, {"participants": [reached, unreached]})
    assert_body(response, 422, invalid({"participants.1": [say(INVALID, "participants.1")]}))
    assert (await member.put(path, {"name": "Renamed"})).json()["name"] == "Renamed"
    assert (await member.delete(path)).status_code == 204


async def test_client_sees_only_cases_they_take_part_in_and_never_writes(shop: Cast) -> None:
    me = shop.client.account_uuid
    other = (await shop.firm.client_account())["uuid"]
    mine = await _case(shop.firm, [me, other], name="Mine")
    theirs = await _case(shop.firm, [other], name="Theirs")
    assert await listed(shop.client, CASES) == [mine["uuid"]]
    # The other participant is not an account the client may open: neither listed nor counted.
    alone = [p for p in mine["participants"] if p["uuid"] == me]
    body = {**mine, "participants": alone, "participants_count": 1}
    assert_body(await shop.client.get(f"{CASES}/{mine['uuid']}"), 200, body)
    assert_body(await shop.client.get(f"{CASES}/{theirs['uuid']}"), 404, NOT_FOUND)
    path = f"{CASES}/{mine['uuid']}"
    assert_body(
        await shop.client.post(CASES, {"name": "x", "participants": [me]}), 403, UNAUTHORIZED
    )
    assert_body(await shop.client.put(path, {"name": "x"}), 403, UNAUTHORIZED)
    assert_body(await shop.client.delete(path), 403, UNAUTHORIZED)
    assert_body(await shop.owner.get(path), 200, mine)


async def test_write_and_delete_permissions(shop: Cast) -> None:
    client = (await shop.firm.client_account())["uuid"]
    made = await _case(shop.firm, [client], name="Guarded")
    path = f"{CASES}/{made['uuid']}"
    before = await listed(shop.owner, CASES)
    body = {"name": "Nope", "participants": [client]}
    assert_body(await shop.readonly.post(CASES, body), 403, UNAUTHORIZED)
    assert_body(await shop.readonly.put(path, {"name": "Nope"}), 403, UNAUTHORIZED)
    assert_body(await shop.readonly.delete(path), 403, UNAUTHORIZED)
    assert_body(await shop.nodelete.delete(path), 403, UNAUTHORIZED)
    assert await listed(shop.owner, CASES) == before
    assert_body(await shop.readonly.get(path), 200, made)
    assert (await shop.nodelete.put(path, {"name": "Renamed"})).status_code == 200
    assert (await shop.admin.delete(path)).status_code == 204


@pytest.mark.parametrize("method", ["get", "put", "delete"])
async def test_another_firm_gets_404(shop: Cast, rival: Firm, method: str) -> None:
    client = (await shop.firm.client_account())["uuid"]
    made = await _case(shop.firm, [client], name="Private")
    path = f"{CASES}/{made['uuid']}"
    call = getattr(rival.owner, method)
    response = await (call(path, {"name": "x"}) if method == "put" else call(path))
    assert_body(response, 404, NOT_FOUND)
    assert made["uuid"] not in await listed(rival.owner, CASES)
    assert await listed(rival.owner, CASES, **{"filter[participant_uuids]": client}) == []
    assert_body(await shop.owner.get(path), 200, made)

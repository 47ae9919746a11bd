"""Replay of Plannr's group pages."""

from __future__ import annotations

import pytest

from tests.helpers import Firm
from tests.replay.support import INT, STR, assert_list, check_types, page, round_trip

LIST = page("operation-get-api-v1-group")
LIST_OLD = page("operation-getapiv1group")
CREATE = page("operation-postapiv1group")
UPDATE = page("operation-putapiv1groupuuid")
GROUPS = "/api/v1/group"
# participants_count is a number here (the page's example shows "3"; see docs/API.md).
GROUP = {"uuid": STR, "name": STR, "slug": STR, "participants_count": INT,
         "participants": {"uuid": STR, "name": STR, "type": STR, "role": STR}}  # fmt: skip


@pytest.mark.parametrize(
    "query",
    [{}, {"filter[uuid]": "e8f971be-6ca0-4a03-9574-edf5277468b4"}, {"filter[name]": "fin"},
     {"sort": "created_at"}, {"sort": "-name"}, {"sort": "updated_at"}, {"per_page": "500"}],
    ids=str,
)  # fmt: skip
async def test_list(firm: Firm, query: dict[str, str]) -> None:
    """LIST (newest: filter[uuid], filter[name], sort, per_page; LIST_OLD: per_page)."""
    client = await firm.client_account()
    await firm.group([client["uuid"]])
    for item in assert_list(await firm.owner.get(GROUPS, params=query))["data"]:
        check_types(item, GROUP)


async def test_create_example(firm: Firm) -> None:
    """CREATE: name and participants (account UUIDs)."""
    one, two = await firm.client_account(), await firm.client_account()
    body = {"name": "finance", "participants": [one["uuid"], two["uuid"]]}
    response = await firm.owner.post(GROUPS, body)
    assert response.status_code == 201, response.text
    made = response.json()
    check_types(made, GROUP)
    assert (made["slug"], made["participants_count"]) == ("finance", 2)


async def test_round_trip(firm: Firm) -> None:
    """GET then PUT the body back: participants go back as the objects shown."""
    client = await firm.client_account()
    made = await firm.group([client["uuid"]])
    await round_trip(firm.owner, f"{GROUPS}/{made['uuid']}")


async def test_update_example(firm: Firm) -> None:
    """UPDATE: {"name": "Accounting"}; the slug follows the name."""
    made = await firm.group([])
    response = await firm.owner.put(f"{GROUPS}/{made['uuid']}", {"name": "Accounting"})
    assert response.status_code == 200, response.text
    assert (response.json()["name"], response.json()["slug"]) == ("Accounting", "accounting")

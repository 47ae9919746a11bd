"""Client statuses (the documented shape, default sort by name, colours) and the static
nationalities list (public: no token, no acting account)."""

from __future__ import annotations

import httpx

from tests.helpers import Firm
from tests.records_support import Cast, assert_body, invalid, listed, unknown

CLIENT_STATUSES = "/api/v1/client-status"
NATIONALITIES = "/api/v1/static/nationalities"


async def test_client_statuses_list_by_name_in_the_documented_shape(shop: Cast) -> None:
    tag = unknown()[:8]
    body = {"name": f"On Hold {tag}", "colour": "#FFFFFF"}
    hold = await shop.owner.created(CLIENT_STATUSES, body)
    active = await shop.owner.created(CLIENT_STATUSES, {"name": f"Active {tag}"})
    assert list(hold) == ["name", "uuid", "colour", "created_at", "updated_at"]
    assert hold["colour"] == "#FFFFFF"
    assert active["colour"].startswith("#") and len(active["colour"]) == 7
    mine = {"filter[uuid]": f"{hold['uuid']},{active['uuid']}"}
    assert await listed(shop.member, CLIENT_STATUSES, **mine) == [active["uuid"], hold["uuid"]]
    assert await listed(shop.owner, CLIENT_STATUSES, **mine, sort="-created_at") == [
        active["uuid"],
        hold["uuid"],
    ]
    renamed = await shop.owner.put(f"{CLIENT_STATUSES}/{hold['uuid']}", {"name": "Inactive"})
    assert (renamed.json()["name"], renamed.json()["colour"]) == ("Inactive", "#FFFFFF")


async def test_bad_client_status_bodies_and_callers_are_refused(shop: Cast, rival: Firm) -> None:
    response = await shop.owner.post(CLIENT_STATUSES, {"colour": "#FFF"})
    expected = {
        "name": ["The name field is required."],
        "colour": ["The colour field must be a valid hexadecimal color."],
    }
    assert_body(response, 422, invalid(expected))
    response = await shop.member.post(CLIENT_STATUSES, {"name": "Nope"})
    assert_body(response, 403, {"message": "This action is unauthorized."})
    made = await shop.owner.created(CLIENT_STATUSES, {"name": f"Ours {unknown()[:8]}"})
    assert made["uuid"] not in await listed(rival.owner, CLIENT_STATUSES)


async def test_nationalities_are_public_reference_data(client: httpx.AsyncClient) -> None:
    response = await client.get(NATIONALITIES)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert list(response.json()) == ["data"]
    assert all(list(item) == ["nationality"] for item in data)
    names = [item["nationality"] for item in data]
    assert {"British", "Romanian", "Irish", "French"} <= set(names)
    assert names == sorted(names, key=str.lower) and len(set(names)) == len(names)


async def test_nationalities_ignore_credentials(shop: Cast, client: httpx.AsyncClient) -> None:
    public = await client.get(NATIONALITIES)
    assert (await shop.owner.get(NATIONALITIES)).json() == public.json()
    bad = await client.get(NATIONALITIES, headers={"Authorization": "Bearer nonsense"})
    assert (bad.status_code, bad.json()) == (200, public.json())

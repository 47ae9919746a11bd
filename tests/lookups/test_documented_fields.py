"""Documented fields the circle resource gained: its background colour (written, or one
of the palette's), its photo, and its joint client, which follows the viewer."""

from __future__ import annotations

from tests.accounts.support import joint
from tests.records_support import Cast, assert_body, invalid

CIRCLES = "/api/v1/circles"


async def test_a_circle_names_its_joint_client_to_those_who_may_open_it(shop: Cast) -> None:
    adam, eve = await shop.firm.client_account(), await shop.firm.client_account()
    couple = await joint(shop.firm, [adam["uuid"], eve["uuid"]])
    circle = await shop.firm.circle([adam["uuid"], couple["uuid"]])
    assert circle["joint_account_uuid"] == couple["uuid"]
    # A member who reaches the individual client but not the joint one sees no joint client.
    await shop.firm.group([adam["uuid"], shop.member.account_uuid])
    as_member = await shop.member.get(f"{CIRCLES}/{circle['uuid']}")
    assert as_member.status_code == 200, as_member.text
    assert as_member.json()["joint_account_uuid"] is None
    assert couple["uuid"] not in as_member.text


async def test_bg_colour_is_written_and_defaults_to_the_palettes(shop: Cast) -> None:
    a, b = await shop.firm.client_account(), await shop.firm.client_account()
    circle = await shop.firm.circle([a["uuid"], b["uuid"]])
    chosen = circle["bg_colour"]
    assert chosen.startswith("#") and len(chosen) == 7
    one = f"{CIRCLES}/{circle['uuid']}"
    response = await shop.owner.put(one, {"bg_colour": "#DDDDDD"})
    assert response.json()["bg_colour"] == "#DDDDDD"
    response = await shop.owner.put(one, {"bg_colour": "grey", "name": "Renamed"})
    message = "The bg colour field must be a valid hexadecimal color."
    assert_body(response, 422, invalid({"bg_colour": [message]}))
    # Null gives the colour back to the palette.
    assert (await shop.owner.put(one, {"bg_colour": None})).json()["bg_colour"] == chosen

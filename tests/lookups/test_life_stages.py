"""Life stages: a new stage goes last, both ages or neither, the bounds of an age, the
firm reads and managers write, no delete; and a circle naming one."""

from __future__ import annotations

from tests.helpers import Firm
from tests.records_support import (
    NOT_INT,
    Cast,
    assert_body,
    assert_rejected,
    invalid,
    listed,
    say,
    total,
    unknown,
)

STAGES = "/api/v1/life-stage"
CIRCLES = "/api/v1/circles"
START_WITH_END = "The start age field is required when end age is present."
END_WITH_START = "The end age field is required when start age is present."


async def test_stages_go_last_in_the_documented_shape(shop: Cast) -> None:
    tag = unknown()[:8]
    first = await shop.owner.created(STAGES, {"name": f"Now {tag}", "start_age": 21, "end_age": 28})
    second = await shop.admin.created(STAGES, {"name": f"Later {tag}"})
    keys = ["name", "uuid", "end_age", "position", "sections", "start_age"]
    keys += ["created_at", "updated_at"]
    assert list(first) == keys
    assert (first["start_age"], first["end_age"]) == ("21", "28")
    assert (second["start_age"], second["end_age"]) == (None, None)
    assert int(second["position"]) == int(first["position"]) + 1
    mine = {"filter[name]": tag}
    # Everyone in the firm reads them, in the firm's order.
    for reader in (shop.member, shop.client, shop.readonly):
        assert await listed(reader, STAGES, **mine) == [first["uuid"], second["uuid"]]
    assert await listed(shop.owner, STAGES, **mine, sort="-position") == [
        second["uuid"],
        first["uuid"],
    ]
    shown = await shop.client.get(f"{STAGES}/{first['uuid']}")
    assert (shown.status_code, shown.json()) == (200, first)


async def test_ages_come_together_on_create(shop: Cast) -> None:
    before = await total(shop.owner, STAGES)
    for body, errors in (
        ({"name": "A", "start_age": 21}, {"end_age": [END_WITH_START]}),
        ({"name": "A", "end_age": 28, "start_age": None}, {"start_age": [START_WITH_END]}),
        # A malformed age is reported as such, not as missing.
        (
            {"name": "A", "start_age": "x", "end_age": 28},
            {"start_age": [say(NOT_INT, "start_age")]},
        ),
        (
            {"name": "A", "start_age": -1, "end_age": 151},
            {
                "start_age": ["The start age field must be at least 0."],
                "end_age": ["The end age field must not be greater than 150."],
            },
        ),
        ({}, {"name": ["The name field is required."]}),
    ):
        response = await shop.owner.post(STAGES, body)
        await assert_rejected(shop.owner, response, 422, invalid(errors), STAGES, before)
    # Integer strings are integers, as Laravel reads them; null ages are no ages.
    made = await shop.owner.created(STAGES, {"name": "S", "start_age": "0", "end_age": "150"})
    assert (made["start_age"], made["end_age"]) == ("0", "150")
    plain = await shop.owner.created(STAGES, {"name": "N", "start_age": None, "end_age": None})
    assert (plain["start_age"], plain["end_age"]) == (None, None)


async def test_update_needs_a_name_and_both_ages(shop: Cast) -> None:
    made = await shop.owner.created(STAGES, {"name": "Retire", "start_age": 60, "end_age": 90})
    path = f"{STAGES}/{made['uuid']}"
    for body, errors in (
        ({"start_age": 61, "end_age": 91}, {"name": ["The name field is required."]}),
        ({"name": None}, {"name": ["The name field is required."]}),
        ({"name": "R", "end_age": 91}, {"start_age": [START_WITH_END]}),
        ({"name": "R", "start_age": 61, "end_age": None}, {"end_age": [END_WITH_START]}),
    ):
        assert_body(await shop.owner.put(path, body), 422, invalid(errors))
        assert (await shop.owner.get(path)).json() == made
    # Ages left out stay; both given change; both null clear.
    renamed = (await shop.owner.put(path, {"name": "Retirement"})).json()
    assert (renamed["name"], renamed["start_age"], renamed["end_age"]) == ("Retirement", "60", "90")
    moved = (await shop.owner.put(path, {"name": "R", "start_age": 65, "end_age": 95})).json()
    assert (moved["start_age"], moved["end_age"], moved["position"]) == (
        "65",
        "95",
        made["position"],
    )
    cleared = (await shop.owner.put(path, {"name": "R", "start_age": None, "end_age": None})).json()
    assert (cleared["start_age"], cleared["end_age"]) == (None, None)


async def test_only_managers_write_and_nobody_deletes(shop: Cast, rival: Firm) -> None:
    made = await shop.owner.created(STAGES, {"name": f"Ours {unknown()[:8]}"})
    path = f"{STAGES}/{made['uuid']}"
    forbidden = {"message": "This action is unauthorized."}
    for actor in (shop.member, shop.client, shop.readonly):
        assert_body(await actor.post(STAGES, {"name": "No"}), 403, forbidden)
        assert_body(await actor.put(path, {"name": "No"}), 403, forbidden)
    # Plannr documents no delete: the route does not exist, for the owner too.
    assert_body(await shop.owner.delete(path), 405, {"message": "Method not allowed."})
    assert (await shop.owner.get(path)).json() == made
    assert made["uuid"] not in await listed(rival.owner, STAGES)
    assert_body(await rival.owner.get(path), 404, {"message": "Not found."})


async def test_a_circle_names_a_stage_made_through_the_api(shop: Cast, rival: Firm) -> None:
    stage = await shop.owner.created(STAGES, {"name": "Current Lifestyle"})
    account = (await shop.firm.client_account())["uuid"]
    body = {"name": "Staged", "account_uuids": [account], "current_life_stage_uuid": stage["uuid"]}
    circle = await shop.owner.created(CIRCLES, body)
    assert circle["current_life_stage_uuid"] == stage["uuid"]
    shown = (await shop.owner.get(f"{CIRCLES}/{circle['uuid']}")).json()
    assert shown["current_life_stage_uuid"] == stage["uuid"]
    # Another firm's stage is no stage of this firm.
    theirs = await rival.owner.created(STAGES, {"name": "Theirs"})
    refused = await shop.owner.put(
        f"{CIRCLES}/{circle['uuid']}", {"current_life_stage_uuid": theirs["uuid"]}
    )
    errors = {"current_life_stage_uuid": ["The selected current life stage uuid is invalid."]}
    assert_body(refused, 422, invalid(errors))

"""Replay of Plannr's life-stage pages."""

from __future__ import annotations

from tests.helpers import Firm
from tests.replay.support import (
    NULL,
    STR,
    assert_list,
    check_types,
    page,
    round_trip,
)  # fmt: skip

LIST = page("operation-getapiv1lifestage")
SHOW = page("operation-get-api-v1-life-stage-parameter")
CREATE = page("operation-post-api-v1-life-stage")
UPDATE = page("operation-putapiv1lifestagelifestage_uuid")
STAGES = "/api/v1/life-stage"
# The pages type position and the ages as strings, and show them so ("28", "1").
STAGE = {"uuid": STR, "name": STR, "position": STR, "start_age": (STR, NULL),
         "end_age": (STR, NULL), "created_at": STR, "updated_at": STR}  # fmt: skip
EXAMPLE = {"name": "Current Lifestyle", "start_age": 21, "end_age": 28}


async def test_create_example(firm: Firm) -> None:
    """CREATE: the page's example body; the documented fields, the ages as it shows them.
    The page shows 200; this server answers 201, as every create here does."""
    response = await firm.owner.post(STAGES, EXAMPLE)
    assert response.status_code == 201, response.text
    made = response.json()
    check_types(made, STAGE)
    assert (made["name"], made["start_age"], made["end_age"]) == ("Current Lifestyle", "21", "28")
    assert made["position"] == "1"  # the firm's first stage


async def test_list_holds_all_the_firms_stages_in_order(firm: Firm) -> None:
    """LIST: every stage of the firm, in `data`, by position (the page documents no
    parameters; the house's paginated shape is kept)."""
    made = [await firm.owner.created(STAGES, {"name": name}) for name in ("Now", "Later")]
    body = assert_list(await firm.owner.get(STAGES))
    for item in body["data"]:
        check_types(item, STAGE)
    assert [s["uuid"] for s in body["data"]] == [s["uuid"] for s in made]
    assert [s["position"] for s in body["data"]] == ["1", "2"]


async def test_show(firm: Firm) -> None:
    """SHOW: the stage by its UUID, with the documented fields."""
    made = await firm.owner.created(STAGES, EXAMPLE)
    response = await firm.owner.get(f"{STAGES}/{made['uuid']}")
    assert (response.status_code, response.json()) == (200, made)
    check_types(response.json(), STAGE)


async def test_update_example_and_round_trip(firm: Firm) -> None:
    """UPDATE: name required, the ages together; a stage read and written back is
    unchanged."""
    made = await firm.owner.created(STAGES, {"name": "Later"})
    path = f"{STAGES}/{made['uuid']}"
    response = await firm.owner.put(path, EXAMPLE)
    assert response.status_code == 200, response.text
    check_types(response.json(), STAGE)
    assert (response.json()["start_age"], response.json()["end_age"]) == ("21", "28")
    await round_trip(firm.owner, path)


async def test_sections_are_shown(firm: Firm) -> None:
    """SHOW: `sections`, the stage's expenditure sections with their fields: none, as
    no operation served here writes them."""
    made = await firm.owner.created(STAGES, EXAMPLE)
    assert (await firm.owner.get(f"{STAGES}/{made['uuid']}")).json()["sections"] == []

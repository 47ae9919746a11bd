"""Case statuses and case types: the documented shapes, positions appended, colours
chosen, and the writes managers alone make."""

from __future__ import annotations

from tests.helpers import Firm
from tests.records_support import (
    TIMESTAMP,
    UUID_RE,
    Cast,
    assert_body,
    invalid,
    listed,
    unknown,
)

STATUSES = "/api/v1/cases-status"
TYPES = "/api/v1/cases-type"
FORBIDDEN = {"message": "This action is unauthorized."}


async def test_a_status_renders_the_documented_keys_and_goes_last(shop: Cast) -> None:
    tag = unknown()[:8]
    first = await shop.owner.created(STATUSES, {"name": f"In Progress {tag}", "colour": "#23852B"})
    second = await shop.owner.created(STATUSES, {"name": f"Done {tag}", "is_type_completed": True})
    assert list(first) == [
        "name",
        "uuid",
        "colour",
        "position",
        "created_at",
        "updated_at",
        "is_type_completed",
    ]
    assert UUID_RE.match(first["uuid"]) and TIMESTAMP.match(first["created_at"])
    assert (first["colour"], first["is_type_completed"]) == ("#23852B", False)
    assert second["position"] == first["position"] + 1
    # A colour is chosen for a status made without one (the palette's, by position).
    assert second["colour"].startswith("#") and len(second["colour"]) == 7
    assert second["is_type_completed"] is True
    assert_body(await shop.member.get(f"{STATUSES}/{first['uuid']}"), 200, first)


async def test_a_status_update_moves_and_recolours_it(shop: Cast) -> None:
    made = await shop.owner.created(STATUSES, {"name": f"Review {unknown()[:8]}"})
    change = {"name": "To Be Reviewed", "colour": "#23852B", "position": 5}
    response = await shop.owner.put(f"{STATUSES}/{made['uuid']}", change)
    assert response.status_code == 200, response.text
    assert {k: response.json()[k] for k in change} == change
    # Null leaves the colour as it is.
    kept = await shop.owner.put(f"{STATUSES}/{made['uuid']}", {"colour": None})
    assert {k: kept.json()[k] for k in change} == change


async def test_bad_status_bodies_are_refused_whole(shop: Cast) -> None:
    before = await listed(shop.owner, STATUSES)
    response = await shop.owner.post(STATUSES, {"name": "", "colour": "green"})
    assert_body(
        response,
        422,
        invalid(
            {
                "name": ["The name field is required."],
                "colour": ["The colour field must be a valid hexadecimal color."],
            }
        ),
    )
    made = await shop.owner.created(STATUSES, {"name": f"Kept {unknown()[:8]}"})
    response = await shop.owner.put(f"{STATUSES}/{made['uuid']}", {"position": 0, "name": "New"})
    assert_body(response, 422, invalid({"position": ["The position field must be at least 1."]}))
    assert_body(await shop.owner.get(f"{STATUSES}/{made['uuid']}"), 200, made)
    assert len(await listed(shop.owner, STATUSES)) == len(before) + 1


async def test_members_read_but_do_not_write_statuses_or_types(shop: Cast) -> None:
    for path in (STATUSES, TYPES):
        response = await shop.member.post(path, {"name": "Nope"})
        assert_body(response, 403, FORBIDDEN)
        assert (await shop.member.get(path)).status_code == 200


async def test_a_type_renders_the_documented_keys_and_lists_by_name(shop: Cast) -> None:
    tag = unknown()[:8]
    zed = await shop.owner.created(TYPES, {"name": f"Zed {tag}"})
    mortgage = await shop.owner.created(TYPES, {"name": f"Mortgage Plan {tag}"})
    assert list(mortgage) == ["name", "uuid", "created_at", "updated_at"]
    assert mortgage["name"] == f"Mortgage Plan {tag}"
    named = await listed(shop.owner, TYPES, **{"filter[name]": tag})
    assert named == [mortgage["uuid"], zed["uuid"]]


async def test_another_firms_statuses_and_types_are_not_listed(shop: Cast, rival: Firm) -> None:
    made = await shop.owner.created(STATUSES, {"name": f"Mine {unknown()[:8]}"})
    kind = await shop.owner.created(TYPES, {"name": f"Mine {unknown()[:8]}"})
    assert made["uuid"] not in await listed(rival.owner, STATUSES)
    assert kind["uuid"] not in await listed(rival.owner, TYPES)

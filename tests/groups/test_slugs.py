"""Group slugs: derived from the name, unique per firm, suffixed -2, -3..."""

from __future__ import annotations

import asyncio

from tests.accounts.support import GROUPS
from tests.helpers import Firm


async def test_slugs_are_unique_per_firm(firm: Firm, rival: Firm) -> None:
    slugs = [(await firm.group([], name="North Team"))["slug"] for _ in range(3)]
    assert slugs == ["north-team", "north-team-2", "north-team-3"]
    assert (await rival.group([], name="North Team"))["slug"] == "north-team"


async def test_slugs_are_ascii_words(firm: Firm) -> None:
    # The name is kept as given; only the slug is derived.
    odd = await firm.group([], name="  Ünïcode & Co!  ")
    assert (odd["name"], odd["slug"]) == ("  Ünïcode & Co!  ", "unicode-co")
    assert (await firm.group([], name="!!!"))["slug"] == "group"
    assert (await firm.group([], name="100%_done"))["slug"] == "100-done"
    assert (await firm.group([], name="100% done"))["slug"] == "100-done-2"


async def test_a_similar_prefix_is_not_a_clash(firm: Firm) -> None:
    await firm.group([], name="Team 2")
    assert (await firm.group([], name="Team"))["slug"] == "team"
    assert (await firm.group([], name="Team"))["slug"] == "team-3"


async def test_renaming_moves_the_slug(firm: Firm) -> None:
    first = await firm.group([], name="South")
    second = await firm.group([], name="West")
    path = f"{GROUPS}/{second['uuid']}"
    same = (await firm.owner.put(path, {"name": "West"})).json()
    assert same["slug"] == "west"
    taken = (await firm.owner.put(path, {"name": "South"})).json()
    assert (taken["name"], taken["slug"]) == ("South", "south-2")
    assert (await firm.owner.get(f"{GROUPS}/{first['uuid']}")).json()["slug"] == "south"
    back = (await firm.owner.put(path, {"name": "South"})).json()
    assert back["slug"] == "south-2"


async def test_concurrent_creates_of_one_name_all_succeed(firm: Firm) -> None:
    responses = await asyncio.gather(
        *[firm.owner.post(GROUPS, {"name": "Race Team"}) for _ in range(6)]
    )
    assert [r.status_code for r in responses] == [201] * 6
    slugs = sorted(r.json()["slug"] for r in responses)
    assert slugs == sorted(["race-team", *(f"race-team-{n}" for n in range(2, 7))])

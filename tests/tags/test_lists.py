"""The lists of records that carry tags (accounts, clients, cases, plans): `filter[tags]`
(tag names or UUIDs, any of) and `include=tags`; and deleting a tagged record, or its
firm, takes its links with it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, func, select

from advisercrm.tables import account_tags, case_tags, firms, plan_tags, tags
from tests.helpers import Firm, new_firm
from tests.records_support import invalid
from tests.tags.support import LISTS, TAGS, names, tag

FILTER = "The filter.tags filter must be a comma-separated list of tag names or UUIDs."


async def _record(firm: Firm, name: str) -> str:
    """A new record of the list's kind."""
    client = (await firm.client_account())["uuid"]
    if name in ("accounts", "clients"):
        return client
    if name == "cases":
        body: dict[str, Any] = {"name": "Case", "participants": [client]}
    else:
        body = {"name": "Plan", "type": "pension", "accounts": [client]}
    return str((await firm.owner.created(LISTS[name][0], body))["uuid"])


async def _listed(firm: Firm, path: str, **params: str) -> list[dict[str, Any]]:
    response = await firm.owner.get(path, params={"per_page": "500", **params})
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


@pytest.mark.parametrize("name", list(LISTS))
async def test_filter_by_tag_names_or_uuids(firm: Firm, other_firm: Firm, name: str) -> None:
    path, kind = LISTS[name]
    red, blue, plain = [await _record(firm, name) for _ in range(3)]
    [red_tag] = await tag(firm.owner, "attach", kind, red, [f"Red {name}"])
    await tag(firm.owner, "attach", kind, blue, [f"Blue {name}"])
    await tag(firm.owner, "attach", kind, plain, ["Other"])

    async def matched(value: str) -> set[str]:
        return {r["uuid"] for r in await _listed(firm, path, **{"filter[tags]": value})}

    assert await matched(red_tag["uuid"]) == {red}
    assert await matched(f"red {name.upper()}") == {red}  # a name, as its slug
    assert await matched(f"{red_tag['uuid']}, Blue {name}") == {red, blue}  # any of
    assert await matched("No such tag") == set()
    # Another firm's tag of the same name is not this firm's tag.
    [theirs] = await tag(other_firm.owner, "create", kind, red, [f"Red {name}"])
    assert await matched(theirs["uuid"]) == set()
    for bad in ("", ",", "?!", "a\x00b"):
        response = await firm.owner.get(path, params={"filter[tags]": bad})
        expected = invalid({"filter.tags": [FILTER]})
        assert (response.status_code, response.json()) == (422, expected), bad


@pytest.mark.parametrize("name", list(LISTS))
async def test_include_tags(firm: Firm, name: str) -> None:
    path, kind = LISTS[name]
    tagged, untagged = await _record(firm, name), await _record(firm, name)
    on = await tag(firm.owner, "attach", kind, tagged, ["Zeta", "Alpha", "Mid"])
    both = f"{tagged},{untagged}"
    plain = await _listed(firm, path, **{"filter[uuid]": both})
    assert all("tags" not in item for item in plain)
    included = await _listed(firm, path, **{"filter[uuid]": both, "include": "tags"})
    by_uuid = {item["uuid"]: item for item in included}
    assert by_uuid[tagged]["tags"] == on  # the tags, by name, as the tag list shows them
    assert names(on) == ["Alpha", "Mid", "Zeta"]
    assert by_uuid[untagged]["tags"] == []
    # The rest of each item is as without the include.
    assert [{k: v for k, v in i.items() if k != "tags"} for i in included] == plain
    listed = (await firm.owner.get(TAGS, params={"per_page": "500"})).json()["data"]
    assert all(t in listed for t in on)
    response = await firm.owner.get(path, params={"include": "tags,colour"})
    assert response.status_code == 400
    message = response.json()["message"]
    assert message.startswith("Requested include(s) `colour` are not allowed. Allowed include(s)")
    assert "tags" in message.rsplit("`", 2)[1].split(", ")


async def test_a_member_sees_the_tags_of_what_it_sees(firm: Firm) -> None:
    member = await firm.actor(role="member")
    reached, hidden = (await firm.client_account())["uuid"], (await firm.client_account())["uuid"]
    await firm.group([reached, member.account_uuid])
    [shared] = await tag(firm.owner, "attach", "account", reached, ["Shared"])
    await tag(firm.owner, "attach", "account", hidden, ["Shared"])
    response = await member.get(
        "/api/v1/client", params={"include": "tags", "filter[tags]": "Shared"}
    )
    assert [(c["uuid"], c["tags"]) for c in response.json()["data"]] == [(reached, [shared])]


async def _counts(app: FastAPI, firm_id: int) -> list[int]:
    async with app.state.engine.connect() as conn:
        counted = []
        for table in (tags, account_tags, case_tags, plan_tags):
            query = select(func.count()).where(table.c.firm_id == firm_id)
            counted.append((await conn.execute(query)).scalar_one())
        return counted


async def test_deleting_tagged_records_takes_their_links(firm: Firm) -> None:
    made = {name: await _record(firm, name) for name in ("clients", "cases", "plans")}
    for name, record in made.items():
        await tag(firm.owner, "attach", LISTS[name][1], record, ["Doomed", "Kept"])
    before = await _counts(firm.app, firm.firm_id)
    for name, record in made.items():
        response = await firm.owner.delete(f"{LISTS[name][0]}/{record}")
        assert response.status_code == 204, response.text
    after = await _counts(firm.app, firm.firm_id)
    assert after == [before[0], before[1] - 2, before[2] - 2, before[3] - 2]
    kept = (await firm.owner.get(TAGS, params={"filter[name]": "Doomed"})).json()["data"]
    assert names(kept) == ["Doomed"]  # a tag outlives the records it was on


async def test_deleting_a_firm_takes_its_tags_and_links(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    doomed = await new_firm(app, client)
    for name in ("clients", "cases", "plans"):
        await tag(doomed.owner, "attach", LISTS[name][1], await _record(doomed, name), ["Gone"])
    assert all(await _counts(app, doomed.firm_id))
    async with app.state.engine.begin() as conn:
        await conn.execute(delete(firms).where(firms.c.id == doomed.firm_id))
    assert await _counts(app, doomed.firm_id) == [0, 0, 0, 0]

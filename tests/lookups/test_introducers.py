"""POST /api/v1/introducer: an external account with the role introducer, made as POST
/api/v1/account makes one; its title and entity name kept, its groups joined; what
cannot be stored (a charge split schema: none exists here) refused by name, with every
other broken rule, and nothing made."""

from __future__ import annotations

from sqlalchemy import select

from advisercrm.tables import accounts
from tests.accounts.support import total
from tests.helpers import Firm
from tests.records_support import Cast, assert_body, invalid, unknown

INTRODUCERS = "/api/v1/introducer"
ACCOUNTS = "/api/v1/account"


async def test_the_documented_example_makes_an_introducer(shop: Cast) -> None:
    adviser = await shop.owner.created(
        ACCOUNTS, {"type": "employee", "role": "member", "first_name": "Ad", "last_name": "Viser"}
    )
    group = await shop.firm.group([])
    email = f"patrick-{unknown()[:8]}@example.com"
    body = {
        "title": "Mr",
        "first_name": "Patrick",
        "last_name": "Stanton",
        "entity_name": "PatrickCo",
        "email": email,
        "assigned_adviser_uuid": adviser["uuid"],
        "groups": [group["uuid"]],
    }
    made = await shop.owner.created(INTRODUCERS, body)
    assert (made["type"], made["role"], made["name"], made["email"]) == (
        "external",
        "introducer",
        "Patrick Stanton",
        email,
    )
    assert made["assigned_adviser"]["uuid"] == adviser["uuid"]
    assert_body(await shop.owner.get(f"{ACCOUNTS}/{made['uuid']}"), 200, made)
    participants = (await shop.owner.get(f"/api/v1/group/{group['uuid']}")).json()["participants"]
    assert [p["uuid"] for p in participants] == [made["uuid"]]
    async with shop.firm.app.state.engine.connect() as conn:
        query = select(accounts.c.title, accounts.c.entity_name).where(
            accounts.c.firm_id == shop.firm.firm_id, accounts.c.uuid == made["uuid"]
        )
        assert tuple((await conn.execute(query)).one()) == ("Mr", "PatrickCo")


async def test_what_cannot_be_stored_is_refused_with_every_other_rule(
    shop: Cast, rival: Firm
) -> None:
    their_group = await rival.group([])
    before = await total(shop.owner, ACCOUNTS)
    body = {
        "title": "x" * 256,
        "last_name": "Stanton",
        "assigned_adviser_uuid": unknown(),
        "groups": [their_group["uuid"]],
        "charge_split_schema_uuid": unknown(),
    }
    response = await shop.owner.post(INTRODUCERS, body)
    expected = {
        "title": ["The title field must not be greater than 255 characters."],
        "first_name": ["The first name field is required."],
        "assigned_adviser_uuid": ["The selected assigned adviser uuid is invalid."],
        "groups.0": ["The selected groups.0 is invalid."],
        "charge_split_schema_uuid": ["The selected charge split schema uuid is invalid."],
    }
    assert_body(response, 422, invalid(expected))
    # Only the schema wrong: the account the body would make is not kept either.
    only = {"first_name": "P", "last_name": "S", "charge_split_schema_uuid": unknown()}
    response = await shop.owner.post(INTRODUCERS, only)
    message = "The selected charge split schema uuid is invalid."
    assert_body(response, 422, invalid({"charge_split_schema_uuid": [message]}))
    assert await total(shop.owner, ACCOUNTS) == before


async def test_only_owners_and_admins_make_introducers(shop: Cast) -> None:
    body = {"first_name": "P", "last_name": "S"}
    forbidden = {"message": "This action is unauthorized."}
    for caller in (shop.member, shop.readonly, shop.client):
        assert_body(await caller.post(INTRODUCERS, body), 403, forbidden)
    made = await shop.admin.created(INTRODUCERS, body)
    assert made["role"] == "introducer"

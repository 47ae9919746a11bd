"""POST /api/v1/tag refused: every rule of the body with its exact answer, who may tag
what, and another firm's records and tags, which are as unknown as made-up ones. Every
refusal changes nothing."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from advisercrm.tables import account_tags, tags
from tests.helpers import Actor, Firm
from tests.records_support import UNAUTHORIZED, invalid
from tests.tags.support import TAGS, names, tag, tagging

ITEM = "The tags.{} field must be a tag name, a tag UUID or an object with a name (and a colour)."
UNLESS_CREATE = "The {} field is required unless mode is in create."


async def _state(firm: Firm) -> tuple[int, int]:
    """How many tags and account links the firm has."""
    async with firm.app.state.engine.connect() as conn:
        made = select(func.count()).where(tags.c.firm_id == firm.firm_id)
        links = select(func.count()).where(account_tags.c.firm_id == firm.firm_id)
        return (await conn.execute(made)).scalar_one(), (await conn.execute(links)).scalar_one()


async def _refused(
    firm: Firm, actor: Actor, body: Any, status: int, expected: dict[str, Any]
) -> None:
    before = await _state(firm)
    response = await actor.post(TAGS, json=body)
    assert (response.status_code, response.json()) == (status, expected), response.text
    assert await _state(firm) == before


async def test_an_empty_body_names_every_required_field(firm: Firm) -> None:
    errors = {"mode": ["The mode field is required."], "tags": ["The tags field is required."]}
    await _refused(firm, firm.owner, {}, 422, invalid(errors))


async def test_a_record_is_required_unless_mode_is_create(firm: Firm) -> None:
    for mode in ("attach", "sync", "detach"):
        errors = {
            "taggable_type": [UNLESS_CREATE.format("taggable type")],
            "taggable_uuid": [UNLESS_CREATE.format("taggable uuid")],
        }
        await _refused(firm, firm.owner, {"mode": mode, "tags": ["New"]}, 422, invalid(errors))


async def test_each_shape_rule(firm: Firm) -> None:
    client = (await firm.client_account())["uuid"]
    cases: list[tuple[dict[str, Any], dict[str, list[str]]]] = [
        ({"mode": "tag"}, {"mode": ["The selected mode is invalid."]}),
        (
            {"taggable_type": "message"},
            {"taggable_type": ["The selected taggable type is invalid."]},
        ),
        (
            {"taggable_type": "client"},
            {"taggable_type": ["The selected taggable type is invalid."]},
        ),
        (
            {"taggable_uuid": "nope"},
            {"taggable_uuid": ["The taggable uuid field must be a valid UUID."]},
        ),
        ({"tags": []}, {"tags": ["The tags field is required."]}),
        ({"tags": None}, {"tags": ["The tags field is required."]}),
        ({"tags": "Urgent"}, {"tags": ["The tags field must be an array."]}),
        (
            {"tags": ["x"] * 101},
            {"tags": ["The tags field must not have more than 100 items."]},
        ),
        ({"tags": ["Fine", None]}, {"tags.1": [ITEM.format(1)]}),
        ({"tags": [7]}, {"tags.0": [ITEM.format(0)]}),
        ({"tags": [["Urgent"]]}, {"tags.0": [ITEM.format(0)]}),
        ({"tags": ["   "]}, {"tags.0": ["The tags.0 field is required."]}),
        ({"tags": ["?!"]}, {"tags.0": ["The tags.0 field must contain a letter or a digit."]}),
        (
            {"tags": ["x" * 256]},
            {"tags.0": ["The tags.0 field must not be greater than 255 characters."]},
        ),
        ({"tags": ["a\x00b"]}, {"tags.0": ["The tags.0 field must not contain NUL characters."]}),
        ({"tags": [{"colour": "#ffffff"}]}, {"tags.0": ["The tags.0 name is required."]}),
        ({"tags": [{"name": 5}]}, {"tags.0": ["The tags.0 name must be a string."]}),
        (
            {"tags": [{"name": "Red", "colour": "red"}]},
            {"tags.0": ["The tags.0 colour must be a valid hexadecimal color (#RRGGBB)."]},
        ),
    ]
    for change, errors in cases:
        body = tagging("attach", "account", client, ["Fine"]) | change
        await _refused(firm, firm.owner, body, 422, invalid(errors))


async def test_every_rule_broken_at_once_is_reported_at_once(firm: Firm) -> None:
    body = tagging("sync", "case", str(uuid.uuid4()), ["Fine", str(uuid.uuid4())])
    errors = {
        "taggable_uuid": ["The selected taggable uuid is invalid."],
        "tags.1": ["The selected tags.1 is invalid."],
    }
    await _refused(firm, firm.owner, body, 422, invalid(errors))
    # A malformed item leaves the list unchecked against the firm's tags.
    body = {"mode": "on", "taggable_type": "x", "tags": [str(uuid.uuid4()), None]}
    errors = {
        "mode": ["The selected mode is invalid."],
        "taggable_type": ["The selected taggable type is invalid."],
        "tags.1": [ITEM.format(1)],
    }
    await _refused(firm, firm.owner, body, 422, invalid(errors))


async def test_documented_kinds_this_server_keeps_no_records_of(firm: Firm) -> None:
    plural = {
        "board": "boards",
        "board_task": "board tasks",
        "conversation": "conversations",
        "file": "files",
        "note": "notes",
    }
    for kind, many in plural.items():
        message = (
            f"The taggable type {kind} is not supported: this server keeps no {many}. "
            "Tags can be put on an account, a case or a plan."
        )
        body = tagging("attach", kind, str(uuid.uuid4()), ["Urgent"])
        await _refused(firm, firm.owner, body, 422, invalid({"taggable_type": [message]}))
    # Making tags needs no record: a kind named with create is not looked at.
    response = await firm.owner.post(TAGS, json=tagging("create", "board", "x", ["Fine"]))
    assert response.json() == invalid(
        {"taggable_uuid": ["The taggable uuid field must be a valid UUID."]}
    )
    response = await firm.owner.post(
        TAGS, json=tagging("create", "board", str(uuid.uuid4()), ["Fine"])
    )
    assert (response.status_code, names(response.json()["data"])) == (200, ["Fine"])


async def test_unknown_records_and_tags_are_invalid(firm: Firm) -> None:
    client = (await firm.client_account())["uuid"]
    for kind in ("account", "case", "plan"):
        body = tagging("attach", kind, str(uuid.uuid4()), ["Urgent"])
        errors = {"taggable_uuid": ["The selected taggable uuid is invalid."]}
        await _refused(firm, firm.owner, body, 422, invalid(errors))
    # A case's UUID is no account.
    case = await firm.owner.created("/api/v1/cases", {"name": "C", "participants": [client]})
    body = tagging("attach", "account", case["uuid"], ["Urgent"])
    errors = {"taggable_uuid": ["The selected taggable uuid is invalid."]}
    await _refused(firm, firm.owner, body, 422, invalid(errors))
    for mode in ("attach", "sync", "detach", "create"):
        body = tagging(mode, "account", client, ["Fine", str(uuid.uuid4())])
        errors = {"tags.1": ["The selected tags.1 is invalid."]}
        await _refused(firm, firm.owner, body, 422, invalid(errors))


async def test_another_firms_records_and_tags_are_unknown(firm: Firm, other_firm: Firm) -> None:
    mine = (await firm.client_account())["uuid"]
    theirs = (await other_firm.client_account())["uuid"]
    case = await other_firm.owner.created("/api/v1/cases", {"name": "C", "participants": [theirs]})
    [their_tag] = await tag(other_firm.owner, "attach", "account", theirs, ["Theirs"])
    for kind, record in (("account", theirs), ("case", case["uuid"])):
        body = tagging("attach", kind, record, ["Urgent"])
        errors = {"taggable_uuid": ["The selected taggable uuid is invalid."]}
        await _refused(firm, firm.owner, body, 422, invalid(errors))
    body = tagging("attach", "account", mine, [their_tag["uuid"]])
    await _refused(
        firm, firm.owner, body, 422, invalid({"tags.0": ["The selected tags.0 is invalid."]})
    )
    # Its name is no secret to be found: here it is a new tag of this firm.
    [made] = await tag(firm.owner, "attach", "account", mine, ["Theirs"])
    assert made["uuid"] != their_tag["uuid"]
    other = (await other_firm.owner.get(TAGS, params={"filter[name]": "Theirs"})).json()["data"]
    assert other == [their_tag]


async def test_callers_who_may_not_write_tag_nothing(firm: Firm) -> None:
    client = (await firm.client_account())["uuid"]
    readonly = await firm.actor(role="admin", write=False, delete=False)
    client_login = await firm.actor(type="client", role="individual")
    body = tagging("attach", "account", client, ["Urgent"])
    for actor in (readonly, client_login):
        await _refused(firm, actor, body, 403, UNAUTHORIZED)
        await _refused(firm, actor, {"mode": "create", "tags": ["Urgent"]}, 403, UNAUTHORIZED)
    mine = tagging("attach", "account", client_login.account_uuid, ["Urgent"])
    await _refused(firm, client_login, mine, 403, UNAUTHORIZED)


async def test_a_member_tags_only_what_it_sees_and_may_change(firm: Firm) -> None:
    member = await firm.actor(role="member")
    reached, hidden = (await firm.client_account())["uuid"], (await firm.client_account())["uuid"]
    await firm.group([reached, member.account_uuid])
    assert names(await tag(member, "attach", "account", reached, ["Seen"])) == ["Seen"]
    case = await firm.owner.created("/api/v1/cases", {"name": "C", "participants": [reached]})
    assert names(await tag(member, "attach", "case", case["uuid"], ["Seen"])) == ["Seen"]

    # A client it does not reach answers as one that does not exist (and its case).
    hidden_case = await firm.owner.created("/api/v1/cases", {"name": "H", "participants": [hidden]})
    unknown = invalid({"taggable_uuid": ["The selected taggable uuid is invalid."]})
    for kind, record in (
        ("account", hidden),
        ("case", hidden_case["uuid"]),
        ("account", str(uuid.uuid4())),
    ):
        await _refused(firm, member, tagging("attach", kind, record, ["Seen"]), 422, unknown)
    # Staff it sees but may not change (only owners and admins change staff accounts).
    colleague = await firm.actor(role="member")
    body = tagging("attach", "account", colleague.account_uuid, ["Seen"])
    await _refused(firm, member, body, 403, UNAUTHORIZED)
    # Tags are firm-wide: the member sees and names every tag of the firm.
    [owners] = await tag(firm.owner, "attach", "account", hidden, ["Owner's"])
    assert owners["uuid"] in {t["uuid"] for t in (await member.get(TAGS)).json()["data"]}
    both = await tag(member, "attach", "account", reached, [owners["uuid"]])
    assert names(both) == ["Owner's", "Seen"]


async def test_client_and_external_accounts_see_no_tags(firm: Firm) -> None:
    client_login = await firm.actor(type="client", role="individual")
    await tag(firm.owner, "attach", "account", client_login.account_uuid, ["About them"])
    for actor in (client_login, await firm.actor(type="external", role="introducer")):
        listed = (await actor.get(TAGS)).json()
        assert (listed["data"], listed["meta"]["total"]) == ([], 0)
    own = await client_login.get("/api/v1/account", params={"include": "tags"})
    assert [a["tags"] for a in own.json()["data"]] == [[]]
    matched = await client_login.get("/api/v1/account", params={"filter[tags]": "About them"})
    assert matched.json()["data"] == []

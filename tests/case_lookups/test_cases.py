"""A case's status, type and plans: stored as the firm's records the writer names, shown
as the records, refused (422 naming the field) when they name nothing of the firm's or a
plan the writer cannot open; completion follows the status; lists filter and sort on
them; a member is shown only the plans it may open."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from tests.helpers import Firm
from tests.records_support import CASES, PLANS, Cast, assert_body, invalid, listed, unknown

STATUSES = "/api/v1/cases-status"
TYPES = "/api/v1/cases-type"


async def _status(shop: Cast, completed: bool = False) -> dict[str, Any]:
    body = {"name": f"Status {unknown()[:8]}", "is_type_completed": completed}
    return await shop.owner.created(STATUSES, body)


async def _plan(shop: Cast, owner: dict[str, Any], name: str = "ISA") -> dict[str, Any]:
    body = {"name": f"{name} {unknown()[:8]}", "type": "investment", "accounts": [owner["uuid"]]}
    return await shop.owner.created(PLANS, body)


def _shown_plan(plan: dict[str, Any]) -> dict[str, Any]:
    keys = ("uuid", "name", "type", "status", "policy_number", "created_at", "updated_at")
    return {k: plan[k] for k in keys}


async def test_a_case_shows_its_status_type_and_plans(shop: Cast) -> None:
    client = await shop.firm.client_account()
    status = await _status(shop)
    kind = await shop.owner.created(TYPES, {"name": f"Mortgage {unknown()[:8]}"})
    b_plan, a_plan = await _plan(shop, client, "B"), await _plan(shop, client, "A")
    body = {
        "name": "Patrick's Case",
        "participants": [client["uuid"]],
        "status": status["uuid"],
        "type": kind["uuid"],
        "value": 15099,
        "plans": [b_plan["uuid"], a_plan["uuid"]],
    }
    case = await shop.owner.created(CASES, body)
    assert (case["status"], case["type"], case["completed_at"]) == (status, kind, None)
    assert case["plans"] == [_shown_plan(a_plan), _shown_plan(b_plan)]
    assert_body(await shop.owner.get(f"{CASES}/{case['uuid']}"), 200, case)
    # What the case shows can be written back as it is, and changes nothing.
    same = {k: case[k] for k in ("name", "status", "type", "plans")}
    response = await shop.owner.put(f"{CASES}/{case['uuid']}", same)
    assert response.status_code == 200, response.text
    assert {k: v for k, v in response.json().items() if k != "updated_at"} == {
        k: v for k, v in case.items() if k != "updated_at"
    }


async def test_references_that_name_nothing_of_the_firms_are_refused(
    shop: Cast, rival: Firm
) -> None:
    client = await shop.firm.client_account()
    theirs = await rival.owner.created(STATUSES, {"name": "Theirs"})
    their_type = await rival.owner.created(TYPES, {"name": "Theirs"})
    their_client = await rival.client_account()
    their_plan = await rival.owner.created(
        PLANS, {"name": "Theirs", "type": "pension", "accounts": [their_client["uuid"]]}
    )
    before = len(await listed(shop.owner, CASES))
    body = {
        "name": "Case",
        "participants": [client["uuid"]],
        "status": theirs["uuid"],
        "type": their_type["uuid"],
        "plans": [their_plan["uuid"], unknown()],
    }
    expected = invalid(
        {
            "status": ["The selected status is invalid."],
            "type": ["The selected type is invalid."],
            "plans.0": ["The selected plans.0 is invalid."],
            "plans.1": ["The selected plans.1 is invalid."],
        }
    )
    assert_body(await shop.owner.post(CASES, body), 422, expected)
    assert len(await listed(shop.owner, CASES)) == before
    case = await shop.owner.created(CASES, {"name": "Kept", "participants": [client["uuid"]]})
    response = await shop.owner.put(f"{CASES}/{case['uuid']}", {"status": unknown()})
    assert_body(response, 422, invalid({"status": ["The selected status is invalid."]}))
    assert_body(await shop.owner.get(f"{CASES}/{case['uuid']}"), 200, case)


async def test_completion_follows_the_status(shop: Cast) -> None:
    client = await shop.firm.client_account()
    open_status, done = await _status(shop), await _status(shop, completed=True)
    body = {"name": "Case", "participants": [client["uuid"]], "status": open_status["uuid"]}
    case = await shop.owner.created(CASES, body)
    one = f"{CASES}/{case['uuid']}"
    completed = (await shop.owner.put(one, {"status": done["uuid"]})).json()
    assert completed["completed_at"] is not None
    # Still completed: a change that keeps a completed-type status keeps the moment.
    renamed = (await shop.owner.put(one, {"name": "Renamed", "status": done["uuid"]})).json()
    assert renamed["completed_at"] == completed["completed_at"]
    reopened = (await shop.owner.put(one, {"status": open_status["uuid"]})).json()
    assert (reopened["status"]["uuid"], reopened["completed_at"]) == (open_status["uuid"], None)
    cleared = (await shop.owner.put(one, {"status": None, "type": None})).json()
    assert (cleared["status"], cleared["type"]) == (None, None)


async def test_deleting_a_status_or_type_leaves_its_cases_without_one(shop: Cast) -> None:
    client = await shop.firm.client_account()
    status = await _status(shop)
    kind = await shop.owner.created(TYPES, {"name": f"Gone {unknown()[:8]}"})
    body = {"name": "Case", "participants": [client["uuid"]], "status": status["uuid"]}
    case = await shop.owner.created(CASES, body | {"type": kind["uuid"]})
    for path in (f"{STATUSES}/{status['uuid']}", f"{TYPES}/{kind['uuid']}"):
        assert (await shop.owner.delete(path)).status_code == 204
    shown = (await shop.owner.get(f"{CASES}/{case['uuid']}")).json()
    assert (shown["status"], shown["type"]) == (None, None)


async def test_lists_filter_and_sort_on_the_lookups(shop: Cast) -> None:
    client = await shop.firm.client_account()
    tag = unknown()[:8]
    first, second = await _status(shop), await _status(shop, completed=True)
    kind = await shop.owner.created(TYPES, {"name": f"Kind {tag}"})
    plan = await _plan(shop, client)

    async def made(name: str, **extra: Any) -> str:
        body = {"name": f"{tag} {name}", "participants": [client["uuid"]], **extra}
        return str((await shop.owner.created(CASES, body))["uuid"])

    late = await made("late", status=second["uuid"], plans=[plan["uuid"]])
    early = await made("early", status=first["uuid"], type=kind["uuid"])
    bare = await made("bare")
    mine = {"filter[name]": tag}
    assert await listed(shop.owner, CASES, **mine, sort="status_position") == [early, late, bare]
    assert await listed(shop.owner, CASES, **mine, sort="-status_position") == [late, early, bare]
    assert await listed(shop.owner, CASES, **mine, **{"filter[status]": second["uuid"]}) == [late]
    assert await listed(shop.owner, CASES, **mine, **{"filter[type]": kind["uuid"]}) == [early]
    assert await listed(shop.owner, CASES, **mine, **{"filter[plan_uuid]": plan["uuid"]}) == [late]
    assert await listed(shop.owner, CASES, **mine, **{"filter[completed]": "true"}) == [late]
    in_progress = {"filter[in_progress]": "true"}
    assert await listed(shop.owner, CASES, **mine, **in_progress, sort="name") == [bare, early]
    assert await listed(shop.owner, CASES, **mine, **{"filter[completed]": "false"}) == [
        early,
        bare,
    ]
    # `late` was completed today (in the firm's zone): after yesterday, before tomorrow.
    today = dt.datetime.now(ZoneInfo("Europe/London")).date()
    days = {"after": today - dt.timedelta(days=1), "before": today + dt.timedelta(days=1)}
    for side, day in days.items():
        named = {f"filter[completed_{side}]": day.isoformat()}
        assert await listed(shop.owner, CASES, **mine, **named) == [late]
    named = {"filter[completed_after]": today.isoformat()}
    assert await listed(shop.owner, CASES, **mine, **named) == []
    included = await shop.owner.get(CASES, params={"include": "type,status,plans,participants"})
    assert included.status_code == 200, included.text


async def test_a_member_sees_and_names_only_the_plans_it_may_open(shop: Cast) -> None:
    reached = await shop.firm.client_account()
    hidden = await shop.firm.client_account()
    await shop.firm.group([reached["uuid"], shop.member.account_uuid])
    seen_plan, hidden_plan = await _plan(shop, reached), await _plan(shop, hidden)
    body = {
        "name": "Shared",
        "participants": [reached["uuid"]],
        "plans": [seen_plan["uuid"], hidden_plan["uuid"]],
    }
    case = await shop.owner.created(CASES, body)
    as_member = await shop.member.get(f"{CASES}/{case['uuid']}")
    assert as_member.status_code == 200, as_member.text
    assert as_member.json()["plans"] == [_shown_plan(seen_plan)]
    assert hidden_plan["uuid"] not in as_member.text
    response = await shop.member.post(CASES, body)
    assert_body(response, 422, invalid({"plans.1": ["The selected plans.1 is invalid."]}))


async def test_lists_filter_on_accounts_employees_and_circles(shop: Cast) -> None:
    tag = unknown()[:8]
    ann, bob, cat = [await shop.firm.client_account() for _ in range(3)]
    circle = await shop.firm.circle([ann["uuid"], bob["uuid"]])

    async def made(name: str, participants: list[str], **extra: Any) -> str:
        body = {"name": f"{tag} {name}", "participants": participants, **extra}
        return str((await shop.owner.created(CASES, body))["uuid"])

    ann_case = await made("ann", [ann["uuid"]], assigned_to_uuids=[shop.member.account_uuid])
    cat_case = await made("cat", [cat["uuid"]])
    mine = {"filter[name]": tag, "sort": "name"}
    by_account = {"filter[account_uuids]": f"{ann['uuid']},{cat['uuid']}"}
    assert await listed(shop.owner, CASES, **mine, **by_account) == [ann_case, cat_case]
    by_employee = {"filter[employee_account_uuids]": shop.member.account_uuid}
    assert await listed(shop.owner, CASES, **mine, **by_employee) == [ann_case]
    by_circle = {"filter[circle_uuids]": circle["uuid"]}
    assert await listed(shop.owner, CASES, **mine, **by_circle) == [ann_case]

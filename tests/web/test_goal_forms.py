"""The workspace's goal forms save through the API's own services: a goal made or
changed through a form is the API's goal, shown on the client's page; a refused form is
answered 422 with the API's messages beside the fields and nothing saved; a form sent
without its CSRF token, or by someone the API would not let write, changes nothing."""

from __future__ import annotations

import re
import secrets
from html import unescape
from typing import Any

import pytest
from fastapi import FastAPI

from advisercrm.firms.service import add_person
from tests.helpers import Firm
from tests.web.conftest import CSRF, Browser, new_browser
from tests.webhooks.support import names, recorded


async def _person(app: FastAPI, firm: Firm, write: bool = True) -> tuple[str, str]:
    """A member of the firm with a login: their email and account UUID."""
    email = f"member-{secrets.token_hex(3)}@example.com"
    account = {"type": "employee", "role": "member", "first_name": "Mo", "last_name": "Member"}
    async with app.state.engine.begin() as conn:
        person = await add_person(conn, firm.firm_id, account, email, firm.password, write)
    return email, person.account_uuid


async def _form(browser: Browser, path: str) -> tuple[str, str]:
    """The form page's HTML and its CSRF token."""
    page = await browser.http.get(path)
    assert page.status_code == 200, page.text
    found = CSRF.search(page.text)
    assert found
    return page.text, found.group(1)


def _checked(html: str, name: str) -> list[str]:
    return re.findall(
        rf'<input type="checkbox" id="[^"]+" name="{name}" value="([^"]+)" checked>', html
    )


def _tag(html: str, element_id: str) -> str:
    """The opening tag of the element with this id."""
    found = re.search(rf'<[a-z]+ id="{element_id}"[^>]*>', html)
    assert found, f"no element #{element_id}"
    return found.group(0)


def _field_error(html: str, field: str) -> str:
    """The message shown beside a field, which the field names as its description."""
    found = re.search(rf'<p class="error" id="goal-{field}-error">(.*?)</p>', html)
    assert found, f"no error beside {field}"
    assert f'goal-{field}-error" aria-invalid="true"' in html[: found.start()]
    return " | ".join(unescape(m) for m in re.findall(r"<span>(.*?)</span>", found.group(1)))


async def _goals(firm: Firm, client_uuid: str) -> list[dict[str, Any]]:
    response = await firm.owner.get(f"/api/v1/client/{client_uuid}/goal")
    assert response.status_code == 200
    goals: list[dict[str, Any]] = response.json()["data"]
    return goals


async def test_a_goal_made_through_the_form_is_the_apis_and_shows_on_the_client_page(
    app: FastAPI, browser: Browser, firm: Firm
) -> None:
    ada = await firm.client_account(first_name="Ada", last_name="Lovelace")
    byron = await firm.client_account(first_name="Annabella", last_name="Byron")
    home = await firm.circle([ada["uuid"]], name="Lovelace Household")
    before = len(await recorded(app, firm.firm_id))
    await browser.sign_in(firm.emails[0], firm.password)
    client_page = await browser.http.get(f"/clients/{ada['uuid']}")
    assert f'<a href="/goals/new?client={ada["uuid"]}">New goal</a>' in client_page.text

    html, token = await _form(browser, f"/goals/new?client={ada['uuid']}")
    assert "<h1>New goal</h1>" in html
    # The client the form came from is its owner to begin with; the others are choices.
    assert _checked(html, "account_uuids") == [ada["uuid"]]
    assert f'value="{byron["uuid"]}">' in html and f'value="{home["uuid"]}">' in html
    for label in ("Name", "Description", "Target amount", "Progress", "Timeframe"):
        assert f'">{label}</label>' in html
    form = {
        "_token": token,
        "client": ada["uuid"],
        "name": "Retire early",
        "account_uuids": [ada["uuid"], byron["uuid"]],
        "description": "Stop work at 55.",
        "target_amount": "2500.50",
        "progress": "40",
        "timeframe": "Within 10 years",
        "complete_goal_by": "2031-04-28",
        "priority": "2",
        "visible_to_circles_uuids": [home["uuid"]],
        "show_on_circles": "1",
    }
    saved = await browser.http.post("/goals/new", data=form)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/clients/{ada['uuid']}"

    [goal] = await _goals(firm, ada["uuid"])
    assert goal["name"] == "Retire early"
    assert [a["uuid"] for a in goal["accounts"]] == [ada["uuid"], byron["uuid"]]
    assert goal["description"] == "Stop work at 55."
    # The form takes pounds; the API keeps pence.
    assert goal["target_amount"]["amount"] == "250050"
    assert (goal["progress"], goal["priority"]) == ("40", "2")
    assert goal["timeframe"] == "Within 10 years"
    assert goal["complete_goal_by"].startswith("2031-04-28T00:00:00")
    assert [c["uuid"] for c in goal["visible_to_circles"]] == [home["uuid"]]
    assert goal["show_on_circles"] is True
    shown = await browser.http.get(f"/clients/{ada['uuid']}")
    assert "<h3>Retire early</h3>" in shown.text
    assert "Target <strong>£2,500.50</strong>" in shown.text
    edit = (
        f'<a href="/goals/{goal["uuid"]}/edit?client={ada["uuid"]}" aria-label="Edit Retire early">'
    )
    assert edit in shown.text
    # The API's event was recorded, with the goal as the API shows it to the owner.
    rows = (await recorded(app, firm.firm_id))[before:]
    assert names(rows) == ["goal.created"]
    assert rows[0]["payload"] == goal


async def test_the_edit_form_shows_the_goal_and_saves_what_changed(
    browser: Browser, firm: Firm
) -> None:
    ada = await firm.client_account(first_name="Ada", last_name="Lovelace")
    goal = await firm.goal(
        [ada["uuid"]],
        name="House deposit",
        description="A flat in town.",
        target_amount=3000000,
        progress=10,
        priority=3,
        complete_goal_by="2029-01-31",
    )
    await browser.sign_in(firm.emails[0], firm.password)
    html, token = await _form(browser, f"/goals/{goal['uuid']}/edit?client={ada['uuid']}")
    assert "<h1>Edit “House deposit”</h1>" in html
    assert 'value="House deposit"' in _tag(html, "goal-name")
    assert ">A flat in town.</textarea>" in html
    assert 'value="30000.00"' in _tag(html, "goal-target_amount")
    assert 'type="date" class="short" value="2029-01-31"' in _tag(html, "goal-complete_goal_by")
    assert '<option value="3" selected>3</option>' in html
    assert _checked(html, "account_uuids") == [ada["uuid"]]
    form = {
        "_token": token,
        "client": ada["uuid"],
        "name": "Bigger deposit",
        "account_uuids": ada["uuid"],
        "description": "",
        "target_amount": "45000",
        "progress": "25",
        "timeframe": "",
        "complete_goal_by": "2030-06-30",
        "priority": "",
    }
    saved = await browser.http.post(f"/goals/{goal['uuid']}/edit", data=form)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/clients/{ada['uuid']}"
    after = (await firm.owner.get(f"/api/v2/goals/{goal['uuid']}")).json()
    assert after["name"] == "Bigger deposit"
    # An emptied field is cleared, as null clears it through the API.
    assert (after["description"], after["priority"]) == (None, None)
    assert after["target_amount"]["amount"] == "4500000"
    assert after["progress"] == "25"
    assert after["complete_goal_by"].startswith("2030-06-30")
    page = await browser.http.get(f"/clients/{ada['uuid']}")
    assert "<h3>Bigger deposit</h3>" in page.text and "House deposit" not in page.text


async def test_a_refused_form_shows_the_apis_messages_and_saves_nothing(
    browser: Browser, firm: Firm
) -> None:
    ada = await firm.client_account(first_name="Ada", last_name="Lovelace")
    other = await firm.client_account(first_name="Not", last_name="Related")
    elsewhere = await firm.circle([other["uuid"]], name="Other Household")
    await browser.sign_in(firm.emails[0], firm.password)
    _, token = await _form(browser, f"/goals/new?client={ada['uuid']}")
    form = {
        "_token": token,
        "client": ada["uuid"],
        "name": "",
        "account_uuids": [],
        "target_amount": "12.345",
        "progress": "150",
        "complete_goal_by": "28/04/2031",
        "priority": "9",
    }
    refused = await browser.http.post("/goals/new", data=form)
    assert refused.status_code == 422
    html = refused.text
    assert "<title>Error: New goal · advisercrm</title>" in html
    assert _field_error(html, "name") == "The name field is required."
    assert _field_error(html, "account_uuids") == "The account uuids field is required."
    assert _field_error(html, "target_amount") == (
        "The target amount field must be an amount such as 2500 or 2500.50."
    )
    assert _field_error(html, "progress") == "The progress field must not be greater than 100."
    assert _field_error(html, "complete_goal_by") == (
        "The complete goal by field must match the format Y-m-d."
    )
    assert _field_error(html, "priority") == "The priority field must not be greater than 5."
    assert 'value="" aria-describedby="goal-name-error" aria-invalid="true"' in _tag(
        html, "goal-name"
    )
    # The summary at the top links to each field, in the form's order.
    summary = html[html.index('class="error-summary"') : html.index('action="/goals/new"')]
    assert re.findall(r'<a href="#([^"]+)">', summary) == [
        "goal-name",
        "goal-account_uuids-1",
        "goal-target_amount",
        "goal-progress",
        "goal-complete_goal_by",
        "goal-priority",
    ]
    # Filled in again as sent.
    assert 'value="12.345"' in html and 'value="28/04/2031"' in html
    assert await _goals(firm, ada["uuid"]) == []

    # A rule only the database can check: the household holds none of the owners.
    form = {
        "_token": token,
        "name": "Travel",
        "account_uuids": ada["uuid"],
        "visible_to_circles_uuids": elsewhere["uuid"],
    }
    refused = await browser.http.post("/goals/new", data=form)
    assert refused.status_code == 422
    assert _field_error(refused.text, "visible_to_circles_uuids") == (
        "The visible to circles uuids.0 circle must contain at least one of the goal's owners."
    )
    assert _checked(refused.text, "account_uuids") == [ada["uuid"]]
    assert _checked(refused.text, "visible_to_circles_uuids") == [elsewhere["uuid"]]
    assert await _goals(firm, ada["uuid"]) == []


async def test_a_refused_edit_changes_nothing(browser: Browser, firm: Firm) -> None:
    ada = await firm.client_account(first_name="Ada", last_name="Lovelace")
    goal = await firm.goal([ada["uuid"]], name="Keep me", progress=5)
    await browser.sign_in(firm.emails[0], firm.password)
    _, token = await _form(browser, f"/goals/{goal['uuid']}/edit")
    form = {"_token": token, "name": "Changed", "account_uuids": ada["uuid"], "progress": "x"}
    refused = await browser.http.post(f"/goals/{goal['uuid']}/edit", data=form)
    assert refused.status_code == 422
    assert _field_error(refused.text, "progress") == "The progress field must be an integer."
    # The amount is the form's own rule: the API's pass, yet nothing is kept.
    form = {
        "_token": token,
        "name": "Changed",
        "account_uuids": ada["uuid"],
        "target_amount": "1,000",
    }
    refused = await browser.http.post(f"/goals/{goal['uuid']}/edit", data=form)
    assert refused.status_code == 422
    assert _field_error(refused.text, "target_amount").startswith("The target amount field")
    after = (await firm.owner.get(f"/api/v2/goals/{goal['uuid']}")).json()
    assert (after["name"], after["progress"], after["updated_at"]) == (
        "Keep me",
        "5",
        goal["updated_at"],
    )


@pytest.mark.parametrize("token", [None, "0" * 64])
async def test_a_form_without_its_csrf_token_is_refused(
    browser: Browser, firm: Firm, token: str | None
) -> None:
    ada = await firm.client_account()
    goal = await firm.goal([ada["uuid"]], name="Untouched")
    await browser.sign_in(firm.emails[0], firm.password)
    form = {"name": "Forged", "account_uuids": ada["uuid"]} | ({"_token": token} if token else {})
    for path in ("/goals/new", f"/goals/{goal['uuid']}/edit"):
        refused = await browser.http.post(path, data=form)
        assert refused.status_code == 403
        assert "<h1>Page expired</h1>" in refused.text
    [kept] = await _goals(firm, ada["uuid"])
    assert kept["name"] == "Untouched"


async def test_a_member_cannot_open_or_edit_a_goal_outside_their_reach(
    app: FastAPI, firm: Firm
) -> None:
    email, member_uuid = await _person(app, firm)
    theirs = await firm.client_account(first_name="Shared", last_name="Client")
    hidden = await firm.client_account(first_name="Hidden", last_name="Client")
    await firm.group([member_uuid, theirs["uuid"]])
    secret = await firm.goal([hidden["uuid"]], name="Secret goal")
    async with new_browser(app) as http:
        member = Browser(http)
        assert (await member.sign_in(email, firm.password)).status_code == 303
        _, token = await _form(member, f"/goals/new?client={theirs['uuid']}")
        for path in (f"/goals/{secret['uuid']}/edit", "/goals/not-a-uuid/edit"):
            page = await http.get(path)
            assert page.status_code == 404 and "<h1>Not found</h1>" in page.text
            assert "Secret goal" not in page.text
            form = {"_token": token, "name": "Taken", "account_uuids": theirs["uuid"]}
            posted = await http.post(path, data=form)
            assert posted.status_code == 404 and "<h1>Not found</h1>" in posted.text
        refused = await http.get(f"/goals/new?client={hidden['uuid']}")
        assert refused.status_code == 404
        # Naming the hidden client as an owner gets the API's message.
        form = {"_token": token, "name": "Mine", "account_uuids": hidden["uuid"]}
        posted = await http.post("/goals/new", data=form)
        assert posted.status_code == 422
        assert _field_error(posted.text, "account_uuids") == (
            "The selected account uuids.0 is invalid."
        )
    after = (await firm.owner.get(f"/api/v2/goals/{secret['uuid']}")).json()
    assert after["name"] == "Secret goal"
    assert [a["uuid"] for a in after["accounts"]] == [hidden["uuid"]]
    assert await _goals(firm, theirs["uuid"]) == []


async def test_an_edit_keeps_the_owners_the_member_cannot_see(app: FastAPI, firm: Firm) -> None:
    email, member_uuid = await _person(app, firm)
    theirs = await firm.client_account(first_name="Shared", last_name="Client")
    hidden = await firm.client_account(first_name="Hidden", last_name="Client")
    await firm.group([member_uuid, theirs["uuid"]])
    goal = await firm.goal([theirs["uuid"], hidden["uuid"]], name="Joint goal")
    async with new_browser(app) as http:
        member = Browser(http)
        await member.sign_in(email, firm.password)
        html, token = await _form(member, f"/goals/{goal['uuid']}/edit")
        assert _checked(html, "account_uuids") == [theirs["uuid"]]
        assert "Hidden" not in html
        form = {"_token": token, "name": "Renamed", "account_uuids": theirs["uuid"]}
        saved = await http.post(f"/goals/{goal['uuid']}/edit", data=form)
        assert saved.status_code == 303
        assert saved.headers["location"] == f"/clients/{theirs['uuid']}"
    after = (await firm.owner.get(f"/api/v2/goals/{goal['uuid']}")).json()
    assert after["name"] == "Renamed"
    assert [a["uuid"] for a in after["accounts"]] == [theirs["uuid"], hidden["uuid"]]


async def test_an_account_without_the_write_permission_may_not_use_the_forms(
    app: FastAPI, firm: Firm
) -> None:
    email, member_uuid = await _person(app, firm, write=False)
    theirs = await firm.client_account(first_name="Shared", last_name="Client")
    await firm.group([member_uuid, theirs["uuid"]])
    goal = await firm.goal([theirs["uuid"]], name="Read only")
    async with new_browser(app) as http:
        member = Browser(http)
        await member.sign_in(email, firm.password)
        client_page = await http.get(f"/clients/{theirs['uuid']}")
        assert "New goal" not in client_page.text and "/edit" not in client_page.text
        token = CSRF.search(client_page.text)
        assert token
        form = {"_token": token.group(1), "name": "Written", "account_uuids": theirs["uuid"]}
        for path in ("/goals/new", f"/goals/{goal['uuid']}/edit"):
            page = await http.get(path)
            assert page.status_code == 403
            assert "This action is unauthorized." in page.text
            posted = await http.post(path, data=form)
            assert posted.status_code == 403
    [kept] = await _goals(firm, theirs["uuid"])
    assert kept["name"] == "Read only"

"""The workspace's client pages show what the API would show the acting account: the
clients it may see (searchable, paged) and, for one of them, its households, goals and
open tasks; a client it may not open is the workspace's 404 page."""

from __future__ import annotations

import re
import secrets
from typing import Any

from fastapi import FastAPI

from advisercrm.firms.service import add_person
from tests.helpers import Firm
from tests.web.conftest import Browser, new_browser


def _names(html: str) -> list[str]:
    return re.findall(r'<td><a href="/clients/[0-9a-f-]+">([^<]+)</a></td>', html)


async def _member(app: FastAPI, firm: Firm) -> tuple[str, str]:
    """A member of the firm with a login: their email and account UUID."""
    email = f"member-{secrets.token_hex(3)}@example.com"
    async with app.state.engine.begin() as conn:
        person = await add_person(
            conn,
            firm.firm_id,
            {"type": "employee", "role": "member", "first_name": "Mo", "last_name": "Member"},
            email,
            firm.password,
        )
    return email, person.account_uuid


async def test_the_list_searches_by_name_or_email_and_pages(browser: Browser, firm: Firm) -> None:
    made = [
        await firm.client_account(first_name=f"Zed{n:02d}", last_name="Walker") for n in range(26)
    ]
    await browser.sign_in(firm.emails[0], firm.password)
    first = await browser.http.get("/clients")
    assert first.status_code == 200
    assert "26 clients" in first.text
    assert len(_names(first.text)) == 25
    assert "Page 1 of 2" in first.text
    second = await browser.http.get("/clients?page=2")
    assert _names(second.text) == ["Zed25 Walker"]
    by_name = await browser.http.get("/clients?q=zed1")
    assert _names(by_name.text) == [f"Zed1{n} Walker" for n in range(10)]
    by_email = await browser.http.get("/clients", params={"q": made[3]["email"]})
    assert _names(by_email.text) == ["Zed03 Walker"]
    nothing = await browser.http.get("/clients?q=nobody-at-all")
    assert "0 clients" in nothing.text and _names(nothing.text) == []
    assert (await browser.http.get("/clients?page=x")).status_code == 200


async def test_a_client_page_shows_households_goals_and_open_tasks(
    browser: Browser, firm: Firm
) -> None:
    client = await firm.client_account(first_name="Ada", last_name="Lovelace")
    await firm.circle([client["uuid"]], name="Lovelace Household")
    await firm.goal(
        [client["uuid"]],
        name="Retire early",
        target_amount=250000,
        progress=40,
        priority=2,
        complete_goal_by="2031-04-28",
    )
    statuses = (await firm.owner.get("/api/v1/task-status")).json()["data"]
    task: dict[str, Any] = {
        "taskable_type": "client",
        "taskable_uuid": client["uuid"],
        "task_status_uuid": statuses[0]["uuid"],
    }
    await firm.owner.created("/api/v1/task", {**task, "name": "Send the annual review"})
    await browser.sign_in(firm.emails[0], firm.password)
    page = await browser.http.get(f"/clients/{client['uuid']}")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Ada Lovelace</h1>" in html
    assert "Lovelace Household" in html
    assert "<h3>Retire early</h3>" in html
    # The API takes and shows money in minor units (pence); the page, formatted.
    assert "Target <strong>£2,500.00</strong>" in html
    assert '<time datetime="2031-04-28T00:00:00+01:00">28 Apr 2031</time>' in html
    assert "Priority 2 of 5" in html
    assert 'max="100" value="40"' in html
    assert "Send the annual review" in html


async def test_a_member_sees_only_the_clients_of_their_groups(
    app: FastAPI, firm: Firm, other_firm: Firm
) -> None:
    email, member_uuid = await _member(app, firm)
    theirs = await firm.client_account(first_name="Shared", last_name="Client")
    hidden = await firm.client_account(first_name="Hidden", last_name="Client")
    await firm.group([member_uuid, theirs["uuid"]])
    elsewhere = await other_firm.client_account(first_name="Other", last_name="Firm")
    async with new_browser(app) as http:
        member = Browser(http)
        assert (await member.sign_in(email, firm.password)).status_code == 303
        listed = await http.get("/clients")
        assert _names(listed.text) == ["Shared Client"]
        assert (await http.get(f"/clients/{theirs['uuid']}")).status_code == 200
        for uuid in (hidden["uuid"], elsewhere["uuid"], "not-a-uuid", member_uuid):
            refused = await http.get(f"/clients/{uuid}")
            assert refused.status_code == 404
            assert "<h1>Not found</h1>" in refused.text
            assert "Hidden" not in refused.text
        # The API answers the same.
        api = await firm.owner.get(f"/api/v1/client/{hidden['uuid']}")
        assert api.status_code == 200

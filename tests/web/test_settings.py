"""The settings pages change what the API reports, through the API's own rules: each page
lists, creates, edits and deletes, and the API's GET shows the change; the API's
validation messages come back beside the fields with 422; a member gets the 403 page and
changes nothing; a form without its CSRF token is refused."""

from __future__ import annotations

import re
import secrets
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.db import connect
from advisercrm.firms.service import add_person
from advisercrm.kit.errors import ValidationFailed
from advisercrm.kit.sql import execute
from advisercrm.tables import task_statuses
from advisercrm.web.settings.common import attempt
from tests.helpers import Firm
from tests.web.conftest import Browser, new_browser
from tests.webhooks.receiver import sql
from tests.webhooks.support import make_deliveries

STATUSES = "/api/v1/task-status"
AREAS = ("task-statuses", "webhooks", "custom-fields", "groups", "people", "tokens")


async def _person(app: FastAPI, firm: Firm, role: str, write: bool = True) -> str:
    """A new employee of the firm with a login: their email."""
    email = f"{role}-{secrets.token_hex(3)}@example.com"
    names = {"first_name": "Pat", "last_name": role.title()}
    async with app.state.engine.begin() as conn:
        await add_person(
            conn,
            firm.firm_id,
            {"type": "employee", "role": role, **names},
            email,
            firm.password,
            write,
            True,
        )
    return email


async def _send(browser: Browser, path: str, data: dict[str, Any]) -> httpx.Response:
    """Post a form the way its page does: with the session's CSRF token."""
    token = await browser.csrf("/settings")
    return await browser.http.post(path, data={"_token": token, **data})


async def _owner(browser: Browser, firm: Firm) -> Browser:
    await browser.sign_in(firm.emails[0], firm.password)
    return browser


async def _statuses(firm: Firm) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = (await firm.owner.get(STATUSES)).json()["data"]
    return data


def _error(html: str, field: str) -> list[str]:
    return re.findall(rf'<p class="error" id="{field}-error[^"]*">([^<]+)</p>', html)


async def test_the_owner_sees_settings_in_the_nav_and_a_member_does_not(
    app: FastAPI, browser: Browser, firm: Firm
) -> None:
    await _owner(browser, firm)
    clients = await browser.http.get("/clients")
    assert '<a href="/settings"' in clients.text
    index = await browser.http.get("/settings")
    assert index.status_code == 200
    areas = re.findall(r'<h2><a href="(/settings/[a-z-]+)">', index.text)
    assert areas == [f"/settings/{area}" for area in AREAS]
    for path in areas:
        assert (await browser.http.get(path)).status_code == 200, path
    async with new_browser(app) as http:
        member = Browser(http)
        await member.sign_in(await _person(app, firm, "member"), firm.password)
        clients = await http.get("/clients")
        assert clients.status_code == 200 and '<a href="/settings"' not in clients.text
        for path in ("/settings", *(f"/settings/{area}" for area in AREAS)):
            refused = await http.get(path)
            assert refused.status_code == 403
            assert "Only the firm&#39;s owners and admins can change its settings." in refused.text


async def test_an_admin_sees_the_settings(app: FastAPI, firm: Firm) -> None:
    async with new_browser(app) as http:
        admin = Browser(http)
        await admin.sign_in(await _person(app, firm, "admin"), firm.password)
        assert (await http.get("/settings/task-statuses")).status_code == 200


async def test_task_statuses_list_create_edit_move_and_delete(browser: Browser, firm: Firm) -> None:
    await _owner(browser, firm)
    before = await _statuses(firm)
    listing = await browser.http.get("/settings/task-statuses")
    assert listing.status_code == 200
    names = re.findall(r'<a href="/settings/task-statuses/[0-9a-f-]+">([^<]+)</a>', listing.text)
    assert names == [s["name"] for s in before]

    made = await _send(
        browser, "/settings/task-statuses", {"name": "Waiting on client", "colour": "#123abc"}
    )
    assert made.status_code == 303 and made.headers["location"] == "/settings/task-statuses"
    after = await _statuses(firm)
    new = after[-1]
    assert (new["name"], new["colour"], new["position"]) == ("Waiting on client", "#123abc", 4)
    assert not (new["is_type_completed"] or new["is_not_started"] or new["is_archived"])
    shown = await browser.http.get("/settings/task-statuses")
    assert "Waiting on client" in shown.text

    edit = await browser.http.get(f"/settings/task-statuses/{new['uuid']}")
    assert edit.status_code == 200 and 'value="#123abc"' in edit.text
    changed = await _send(
        browser,
        f"/settings/task-statuses/{new['uuid']}",
        {"name": "Awaiting client", "colour": "", "is_archived": "1"},
    )
    assert changed.status_code == 303
    again = (await firm.owner.get(f"{STATUSES}/{new['uuid']}")).json()
    assert (again["name"], again["colour"], again["is_archived"]) == (
        "Awaiting client",
        "#123abc",
        True,
    )

    up = await _send(browser, f"/settings/task-statuses/{new['uuid']}/move", {"position": "3"})
    assert up.status_code == 303
    order = [s["name"] for s in await _statuses(firm)]
    assert order == [before[0]["name"], before[1]["name"], "Awaiting client", before[2]["name"]]

    gone = await _send(browser, f"/settings/task-statuses/{new['uuid']}/delete", {})
    assert gone.status_code == 303
    assert (await firm.owner.get(f"{STATUSES}/{new['uuid']}")).status_code == 404
    assert [s["uuid"] for s in await _statuses(firm)] == [s["uuid"] for s in before]


async def test_a_task_status_form_shows_the_api_messages_with_422(
    browser: Browser, firm: Firm
) -> None:
    await _owner(browser, firm)
    before = await _statuses(firm)
    bad = await _send(
        browser,
        "/settings/task-statuses",
        {"name": "", "colour": "red", "is_type_completed": "1", "is_not_started": "1"},
    )
    assert bad.status_code == 422
    # The API's own messages for the same body.
    api = await firm.owner.post(
        STATUSES, {"name": "", "colour": "red", "is_type_completed": True, "is_not_started": True}
    )
    assert api.status_code == 422
    assert (
        _error(bad.text, "name") == api.json()["errors"]["name"] == ["The name field is required."]
    )
    assert _error(bad.text, "colour") == api.json()["errors"]["colour"]
    assert 'value="red"' in bad.text
    both = await _send(
        browser,
        "/settings/task-statuses",
        {"name": "Both", "is_type_completed": "1", "is_not_started": "1"},
    )
    assert both.status_code == 422
    assert _error(both.text, "is_not_started") == [
        "The is not started field cannot be true for a completed-type status."
    ]
    first = before[0]
    edit = await _send(browser, f"/settings/task-statuses/{first['uuid']}", {"name": "x" * 256})
    assert edit.status_code == 422
    assert _error(edit.text, "name") == ["The name field must not be greater than 255 characters."]
    move = await _send(browser, f"/settings/task-statuses/{first['uuid']}/move", {"position": "0"})
    assert move.status_code == 422 and "The position field must be at least 1." in move.text
    assert await _statuses(firm) == before


async def test_a_status_in_use_is_not_deleted(browser: Browser, firm: Firm) -> None:
    await _owner(browser, firm)
    client = await firm.client_account()
    status = (await _statuses(firm))[0]
    task = {
        "taskable_type": "client",
        "taskable_uuid": client["uuid"],
        "task_status_uuid": status["uuid"],
        "name": "Call",
    }
    await firm.owner.created("/api/v1/task", task)
    refused = await _send(browser, f"/settings/task-statuses/{status['uuid']}/delete", {})
    assert refused.status_code == 409
    assert "The task status is in use by tasks; archive it instead." in refused.text
    assert (await firm.owner.get(f"{STATUSES}/{status['uuid']}")).status_code == 200


async def test_a_member_changes_nothing(app: FastAPI, firm: Firm) -> None:
    before = await _statuses(firm)
    target = before[0]["uuid"]
    async with new_browser(app) as http:
        member = Browser(http)
        await member.sign_in(await _person(app, firm, "member"), firm.password)
        token = await member.csrf("/clients")
        for path, data in (
            ("/settings/task-statuses", {"name": "Sneaky"}),
            (f"/settings/task-statuses/{target}", {"name": "Sneaky"}),
            (f"/settings/task-statuses/{target}/move", {"position": "3"}),
            (f"/settings/task-statuses/{target}/delete", {}),
        ):
            refused = await http.post(path, data={"_token": token, **data})
            assert refused.status_code == 403, path
    assert await _statuses(firm) == before


async def test_an_admin_without_write_permission_changes_nothing(app: FastAPI, firm: Firm) -> None:
    before = await _statuses(firm)
    async with new_browser(app) as http:
        admin = Browser(http)
        await admin.sign_in(await _person(app, firm, "admin", write=False), firm.password)
        token = await admin.csrf("/settings/task-statuses")
        refused = await http.post("/settings/task-statuses", data={"_token": token, "name": "X"})
        assert refused.status_code == 403
        assert "Your login does not have the write permission." in refused.text
    assert await _statuses(firm) == before


async def test_a_form_without_its_csrf_token_is_refused(browser: Browser, firm: Firm) -> None:
    await _owner(browser, firm)
    before = await _statuses(firm)
    target = before[0]["uuid"]
    for path, data in (
        ("/settings/task-statuses", {"name": "Forged"}),
        (f"/settings/task-statuses/{target}", {"name": "Forged"}),
        (f"/settings/task-statuses/{target}/delete", {}),
        (f"/settings/task-statuses/{target}/delete", {"_token": "0" * 64}),
    ):
        refused = await browser.http.post(path, data=data)
        assert refused.status_code == 403, path
        assert "This page has expired." in refused.text
    assert await _statuses(firm) == before


SUBSCRIPTIONS = "/api/v2/webhook-subscriptions"
HOOK = "http://127.0.0.1:9/hook"


@pytest.fixture
def private_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISERCRM_WEBHOOK_ALLOW_PRIVATE", "1")


async def _subscriptions(firm: Firm) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = (await firm.owner.get(SUBSCRIPTIONS)).json()["data"]
    return data


@pytest.mark.usefixtures("private_urls")
async def test_webhooks_list_create_edit_and_delete(browser: Browser, firm: Firm) -> None:
    await _owner(browser, firm)
    empty = await browser.http.get("/settings/webhooks")
    assert empty.status_code == 200 and "0 subscriptions" in empty.text
    made = await _send(
        browser,
        "/settings/webhooks",
        {"url": HOOK, "events": ["account.created", "task.completed"]},
    )
    # The secret is on the page that answers the form, and on no other.
    assert made.status_code == 200
    [subscription] = await _subscriptions(firm)
    assert subscription["url"] == HOOK
    assert subscription["events"] == ["account.created", "task.completed"]
    secret = subscription["signing_secret"]
    assert f'<code class="secret" id="secret">{secret}</code>' in made.text
    listing = await browser.http.get("/settings/webhooks")
    assert HOOK in listing.text and secret not in listing.text
    path = f"/settings/webhooks/{subscription['uuid']}"
    shown = await browser.http.get(path)
    assert shown.status_code == 200 and secret not in shown.text
    assert 'value="task.completed" checked' in shown.text

    changed = await _send(browser, path, {"events": ["goal.created"]})
    assert changed.status_code == 303 and changed.headers["location"] == path
    [after] = await _subscriptions(firm)
    assert after["events"] == ["goal.created"] and after["signing_secret"] == secret

    gone = await _send(browser, f"{path}/delete", {})
    assert gone.status_code == 303
    assert await _subscriptions(firm) == []
    assert (await firm.owner.get(f"{SUBSCRIPTIONS}/{subscription['uuid']}")).status_code == 404


@pytest.mark.usefixtures("private_urls")
async def test_a_subscription_shows_its_deliveries_and_sends_one_again(
    browser: Browser, firm: Firm, database_url: str
) -> None:
    await _owner(browser, firm)
    made = await firm.owner.created(SUBSCRIPTIONS, {"url": HOOK, "events": ["account.created"]})
    await firm.client_account()
    await make_deliveries(firm.app)
    deliveries = f"{SUBSCRIPTIONS}/{made['uuid']}/deliveries"
    [delivery] = (await firm.owner.get(deliveries)).json()["data"]
    await sql(
        database_url,
        "UPDATE webhook_deliveries SET status = 'failed' WHERE uuid = $1",
        uuid.UUID(delivery["uuid"]),
    )
    path = f"/settings/webhooks/{made['uuid']}"
    shown = await browser.http.get(path)
    assert shown.status_code == 200
    assert "1 delivery" in shown.text and "account.created" in shown.text
    assert f"{path}/deliveries/{delivery['uuid']}/redeliver" in shown.text
    assert "<td>Failed</td>" in shown.text
    again = await _send(browser, f"{path}/deliveries/{delivery['uuid']}/redeliver", {})
    assert again.status_code == 303 and again.headers["location"] == path
    [after] = (await firm.owner.get(deliveries)).json()["data"]
    assert after["status"] == "pending" and after["uuid"] == delivery["uuid"]
    unknown = await _send(browser, f"{path}/deliveries/{uuid.uuid4()}/redeliver", {})
    assert unknown.status_code == 404


@pytest.mark.usefixtures("private_urls")
async def test_a_webhook_form_shows_the_api_messages_with_422(browser: Browser, firm: Firm) -> None:
    await _owner(browser, firm)
    raw = {"url": "ftp://example.com/hook", "events": ["account.made"]}
    bad = await _send(browser, "/settings/webhooks", raw)
    assert bad.status_code == 422
    api = await firm.owner.post(SUBSCRIPTIONS, raw)
    assert api.status_code == 422
    assert _error(bad.text, "url") == api.json()["errors"]["url"]
    assert _error(bad.text, "events.0") == api.json()["errors"]["events.0"]
    assert 'value="ftp://example.com/hook"' in bad.text
    none = await _send(browser, "/settings/webhooks", {"url": HOOK})
    assert none.status_code == 422
    assert _error(none.text, "events") == ["The events field is required."]
    assert await _subscriptions(firm) == []

    made = await firm.owner.created(SUBSCRIPTIONS, {"url": HOOK, "events": ["account.created"]})
    cleared = await _send(browser, f"/settings/webhooks/{made['uuid']}", {})
    assert cleared.status_code == 422
    assert _error(cleared.text, "events") == ["The events field is required."]
    assert (await _subscriptions(firm))[0]["events"] == ["account.created"]


@pytest.mark.usefixtures("private_urls")
async def test_a_member_and_a_forged_form_change_no_webhook(
    app: FastAPI, browser: Browser, firm: Firm
) -> None:
    made = await firm.owner.created(SUBSCRIPTIONS, {"url": HOOK, "events": ["account.created"]})
    path = f"/settings/webhooks/{made['uuid']}"
    async with new_browser(app) as http:
        member = Browser(http)
        await member.sign_in(await _person(app, firm, "member"), firm.password)
        token = await member.csrf("/clients")
        assert (await http.get("/settings/webhooks")).status_code == 403
        assert (await http.get(path)).status_code == 403
        for target, data in (
            ("/settings/webhooks", {"url": HOOK, "events": "goal.created"}),
            (path, {"events": "goal.created"}),
            (f"{path}/delete", {}),
        ):
            assert (await http.post(target, data={"_token": token, **data})).status_code == 403
    await _owner(browser, firm)
    for target, data in (
        ("/settings/webhooks", {"url": HOOK, "events": "goal.created"}),
        (path, {"events": "goal.created"}),
        (f"{path}/delete", {}),
    ):
        refused = await browser.http.post(target, data=data)
        assert refused.status_code == 403 and "This page has expired." in refused.text
    assert await _subscriptions(firm) == [made]


TOKENS = "/api/v1/personal-access-tokens"


async def _tokens(firm: Firm) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = (await firm.owner.get(TOKENS)).json()["data"]
    return data


async def test_tokens_list_create_and_revoke(browser: Browser, firm: Firm) -> None:
    await _owner(browser, firm)
    before = await _tokens(firm)
    made = await _send(
        browser,
        "/settings/tokens",
        {"name": "Reporting", "password": firm.password, "expires_at": "2099-01-31T09:30"},
    )
    assert made.status_code == 200
    plain = re.search(r'<code class="secret" id="token">([^<]+)</code>', made.text)
    assert plain is not None
    [new] = [t for t in await _tokens(firm) if t["name"] == "Reporting"]
    assert new["expires_at"] is not None and new["expires_at"].startswith("2099-01-31")
    assert len(await _tokens(firm)) == len(before) + 1
    # The plain token works with the API, and is on no other page.
    bearer = {
        "Authorization": f"Bearer {plain.group(1)}",
        "X-PLANNR-ACCOUNT-UUID": firm.owner.account_uuid,
    }
    me = await browser.http.get(TOKENS, headers=bearer)
    assert me.status_code == 200
    listing = await browser.http.get("/settings/tokens")
    assert "Reporting" in listing.text and plain.group(1) not in listing.text

    gone = await _send(browser, f"/settings/tokens/{new['uuid']}/revoke", {})
    assert gone.status_code == 303 and gone.headers["location"] == "/settings/tokens"
    assert [t["uuid"] for t in await _tokens(firm)] == [t["uuid"] for t in before]
    again = await browser.http.get(TOKENS, headers=bearer)
    assert again.status_code == 401
    unknown = await _send(browser, f"/settings/tokens/{new['uuid']}/revoke", {})
    assert unknown.status_code == 404


async def test_a_token_form_shows_the_api_messages_with_422(browser: Browser, firm: Firm) -> None:
    await _owner(browser, firm)
    before = await _tokens(firm)
    empty = await _send(browser, "/settings/tokens", {"name": "", "password": ""})
    assert empty.status_code == 422
    api = await firm.owner.post(TOKENS, {"name": "", "password": ""})
    assert api.status_code == 422
    assert _error(empty.text, "name") == api.json()["errors"]["name"]
    assert _error(empty.text, "password") == api.json()["errors"]["password"]
    wrong = await _send(
        browser,
        "/settings/tokens",
        {"name": "Kept", "password": "not it", "expires_at": "2001-01-01T00:00"},
    )
    assert wrong.status_code == 422
    assert _error(wrong.text, "expires_at") == ["The expires at field must be a date after now."]
    assert 'value="Kept"' in wrong.text and "not it" not in wrong.text
    assert await _tokens(firm) == before


async def test_wrong_passwords_on_the_token_form_are_throttled_as_the_api_is(
    browser: Browser, firm: Firm
) -> None:
    await _owner(browser, firm)
    before = await _tokens(firm)
    for _ in range(5):
        wrong = await _send(browser, "/settings/tokens", {"name": "T", "password": "wrong"})
        assert wrong.status_code == 422
        assert _error(wrong.text, "password") == ["The provided password is incorrect."]
    locked = await _send(browser, "/settings/tokens", {"name": "T", "password": firm.password})
    assert locked.status_code == 429
    assert 1 <= int(locked.headers["retry-after"]) <= 60
    assert _error(locked.text, "password") == ["Too Many Attempts."]
    # The API's route, from the same address, counts the same failures.
    api = await browser.http.post(
        TOKENS, json={"name": "T", "password": firm.password}, headers=firm.owner.headers
    )
    assert api.status_code == 429
    assert await _tokens(firm) == before


async def test_a_member_and_a_forged_form_make_no_token(
    app: FastAPI, browser: Browser, firm: Firm
) -> None:
    before = await _tokens(firm)
    async with new_browser(app) as http:
        member = Browser(http)
        await member.sign_in(await _person(app, firm, "member"), firm.password)
        token = await member.csrf("/clients")
        assert (await http.get("/settings/tokens")).status_code == 403
        form = {"_token": token, "name": "M", "password": firm.password}
        assert (await http.post("/settings/tokens", data=form)).status_code == 403
    await _owner(browser, firm)
    forged = await browser.http.post(
        "/settings/tokens", data={"name": "F", "password": firm.password}
    )
    assert forged.status_code == 403 and "This page has expired." in forged.text
    revoke = await browser.http.post(f"/settings/tokens/{before[0]['uuid']}/revoke", data={})
    assert revoke.status_code == 403
    assert await _tokens(firm) == before


FIELDS = "/api/v1/custom-field"


async def _fields(firm: Firm) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = (await firm.owner.get(f"{FIELDS}?per_page=100")).json()["data"]
    return data


async def test_custom_fields_list_create_edit_and_delete(browser: Browser, firm: Firm) -> None:
    await _owner(browser, firm)
    before = await _fields(firm)
    made = await _send(
        browser,
        "/settings/custom-fields",
        {
            "name": "Favourite Pet",
            "model_type": "client",
            "type": "selection",
            "selection_options": "Cat\r\nDog\r\n\r\n",
            "is_required": "1",
        },
    )
    assert made.status_code == 303 and made.headers["location"] == "/settings/custom-fields"
    [new] = [f for f in await _fields(firm) if f["name"] == "Favourite Pet"]
    assert (new["model_type"], new["type"], new["reference"]) == (
        "client",
        "selection",
        "favourite_pet",
    )
    assert new["selection_options"] == ["Cat", "Dog"] and new["is_required"]
    assert not new["is_visible_to_clients"] and new["help_text"] is None
    listing = await browser.http.get("/settings/custom-fields")
    assert listing.status_code == 200 and "favourite_pet" in listing.text

    path = f"/settings/custom-fields/{new['uuid']}"
    edit = await browser.http.get(path)
    assert edit.status_code == 200 and "Cat\nDog</textarea>" in edit.text
    changed = await _send(
        browser,
        path,
        {"name": "Pet", "selection_options": "Cat\nDog\nFish", "help_text": "Their main one"},
    )
    assert changed.status_code == 303
    after = (await firm.owner.get(f"{FIELDS}/{new['uuid']}")).json()
    assert (after["name"], after["selection_options"], after["help_text"]) == (
        "Pet",
        ["Cat", "Dog", "Fish"],
        "Their main one",
    )
    assert after["reference"] == "favourite_pet" and not after["is_required"]

    gone = await _send(browser, f"{path}/delete", {})
    assert gone.status_code == 303
    assert (await firm.owner.get(f"{FIELDS}/{new['uuid']}")).status_code == 404
    assert await _fields(firm) == before


async def test_a_custom_field_form_shows_the_api_messages_with_422(
    browser: Browser, firm: Firm
) -> None:
    await _owner(browser, firm)
    before = await _fields(firm)
    raw = {"name": "Size", "model_type": "task", "type": "selection"}
    bad = await _send(browser, "/settings/custom-fields", {**raw, "selection_options": "S\nS"})
    assert bad.status_code == 422
    api = await firm.owner.post(FIELDS, {**raw, "selection_options": ["S", "S"]})
    assert api.status_code == 422
    assert _error(bad.text, "selection_options.1") == api.json()["errors"]["selection_options.1"]
    assert "S\nS</textarea>" in bad.text
    none = await _send(browser, "/settings/custom-fields", raw)
    assert none.status_code == 422
    assert _error(none.text, "selection_options") == [
        "The selection options field is required when type is selection."
    ]
    odd = await _send(browser, "/settings/custom-fields", {**raw, "type": "colour", "name": ""})
    assert odd.status_code == 422
    assert _error(odd.text, "type") == ["The selected type is invalid."]
    assert _error(odd.text, "name") == ["The name field is required."]
    assert await _fields(firm) == before

    made = await firm.owner.created(FIELDS, {"name": "Taken", "type": "string"})
    other = await firm.owner.created(FIELDS, {"name": "Other", "type": "string"})
    clash = await _send(browser, f"/settings/custom-fields/{other['uuid']}", {"name": "Taken"})
    assert clash.status_code == 422
    assert _error(clash.text, "name") == ["The name has already been taken."]
    assert (await firm.owner.get(f"{FIELDS}/{other['uuid']}")).json() == other
    assert made["name"] == "Taken"


async def test_a_member_and_a_forged_form_change_no_custom_field(
    app: FastAPI, browser: Browser, firm: Firm
) -> None:
    made = await firm.owner.created(FIELDS, {"name": "Kept", "type": "string"})
    path = f"/settings/custom-fields/{made['uuid']}"
    before = await _fields(firm)
    attempts = (
        ("/settings/custom-fields", {"name": "M", "type": "string"}),
        (path, {"name": "M"}),
        (f"{path}/delete", {}),
    )
    async with new_browser(app) as http:
        member = Browser(http)
        await member.sign_in(await _person(app, firm, "member"), firm.password)
        token = await member.csrf("/clients")
        assert (await http.get("/settings/custom-fields")).status_code == 403
        for target, data in attempts:
            assert (await http.post(target, data={"_token": token, **data})).status_code == 403
    await _owner(browser, firm)
    for target, data in attempts:
        refused = await browser.http.post(target, data=data)
        assert refused.status_code == 403 and "This page has expired." in refused.text
    assert await _fields(firm) == before


GROUPS = "/api/v1/group"


async def _groups(firm: Firm) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = (await firm.owner.get(f"{GROUPS}?per_page=100")).json()["data"]
    return data


async def test_groups_list_create_rename_members_and_delete(
    app: FastAPI, browser: Browser, firm: Firm
) -> None:
    await _owner(browser, firm)
    ann = await firm.actor(role="member", first_name="Ann", last_name="Adviser")
    bob = await firm.actor(role="admin", first_name="Bob", last_name="Boss")
    listing = await browser.http.get("/settings/groups")
    assert listing.status_code == 200
    assert f'value="{ann.account_uuid}"' in listing.text and "Ann Adviser" in listing.text

    made = await _send(
        browser, "/settings/groups", {"name": "North Team", "participants": [ann.account_uuid]}
    )
    assert made.status_code == 303
    [group] = await _groups(firm)
    assert made.headers["location"] == f"/settings/groups/{group['uuid']}"
    assert (group["name"], group["slug"]) == ("North Team", "north-team")
    assert [p["uuid"] for p in group["participants"]] == [ann.account_uuid]
    path = f"/settings/groups/{group['uuid']}"
    shown = await browser.http.get(path)
    assert shown.status_code == 200 and "Ann Adviser" in shown.text

    renamed = await _send(browser, path, {"name": "South Team"})
    assert renamed.status_code == 303
    added = await _send(browser, f"{path}/members", {"participants": [bob.account_uuid]})
    assert added.status_code == 303
    after = (await firm.owner.get(f"{GROUPS}/{group['uuid']}")).json()
    assert (after["name"], after["slug"]) == ("South Team", "south-team")
    assert {p["uuid"] for p in after["participants"]} == {ann.account_uuid, bob.account_uuid}

    removed = await _send(browser, f"{path}/members/{ann.account_uuid}/remove", {})
    assert removed.status_code == 303
    after = (await firm.owner.get(f"{GROUPS}/{group['uuid']}")).json()
    assert [p["uuid"] for p in after["participants"]] == [bob.account_uuid]
    again = await _send(browser, f"{path}/members/{ann.account_uuid}/remove", {})
    assert again.status_code == 404

    gone = await _send(browser, f"{path}/delete", {})
    assert gone.status_code == 303
    assert await _groups(firm) == []


async def test_a_group_form_shows_the_api_messages_with_422(browser: Browser, firm: Firm) -> None:
    await _owner(browser, firm)
    bad = await _send(
        browser, "/settings/groups", {"name": "", "participants": [str(uuid.uuid4())]}
    )
    assert bad.status_code == 422
    raw = {"name": "", "participants": [str(uuid.uuid4())]}
    api = await firm.owner.post(GROUPS, raw)
    assert api.status_code == 422
    assert _error(bad.text, "name") == api.json()["errors"]["name"]
    assert _error(bad.text, "participants.0") == api.json()["errors"]["participants.0"]
    assert await _groups(firm) == []
    group = await firm.group([])
    path = f"/settings/groups/{group['uuid']}"
    empty = await _send(browser, path, {"name": ""})
    assert empty.status_code == 422
    assert _error(empty.text, "name") == ["The name field is required."]
    nobody = await _send(browser, f"{path}/members", {})
    assert nobody.status_code == 422
    assert _error(nobody.text, "participants") == ["The participants field is required."]
    assert await _groups(firm) == [group]


async def test_a_member_and_a_forged_form_change_no_group(
    app: FastAPI, browser: Browser, firm: Firm
) -> None:
    group = await firm.group([])
    path = f"/settings/groups/{group['uuid']}"
    attempts = (
        ("/settings/groups", {"name": "M"}),
        (path, {"name": "M"}),
        (f"{path}/members", {"participants": firm.owner.account_uuid}),
        (f"{path}/delete", {}),
    )
    async with new_browser(app) as http:
        member = Browser(http)
        await member.sign_in(await _person(app, firm, "member"), firm.password)
        token = await member.csrf("/clients")
        assert (await http.get("/settings/groups")).status_code == 403
        for target, data in attempts:
            assert (await http.post(target, data={"_token": token, **data})).status_code == 403
    await _owner(browser, firm)
    for target, data in attempts:
        refused = await browser.http.post(target, data=data)
        assert refused.status_code == 403 and "This page has expired." in refused.text
    assert await _groups(firm) == [group]


ACCOUNTS = "/api/v1/account"


async def _logins(firm: Firm, account_uuid: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = (await firm.owner.get(f"{ACCOUNTS}/{account_uuid}/login")).json()[
        "data"
    ]
    return data


async def test_people_are_listed_added_with_a_login_and_given_logins(
    app: FastAPI, browser: Browser, firm: Firm
) -> None:
    await _owner(browser, firm)
    listing = await browser.http.get("/settings/people")
    assert listing.status_code == 200
    assert "Owner" in listing.text and "No login" not in listing.text

    email = f"nia-{secrets.token_hex(3)}@example.com"
    made = await _send(
        browser,
        "/settings/people",
        {
            "first_name": "Nia",
            "last_name": "New",
            "email": email,
            "role": "admin",
            "password": "a long new password",
        },
    )
    assert made.status_code == 303
    person_uuid = made.headers["location"].rsplit("/", 1)[1]
    account = (await firm.owner.get(f"{ACCOUNTS}/{person_uuid}")).json()
    assert (account["name"], account["role"], account["type"]) == ("Nia New", "admin", "employee")
    [login] = await _logins(firm, person_uuid)
    assert login["email"] == email
    # The login signs in to the workspace with its password.
    async with new_browser(app) as http:
        signed = await Browser(http).sign_in(email, "a long new password")
        assert signed.status_code == 303

    plain = await _send(
        browser, "/settings/people", {"first_name": "Lou", "last_name": "Later", "role": "member"}
    )
    assert plain.status_code == 303
    lou = plain.headers["location"].rsplit("/", 1)[1]
    assert await _logins(firm, lou) == []
    listing = await browser.http.get("/settings/people")
    assert "Lou Later" in listing.text and "No login" in listing.text

    path = f"/settings/people/{lou}"
    page = await browser.http.get(path)
    assert page.status_code == 200 and "0 logins" in page.text
    lou_email = f"lou-{secrets.token_hex(3)}@example.com"
    given = await _send(
        browser,
        f"{path}/logins",
        {
            "first_name": "Lou",
            "last_name": "Later",
            "email": lou_email,
            "has_write_permission": "1",
        },
    )
    assert given.status_code == 303 and given.headers["location"] == path
    [login] = await _logins(firm, lou)
    assert (login["email"], login["has_write_permission"], login["has_delete_permission"]) == (
        lou_email,
        True,
        False,
    )
    assert login["expires_at"] is None
    expired = await _send(browser, f"{path}/logins/{login['uuid']}/expire", {})
    assert expired.status_code == 303
    [login] = await _logins(firm, lou)
    assert login["expires_at"] is not None
    listing = await browser.http.get("/settings/people")
    assert listing.text.count("No login") == 1  # Lou's login has expired


async def test_a_person_form_shows_the_api_messages_with_422(browser: Browser, firm: Firm) -> None:
    await _owner(browser, firm)
    before = (await firm.owner.get(f"{ACCOUNTS}?per_page=100")).json()["meta"]["total"]
    raw = {"first_name": "Al", "last_name": "Short", "role": "member", "password": "short"}
    bad = await _send(browser, "/settings/people", raw)
    assert bad.status_code == 422
    api = await firm.owner.post(
        ACCOUNTS,
        {"type": "employee", "first_name": "Al", "last_name": "Short", "role": "member",
         "login": {"password": "short"}},
    )  # fmt: skip
    assert api.status_code == 422
    assert _error(bad.text, "login.password") == api.json()["errors"]["login.password"]
    assert 'value="Al"' in bad.text and "short" not in re.findall(r'value="([^"]*)"', bad.text)
    taken = await _send(
        browser,
        "/settings/people",
        {"first_name": "A", "last_name": "B", "role": "member", "email": firm.emails[0],
         "password": "long enough password"},
    )  # fmt: skip
    assert taken.status_code == 422
    assert _error(taken.text, "email") == ["The email has already been taken."]
    after = (await firm.owner.get(f"{ACCOUNTS}?per_page=100")).json()["meta"]["total"]
    assert after == before

    owner = firm.owner.account_uuid
    login = await _send(browser, f"/settings/people/{owner}/logins", {"email": "nope"})
    assert login.status_code == 422
    assert _error(login.text, "first_name") == ["The first name field is required."]
    assert _error(login.text, "email") == ["The email field must be a valid email address."]
    assert len(await _logins(firm, owner)) == 1


async def test_an_admin_may_not_manage_an_owners_logins_and_a_member_nothing(
    app: FastAPI, browser: Browser, firm: Firm
) -> None:
    owner = firm.owner.account_uuid
    before = await _logins(firm, owner)
    async with new_browser(app) as http:
        admin = Browser(http)
        await admin.sign_in(await _person(app, firm, "admin"), firm.password)
        page = await http.get("/settings/people")
        assert page.status_code == 200
        assert '<option value="owner"' not in page.text  # only owners make owners
        assert (await http.get(f"/settings/people/{owner}")).status_code == 403
        token = await admin.csrf("/settings/people")
        form = {"_token": token, "first_name": "X", "last_name": "Y", "email": "x@example.com"}
        refused = await http.post(f"/settings/people/{owner}/logins", data=form)
        assert refused.status_code == 403
        made = await http.post(
            "/settings/people",
            data={"_token": token, "first_name": "O", "last_name": "W", "role": "owner"},
        )
        assert made.status_code == 403
    async with new_browser(app) as http:
        member = Browser(http)
        await member.sign_in(await _person(app, firm, "member"), firm.password)
        token = await member.csrf("/clients")
        assert (await http.get("/settings/people")).status_code == 403
        form = {"_token": token, "first_name": "M", "last_name": "M", "role": "member"}
        assert (await http.post("/settings/people", data=form)).status_code == 403
    await _owner(browser, firm)
    forged = await browser.http.post(
        "/settings/people", data={"first_name": "F", "last_name": "G", "role": "member"}
    )
    assert forged.status_code == 403 and "This page has expired." in forged.text
    assert await _logins(firm, owner) == before
    names = [a["name"] for a in (await firm.owner.get(f"{ACCOUNTS}?per_page=100")).json()["data"]]
    assert not {"O W", "M M", "F G"} & set(names)


async def test_a_refused_write_leaves_nothing_behind(app: FastAPI, firm: Firm) -> None:
    """A form's write runs in a savepoint: what it wrote before its 422 is rolled back,
    though the page's own transaction commits."""
    status = (await _statuses(firm))[0]

    async def writes_then_fails() -> None:
        await _rename(conn, firm.firm_id, status["uuid"])
        raise ValidationFailed({"name": ["The name field is required."]})

    async with connect(app.state.engine, begin=True) as conn:
        no_page: Any = None  # only a refusal other than 422 makes a page
        result, errors = await attempt(no_page, no_page, conn, writes_then_fails, "/")
    assert (result, errors) == (None, {"name": ["The name field is required."]})
    assert (await _statuses(firm))[0] == status


async def _rename(conn: AsyncConnection, firm_id: int, status_uuid: str) -> None:
    statement = (
        update(task_statuses)
        .where(task_statuses.c.firm_id == firm_id, task_statuses.c.uuid == uuid.UUID(status_uuid))
        .values(name="Written")
    )
    await execute(conn, statement)


ODD = ("", " ", "x" * 3000, "-1", "0", "99999999999999999999999", "1.5", "true", "☃", "%00")


@pytest.mark.usefixtures("private_urls")
async def test_odd_input_on_every_settings_form_is_never_a_server_error(
    browser: Browser, firm: Firm
) -> None:
    await _owner(browser, firm)
    status = (await _statuses(firm))[0]["uuid"]
    hook = await firm.owner.created(SUBSCRIPTIONS, {"url": HOOK, "events": ["goal.created"]})
    field = await firm.owner.created(FIELDS, {"name": "Odd", "type": "selection",
                                              "selection_options": ["a"]})  # fmt: skip
    group = await firm.group([])
    person = firm.owner.account_uuid
    forms = {
        "/settings/task-statuses": ("name", "colour", "is_archived"),
        f"/settings/task-statuses/{status}": ("name", "colour", "is_not_started"),
        f"/settings/task-statuses/{status}/move": ("position",),
        "/settings/webhooks": ("url", "events"),
        f"/settings/webhooks/{hook['uuid']}": ("events",),
        "/settings/custom-fields": ("name", "type", "model_type", "selection_options"),
        f"/settings/custom-fields/{field['uuid']}": ("name", "selection_options", "help_text"),
        "/settings/groups": ("name", "participants"),
        f"/settings/groups/{group['uuid']}": ("name",),
        f"/settings/groups/{group['uuid']}/members": ("participants",),
        "/settings/people": ("first_name", "email", "role", "password"),
        f"/settings/people/{person}/logins": ("first_name", "email"),
        "/settings/tokens": ("name", "password", "expires_at"),
    }
    for path, names in forms.items():
        for value in ODD:
            answer = await _send(browser, path, dict.fromkeys(names, value))
            assert answer.status_code in (303, 422, 429), (path, value, answer.status_code)
    for path in ("/settings/task-statuses/nope", "/settings/webhooks/nope/delete",
                 f"/settings/webhooks/{hook['uuid']}/deliveries/nope/redeliver",
                 "/settings/groups/nope/members/nope/remove",
                 f"/settings/people/{person}/logins/nope/expire",
                 "/settings/tokens/nope/revoke"):  # fmt: skip
        assert (await _send(browser, path, {})).status_code == 404, path

"""The workspace's task pages show what the API shows the acting account: a task with
every field, its custom values and subtasks, completed, reopened and its custom values
set through the API's own service (what the API then reports changes; a form without
its CSRF token, or from a login that may not write, changes nothing); a task it may not
open is the 404 page and is not among its tasks; "My tasks" lists its open tasks,
soonest due first."""

from __future__ import annotations

import re
import secrets
from typing import Any

from fastapi import FastAPI

from advisercrm.auth.service import issue_token
from advisercrm.firms.service import add_person
from tests.helpers import Actor, Firm
from tests.web.conftest import CSRF, Browser, new_browser

NOT_FOUND = "<h1>Not found</h1>"


async def _person(app: FastAPI, firm: Firm, write: bool = True) -> tuple[str, Actor]:
    """A member of the firm with a login: their email, and them calling the API."""
    email = f"member-{secrets.token_hex(3)}@example.com"
    names = {"first_name": "Mo", "last_name": "Member"}
    async with app.state.engine.begin() as conn:
        person = await add_person(
            conn,
            firm.firm_id,
            {"type": "employee", "role": "member", **names},
            email,
            firm.password,
            write,
            write,
        )
        token, _ = await issue_token(conn, person.user_id, "test", app.state.secret_key)
    return email, Actor(firm.client, token, person.account_uuid)


async def _statuses(firm: Firm) -> dict[str, dict[str, Any]]:
    """The firm's task statuses by name: Not Started, In Progress, Completed."""
    data = (await firm.owner.get("/api/v1/task-status")).json()["data"]
    return {status["name"]: status for status in data}


async def _task(firm: Firm, taskable: str, **body: Any) -> dict[str, Any]:
    statuses = await _statuses(firm)
    start = {
        "name": f"Task {secrets.token_hex(2)}",
        "taskable_type": "client",
        "taskable_uuid": taskable,
        "task_status_uuid": statuses["Not Started"]["uuid"],
    }
    return await firm.owner.created("/api/v1/task", start | body)


async def _shown(firm: Firm, task_uuid: str) -> dict[str, Any]:
    response = await firm.owner.get(f"/api/v1/task/{task_uuid}")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def _listed(html: str) -> list[str]:
    return re.findall(r'<td><a href="/tasks/[0-9a-f-]+">([^<]+)</a></td>', html)


async def test_a_task_page_shows_every_field_its_custom_values_and_subtasks(
    browser: Browser, firm: Firm
) -> None:
    client = await firm.client_account(first_name="Ada", last_name="Lovelace")
    field = await firm.owner.created(
        "/api/v1/custom-field",
        {
            "type": "selection",
            "name": "Favourite Pet",
            "model_type": "task",
            "selection_options": ["Dog", "Cat", "Fish"],
        },
    )
    parent = await _task(firm, client["uuid"], name="Annual review")
    task = await _task(
        firm,
        client["uuid"],
        name="Send the review pack",
        description="Print it.\nPost it.",
        priority="high",
        due_at="2031-05-06 14:30:00",
        assigned_to_uuids=[firm.owner.account_uuid],
        parent_task_uuid=parent["uuid"],
        custom_fields={field["reference"]: "Cat"},
    )
    subtask = await _task(firm, client["uuid"], name="Buy stamps", parent_task_uuid=task["uuid"])
    await browser.sign_in(firm.emails[0], firm.password)
    response = await browser.http.get(f"/tasks/{task['uuid']}")
    assert response.status_code == 200, response.text
    html = response.text
    api = await _shown(firm, task["uuid"])
    owner = api["assigned_to"][0]["name"]
    assert "<h1>Send the review pack</h1>" in html
    assert '<p class="description">Print it.\nPost it.</p>' in html
    assert "<dt>Status</dt><dd>Not Started</dd>" in html
    assert '<dd><time datetime="2031-05-06 14:30:00">6 May 2031, 14:30</time></dd>' in html
    assert "<dt>Priority</dt><dd>High</dd>" in html
    assert f"<dt>Assigned to</dt><dd>{owner}</dd>" in html
    assert f'<a href="/clients/{client["uuid"]}">Ada Lovelace</a> <span class="muted">(client)' in (
        html
    )
    assert f'<dd><a href="/tasks/{parent["uuid"]}">Annual review</a></dd>' in html
    created = api["created_at"]
    assert f'<time datetime="{created}">' in html and f"by {api['author']['name']}" in html
    assert f'<dt>Updated</dt><dd><time datetime="{api["updated_at"]}">' in html
    assert "<dt>Completed</dt><dd>Not yet</dd>" in html
    assert '<span class="state open">Open</span>' in html
    assert "<dt>Favourite Pet</dt>\n    <dd>Cat</dd>" in html
    assert (
        f'<li><a href="/tasks/{subtask["uuid"]}">Buy stamps</a> '
        '<span class="state open">Open</span></li>'
    ) in html
    assert "Mark as completed" in html
    # A subtask's page links back to its parent; a bad or unknown UUID is the 404 page.
    child = await browser.http.get(f"/tasks/{subtask['uuid']}")
    assert f'<a href="/tasks/{task["uuid"]}">Send the review pack</a>' in child.text
    for wrong in ("not-a-uuid", client["uuid"]):
        missing = await browser.http.get(f"/tasks/{wrong}")
        assert missing.status_code == 404 and NOT_FOUND in missing.text


async def test_complete_then_reopen_changes_what_the_api_reports(
    browser: Browser, firm: Firm
) -> None:
    client = await firm.client_account()
    statuses = await _statuses(firm)
    task = await _task(firm, client["uuid"])
    await browser.sign_in(firm.emails[0], firm.password)
    token = await browser.csrf(f"/tasks/{task['uuid']}")
    done = await browser.http.post(f"/tasks/{task['uuid']}/complete", data={"_token": token})
    assert done.status_code == 303 and done.headers["location"] == f"/tasks/{task['uuid']}"
    api = await _shown(firm, task["uuid"])
    assert api["completed_at"] is not None
    assert api["status"]["uuid"] == statuses["Completed"]["uuid"]
    page = (await browser.http.get(f"/tasks/{task['uuid']}")).text
    assert '<span class="state done">Completed</span>' in page
    # Only open statuses are offered to reopen it as.
    offered = re.findall(r'<option value="([0-9a-f-]+)">', page)
    assert offered == [statuses["Not Started"]["uuid"], statuses["In Progress"]["uuid"]]

    # A completed status, or one that names nothing, is refused with the API's words.
    path = f"/tasks/{task['uuid']}/uncomplete"
    for status_uuid, message in (
        (statuses["Completed"]["uuid"], "The selected task status uuid must be an open status"),
        ("not-a-status", "Task status not found."),
    ):
        refused = await browser.http.post(
            path, data={"_token": token, "task_status_uuid": status_uuid}
        )
        assert refused.status_code == 422
        assert f'<p class="error" id="task_status_uuid-error">{message}' in refused.text
        assert 'aria-invalid="true" aria-describedby="task_status_uuid-error"' in refused.text
        assert await _shown(firm, task["uuid"]) == api

    reopen = {"_token": token, "task_status_uuid": statuses["In Progress"]["uuid"]}
    reopened = await browser.http.post(path, data=reopen)
    assert reopened.status_code == 303
    api = await _shown(firm, task["uuid"])
    assert api["completed_at"] is None and api["completed_by"] is None
    assert api["status"]["uuid"] == statuses["In Progress"]["uuid"]


async def test_a_form_without_its_csrf_token_changes_nothing(browser: Browser, firm: Firm) -> None:
    client = await firm.client_account()
    statuses = await _statuses(firm)
    task = await _task(firm, client["uuid"])
    done = await _task(firm, client["uuid"], task_status_uuid=statuses["Completed"]["uuid"])
    before = [await _shown(firm, task["uuid"]), await _shown(firm, done["uuid"])]
    await browser.sign_in(firm.emails[0], firm.password)
    reopen = {"task_status_uuid": statuses["Not Started"]["uuid"]}
    for form in ({}, {"_token": "0" * 64}):
        for path, extra in (
            (f"/tasks/{task['uuid']}/complete", {}),
            (f"/tasks/{done['uuid']}/uncomplete", reopen),
            (f"/tasks/{task['uuid']}/fields", {"cf.nothing": "x"}),
        ):
            refused = await browser.http.post(path, data=form | extra)
            assert refused.status_code == 403
            assert "<h1>Page expired</h1>" in refused.text
    assert [await _shown(firm, task["uuid"]), await _shown(firm, done["uuid"])] == before


async def test_a_login_that_may_not_write_sees_no_buttons_and_changes_nothing(
    app: FastAPI, firm: Firm
) -> None:
    email, reader = await _person(app, firm, write=False)
    client = await firm.client_account()
    task = await _task(firm, client["uuid"], assigned_to_uuids=[reader.account_uuid])
    before = await _shown(firm, task["uuid"])
    async with new_browser(app) as http:
        await Browser(http).sign_in(email, firm.password)
        page = await http.get(f"/tasks/{task['uuid']}")
        assert page.status_code == 200 and "Mark as completed" not in page.text
        token = CSRF.search(page.text)
        assert token
        refused = await http.post(
            f"/tasks/{task['uuid']}/complete", data={"_token": token.group(1)}
        )
        assert refused.status_code == 403
        assert '<p class="error" role="alert">This action is unauthorized.</p>' in refused.text
        fields = await http.post(f"/tasks/{task['uuid']}/fields", data={"_token": token.group(1)})
        assert fields.status_code == 403
        # The API refuses that login the same.
        api = await reader.request("PATCH", f"/api/v1/task/{task['uuid']}/complete")
        assert api.status_code == 403
    assert await _shown(firm, task["uuid"]) == before


async def test_a_member_cannot_open_a_task_outside_their_reach(
    app: FastAPI, firm: Firm, other_firm: Firm
) -> None:
    email, member = await _person(app, firm)
    client = await firm.client_account()
    theirs = await _task(
        firm, client["uuid"], name="Theirs", assigned_to_uuids=[member.account_uuid]
    )
    hidden = await _task(firm, client["uuid"], name="Hidden from them")
    elsewhere = await _task(other_firm, (await other_firm.client_account())["uuid"])
    assert (await member.get(f"/api/v1/task/{hidden['uuid']}")).status_code == 404
    before = await _shown(firm, hidden["uuid"])
    async with new_browser(app) as http:
        browser = Browser(http)
        await browser.sign_in(email, firm.password)
        listed = await http.get("/tasks")
        assert _listed(listed.text) == ["Theirs"]
        assert (await http.get(f"/tasks/{theirs['uuid']}")).status_code == 200
        token = await browser.csrf("/tasks")
        for task in (hidden, elsewhere):
            refused = await http.get(f"/tasks/{task['uuid']}")
            assert refused.status_code == 404 and NOT_FOUND in refused.text
            assert task["name"] not in refused.text
            post = await http.post(f"/tasks/{task['uuid']}/complete", data={"_token": token})
            assert post.status_code == 404 and NOT_FOUND in post.text
    assert await _shown(firm, hidden["uuid"]) == before


async def test_my_tasks_lists_open_assigned_tasks_soonest_due_first(
    browser: Browser, firm: Firm
) -> None:
    client = await firm.client_account()
    statuses = await _statuses(firm)
    me = [firm.owner.account_uuid]
    for name, due in (
        ("Later", "2040-03-01 09:00:00"),
        ("Undated", None),
        ("Overdue", "2020-01-02 09:00:00"),
        ("Sooner", "2039-12-31 00:00:00"),
    ):
        await _task(firm, client["uuid"], name=name, due_at=due, assigned_to_uuids=me)
    await _task(firm, client["uuid"], name="Not mine", due_at="2020-01-01 09:00:00")
    completed = statuses["Completed"]["uuid"]
    await _task(firm, client["uuid"], name="Done", assigned_to_uuids=me, task_status_uuid=completed)
    await browser.sign_in(firm.emails[0], firm.password)
    page = await browser.http.get("/tasks")
    assert page.status_code == 200
    assert _listed(page.text) == ["Overdue", "Sooner", "Later", "Undated"]
    assert "4 open tasks assigned to you" in page.text
    assert page.text.count('<strong class="overdue">Overdue</strong>') == 1
    assert '<td data-label="Status">Not Started</td>' in page.text
    assert '<span class="muted">No due date</span>' in page.text
    # 26 more undated ones: the 30 fill two pages, the dated ones first.
    for n in range(26):
        await _task(firm, client["uuid"], name=f"Extra {n:02d}", assigned_to_uuids=me)
    first = await browser.http.get("/tasks")
    assert _listed(first.text)[:3] == ["Overdue", "Sooner", "Later"]
    assert len(_listed(first.text)) == 25 and "Page 1 of 2" in first.text
    second = await browser.http.get("/tasks?page=2")
    assert _listed(second.text) == [f"Extra {n:02d}" for n in range(21, 26)]


async def _field(firm: Firm, name: str, kind: str, **extra: Any) -> str:
    body = {"type": kind, "name": name, "model_type": "task", **extra}
    return str((await firm.owner.created("/api/v1/custom-field", body))["reference"])


async def test_custom_values_are_set_through_the_task_service(browser: Browser, firm: Firm) -> None:
    pet = await _field(firm, "Favourite Pet", "selection", selection_options=["Dog", "Cat"])
    score = await _field(firm, "Score", "number")
    vulnerable = await _field(firm, "Vulnerable", "boolean")
    follow_up = await _field(firm, "Follow Up", "datetime")
    client = await firm.client_account()
    task = await _task(firm, client["uuid"], custom_fields={pet: "Cat"})
    # Required once the task exists: left empty, it is not sent, so it is not refused.
    risk = await _field(firm, "Risk Level", "string", is_required=True)
    path = f"/tasks/{task['uuid']}/fields"
    await browser.sign_in(firm.emails[0], firm.password)
    page = (await browser.http.get(f"/tasks/{task['uuid']}")).text
    assert '<option value="Cat" selected>Cat</option>' in page
    token = await browser.csrf(f"/tasks/{task['uuid']}")
    form = {
        "_token": token,
        f"cf.{pet}": "Dog",
        f"cf.{score}": "42",
        f"cf.{vulnerable}": "true",
        f"cf.{follow_up}": "2031-01-02T10:15",
        f"cf.{risk}": "",
    }
    saved = await browser.http.post(path, data=form)
    assert saved.status_code == 303, saved.text
    values = {
        f["reference"]: f["value"] for f in (await _shown(firm, task["uuid"]))["custom_fields"]
    }
    assert values == {pet: "Dog", score: 42, vulnerable: True, follow_up: "2031-01-02 10:15:00"}

    # What the API refuses is refused with its words, beside the field; nothing changes.
    before = await _shown(firm, task["uuid"])
    for ref, text, api_value in ((score, "lots", "lots"), (risk, "", None)):
        if api_value is None:  # a required field cannot be cleared once set
            await browser.http.post(path, data={"_token": token, f"cf.{risk}": "High"})
            before = await _shown(firm, task["uuid"])
        api = await firm.owner.put(
            f"/api/v1/task/{task['uuid']}", {"custom_fields": {ref: api_value}}
        )
        assert api.status_code == 422
        message = api.json()["errors"][f"custom_fields.{ref}"][0]
        refused = await browser.http.post(path, data={"_token": token, f"cf.{ref}": text})
        assert refused.status_code == 422
        assert f'<p class="error" id="cf-{ref}-error">{message}</p>' in refused.text
        assert f'name="cf.{ref}" aria-describedby="cf-{ref}-error" aria-invalid="true"' in (
            refused.text
        )
        assert await _shown(firm, task["uuid"]) == before
        if text:  # the refused form shows what was sent
            assert f'aria-invalid="true" value="{text}"' in refused.text
    # An untouched form writes nothing.
    unchanged = {"_token": token, f"cf.{score}": "42", f"cf.{follow_up}": "2031-01-02T10:15"}
    assert (await browser.http.post(path, data=unchanged)).status_code == 303
    assert await _shown(firm, task["uuid"]) == before

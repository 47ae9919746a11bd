"""The task board shows, in one column per task status in the firm's order, the tasks
the API would list for the acting account; a card moves through the API's own task
update (position, completion and webhook event as the API keeps them), only with the
session's CSRF token; filters that cannot be read are a 422 page, not a 5xx."""

from __future__ import annotations

import html as markup
import re
import secrets
from typing import Any

import pytest
from fastapi import FastAPI

from advisercrm.firms.service import add_person
from advisercrm.kit import sql
from tests.helpers import Firm
from tests.web.conftest import CSRF, Browser, new_browser
from tests.webhooks.support import recorded


def _columns(html: str) -> list[str]:
    return re.findall(r'<h2 id="column-[0-9a-f-]+">([^<]+) <span class="count">', html)


def _cards(html: str) -> list[str]:
    found = re.findall(r'<h3><a href="/tasks/[0-9a-f-]+">([^<]+)</a></h3>', html)
    return [markup.unescape(name) for name in found]


def _column_cards(html: str, status_uuid: str) -> list[str]:
    start = html.index(f'data-status="{status_uuid}"')
    end = html.find("</section>", start)
    return _cards(html[start:end])


async def _statuses(firm: Firm) -> list[dict[str, Any]]:
    return list((await firm.owner.get("/api/v1/task-status")).json()["data"])


async def _task(firm: Firm, status: dict[str, Any], **extra: Any) -> dict[str, Any]:
    if "taskable_uuid" not in extra:
        extra["taskable_uuid"] = (await firm.client_account())["uuid"]
    body = {"name": f"Task {secrets.token_hex(3)}", "taskable_type": "client", **extra}
    return await firm.owner.created("/api/v1/task", {**body, "task_status_uuid": status["uuid"]})


async def _member(app: FastAPI, firm: Firm, write: bool = True) -> tuple[str, str]:
    """A member of the firm with a login: their email and account UUID."""
    email = f"member-{secrets.token_hex(3)}@example.com"
    names = {"type": "employee", "role": "member", "first_name": "Mo", "last_name": "Member"}
    async with app.state.engine.begin() as conn:
        person = await add_person(conn, firm.firm_id, names, email, firm.password, write)
    return email, person.account_uuid


async def test_columns_follow_the_firms_order_and_cards_show_the_tasks_fields(
    browser: Browser, firm: Firm
) -> None:
    waiting = await firm.owner.created("/api/v1/task-status", {"name": "Waiting on client"})
    moved = await firm.owner.put(f"/api/v1/task-status/{waiting['uuid']}", json={"position": 2})
    assert moved.status_code == 200
    statuses = await _statuses(firm)
    assert [s["name"] for s in statuses] == [
        "Not Started",
        "Waiting on client",
        "In Progress",
        "Completed",
    ]
    client = await firm.client_account(first_name="Ada", last_name="Lovelace")
    task = await _task(
        firm,
        statuses[1],
        name="Send the annual review",
        taskable_uuid=client["uuid"],
        due_at="2027-03-04",
        priority="high",
        assigned_to_uuids=[firm.owner.account_uuid],
    )
    done = await _task(firm, statuses[3], name="Filed last year")
    await browser.sign_in(firm.emails[0], firm.password)
    board = await browser.http.get("/board")
    assert board.status_code == 200
    assert _columns(board.text) == [s["name"] for s in statuses]
    assert _column_cards(board.text, statuses[1]["uuid"]) == ["Send the annual review"]
    # Open tasks only, unless closed ones are asked for.
    assert "Filed last year" not in board.text
    card = board.text[board.text.index(f'id="task-{task["uuid"]}"') :]
    card = card[: card.index("</li>")]
    assert f'<a href="/tasks/{task["uuid"]}">Send the annual review</a>' in card
    assert '<dt>Due</dt><dd><time datetime="2027-03-04">4 Mar 2027</time></dd>' in card
    assert "<dt>Priority</dt><dd>High</dd>" in card
    owner_name = task["assigned_to"][0]["name"]
    assert f"<dt>Assigned to</dt><dd>{owner_name}</dd>" in card
    link = f'<a href="/clients/{client["uuid"]}">Ada Lovelace</a>'
    assert f"<dt>Client</dt><dd>{link}</dd>" in card
    assert 'draggable="true"' in card
    assert 'src="/static/board.js"' in board.text
    closed = await browser.http.get("/board?closed=1")
    assert _column_cards(closed.text, statuses[3]["uuid"]) == [done["name"]]


async def test_moving_a_card_with_its_form_is_the_apis_move(browser: Browser, firm: Firm) -> None:
    not_started, in_progress, completed = await _statuses(firm)
    already = await _task(firm, in_progress, name="Already there")
    task = await _task(firm, not_started, name="On the move")
    await browser.sign_in(firm.emails[0], firm.password)
    token = await browser.csrf("/board?mine=&closed=")
    before = len(await recorded(firm.app, firm.firm_id))
    form = {"_token": token, "task_status_uuid": in_progress["uuid"], "back": "/board?closed=1"}
    answer = await browser.http.post(f"/board/tasks/{task['uuid']}/move", data=form)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/board?closed=1#task-{task['uuid']}"
    shown = (await firm.owner.get(f"/api/v1/task/{task['uuid']}")).json()
    assert shown["status"]["uuid"] == in_progress["uuid"]
    # The end of its new column, as the API's PUT puts it.
    assert shown["position"] == already["position"] + 1
    events = (await recorded(firm.app, firm.firm_id))[before:]
    assert [(e["name"], str(e["record_uuid"])) for e in events] == [("task.updated", task["uuid"])]
    assert events[0]["payload"] == shown
    board = await browser.http.get("/board")
    assert _column_cards(board.text, in_progress["uuid"]) == ["Already there", "On the move"]

    # The script's request: the same form, answered with the moved task's place.
    form["task_status_uuid"] = completed["uuid"]
    headers = {"Accept": "application/json"}
    dropped = await browser.http.post(
        f"/board/tasks/{task['uuid']}/move", data=form, headers=headers
    )
    assert dropped.status_code == 200
    assert dropped.json() == {
        "uuid": task["uuid"],
        "status": {**completed, "updated_at": dropped.json()["status"]["updated_at"]},
        "position": 1,
    }
    shown = (await firm.owner.get(f"/api/v1/task/{task['uuid']}")).json()
    assert shown["status"]["uuid"] == completed["uuid"] and shown["completed_at"] is not None
    names = [e["name"] for e in (await recorded(firm.app, firm.firm_id))[before + 1 :]]
    assert names == ["task.updated", "task.completed"]


@pytest.mark.parametrize(
    "back", ["", "https://elsewhere.example/board", "//elsewhere.example/board", "/clients"]
)
async def test_a_move_returns_only_to_the_board(browser: Browser, firm: Firm, back: str) -> None:
    not_started, in_progress, _ = await _statuses(firm)
    task = await _task(firm, not_started)
    await browser.sign_in(firm.emails[0], firm.password)
    form = {"_token": await browser.csrf("/board"), "task_status_uuid": in_progress["uuid"]}
    answer = await browser.http.post(
        f"/board/tasks/{task['uuid']}/move", data=form | {"back": back}
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/board#task-{task['uuid']}"


@pytest.mark.parametrize("token", [None, "", "0" * 64])
async def test_a_move_without_the_sessions_csrf_token_is_refused(
    browser: Browser, firm: Firm, token: str | None
) -> None:
    not_started, in_progress, _ = await _statuses(firm)
    task = await _task(firm, not_started)
    await browser.sign_in(firm.emails[0], firm.password)
    before = len(await recorded(firm.app, firm.firm_id))
    form = {"task_status_uuid": in_progress["uuid"]}
    if token is not None:
        form["_token"] = token
    refused = await browser.http.post(f"/board/tasks/{task['uuid']}/move", data=form)
    assert refused.status_code == 403
    assert "<h1>Page expired</h1>" in refused.text
    shown = (await firm.owner.get(f"/api/v1/task/{task['uuid']}")).json()
    assert shown["status"]["uuid"] == not_started["uuid"]
    assert shown["position"] == task["position"]
    assert len(await recorded(firm.app, firm.firm_id)) == before


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("", "The task status uuid field is required."),
        ("not-a-uuid", "The task status uuid field must be a valid UUID."),
        ("00000000-0000-4000-8000-000000000000", "The selected task status uuid is invalid."),
        ("archived", "The selected task status uuid is archived."),
    ],
)
async def test_a_move_the_api_would_refuse_shows_the_apis_message(
    browser: Browser, firm: Firm, status: str, message: str
) -> None:
    not_started = (await _statuses(firm))[0]
    if status == "archived":
        made = {"name": "Old column", "is_archived": True}
        status = (await firm.owner.created("/api/v1/task-status", made))["uuid"]
    task = await _task(firm, not_started, name="Stays put")
    await browser.sign_in(firm.emails[0], firm.password)
    token = await browser.csrf("/board")
    before = len(await recorded(firm.app, firm.firm_id))
    form = {"_token": token, "task_status_uuid": status, "back": "/board?mine="}
    answer = await browser.http.post(f"/board/tasks/{task['uuid']}/move", data=form)
    assert answer.status_code == 422
    assert f'<p class="error" id="move-{task["uuid"]}-error">{message}</p>' in answer.text
    alert = f'<p class="error" role="alert">The task could not be moved: {message}</p>'
    assert alert in answer.text
    assert _column_cards(answer.text, not_started["uuid"]) == ["Stays put"]
    as_json = await browser.http.post(
        f"/board/tasks/{task['uuid']}/move", data=form, headers={"Accept": "application/json"}
    )
    assert as_json.status_code == 422
    assert as_json.json() == {"message": message, "errors": {"task_status_uuid": [message]}}
    shown = (await firm.owner.get(f"/api/v1/task/{task['uuid']}")).json()
    assert shown["status"]["uuid"] == not_started["uuid"]
    assert len(await recorded(firm.app, firm.firm_id)) == before


async def test_a_member_sees_and_moves_only_the_tasks_they_may_open(
    app: FastAPI, firm: Firm, other_firm: Firm
) -> None:
    email, member_uuid = await _member(app, firm)
    reader_email, reader_uuid = await _member(app, firm, write=False)
    group = await firm.group([member_uuid, reader_uuid])
    not_started, in_progress, _ = await _statuses(firm)
    theirs = await _task(firm, not_started, name="Their group's task", group_uuids=[group["uuid"]])
    hidden = await _task(firm, not_started, name="Someone else's task")
    other_status = (await _statuses(other_firm))[0]
    elsewhere = await _task(other_firm, other_status, name="Another firm's task")
    async with new_browser(app) as http:
        member = Browser(http)
        assert (await member.sign_in(email, firm.password)).status_code == 303
        board = await http.get("/board")
        assert _cards(board.text) == ["Their group's task"]
        # Its client is outside the member's reach: named as the API names it, not at all.
        assert '<dt>Client</dt><dd><span class="muted">Not visible to you</span></dd>' in board.text
        token = CSRF.search(board.text).group(1)  # type: ignore[union-attr]
        form = {"_token": token, "task_status_uuid": in_progress["uuid"]}
        for task in (hidden, elsewhere):
            refused = await http.post(f"/board/tasks/{task['uuid']}/move", data=form)
            assert refused.status_code == 404
            assert "<h1>Not found</h1>" in refused.text
        assert (await http.post("/board/tasks/nope/move", data=form)).status_code == 404
        moved = await http.post(f"/board/tasks/{theirs['uuid']}/move", data=form)
        assert moved.status_code == 303
    async with new_browser(app) as http:
        reader = Browser(http)
        assert (await reader.sign_in(reader_email, firm.password)).status_code == 303
        board = await http.get("/board")
        # Without the write permission there is nothing to move with.
        assert _cards(board.text) == ["Their group's task"]
        assert 'draggable="true"' not in board.text and "Move</button>" not in board.text
        token = CSRF.search(board.text).group(1)  # type: ignore[union-attr]
        form = {"_token": token, "task_status_uuid": not_started["uuid"]}
        refused = await http.post(f"/board/tasks/{theirs['uuid']}/move", data=form)
        assert refused.status_code == 403
        assert "<p>This action is unauthorized.</p>" in refused.text
    for task, status in ((hidden, not_started), (theirs, in_progress)):
        shown = (await firm.owner.get(f"/api/v1/task/{task['uuid']}")).json()
        assert shown["status"]["uuid"] == status["uuid"]
    shown = (await other_firm.owner.get(f"/api/v1/task/{elsewhere['uuid']}")).json()
    assert shown["status"]["uuid"] == other_status["uuid"]


async def test_the_filters_narrow_the_board(app: FastAPI, browser: Browser, firm: Firm) -> None:
    _, member_uuid = await _member(app, firm)
    group = await firm.group([member_uuid])
    status = (await _statuses(firm))[0]
    await _task(firm, status, name="Mine", assigned_to_uuids=[firm.owner.account_uuid])
    await _task(firm, status, name="Grouped", group_uuids=[group["uuid"]], due_at="2027-01-10")
    await _task(firm, status, name="Later", due_at="2027-06-01")
    await browser.sign_in(firm.emails[0], firm.password)
    assert _cards((await browser.http.get("/board")).text) == ["Mine", "Grouped", "Later"]
    assert _cards((await browser.http.get("/board?mine=1")).text) == ["Mine"]
    grouped = await browser.http.get("/board", params={"group": group["uuid"]})
    assert _cards(grouped.text) == ["Grouped"]
    assert f'<option value="{group["uuid"]}" selected>{group["name"]}</option>' in grouped.text
    due = await browser.http.get("/board?due_before=2027-02-01")
    assert _cards(due.text) == ["Grouped"]
    assert 'value="2027-02-01"' in due.text
    # A moved card comes back to the board it was moved from.
    assert 'name="back" value="/board?due_before=2027-02-01"' in due.text


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("group=not-a-uuid", "group", "The group must be one of the groups listed."),
        (
            "group=00000000-0000-4000-8000-000000000000",
            "group",
            "The group must be one of the groups listed.",
        ),
        ("due_before=2027-13-01", "due_before", "The due before date must be a date (YYYY-MM-DD)."),
        ("due_before=tomorrow", "due_before", "The due before date must be a date (YYYY-MM-DD)."),
        ("mine=yes", "mine", "Only my tasks must be ticked or not."),
        ("closed=%00", "closed", "Include closed tasks must be ticked or not."),
    ],
)
async def test_unreadable_filters_are_a_422_page_beside_the_field(
    browser: Browser, firm: Firm, query: str, field: str, message: str
) -> None:
    await _task(firm, (await _statuses(firm))[0], name="Not listed")
    await browser.sign_in(firm.emails[0], firm.password)
    page = await browser.http.get(f"/board?{query}")
    assert page.status_code == 422
    assert f'<p class="error" id="{field}-error">{message}</p>' in page.text
    assert f'aria-describedby="{field}-error"' in page.text
    assert "Not listed" not in page.text


async def test_the_board_reads_every_card_in_the_same_statements(
    browser: Browser, firm: Firm, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[int] = []
    send = sql._sender

    def counted(conn: Any, text: str) -> Any:
        sent.append(1)
        return send(conn, text)

    statuses = await _statuses(firm)
    client = await firm.client_account()
    await browser.sign_in(firm.emails[0], firm.password)
    await browser.http.get("/board")  # the session is seen: not counted below
    counts, made = [], 0
    for n in (2, 40):
        while made < n:
            await _task(firm, statuses[made % 2], taskable_uuid=client["uuid"])
            made += 1
        sent.clear()
        monkeypatch.setattr(sql, "_sender", counted)
        board = await browser.http.get("/board")
        monkeypatch.setattr(sql, "_sender", send)
        assert len(_cards(board.text)) == n
        counts.append(len(sent))
    assert counts[0] == counts[1]


def _nudges(html: str, task_uuid: str) -> dict[str, str]:
    """The Up and Down buttons of a card: the position each sends."""
    start = html.index(f'id="task-{task_uuid}"')
    form = html[
        html.index('class="nudge row"', start) : html.index(
            "</form>", html.index('class="nudge row"', start)
        )
    ]
    return dict(
        (label, value)
        for value, label in re.findall(r'name="position" value="(\d+)">(Up|Down)<', form)
    )


async def test_up_and_down_move_a_card_one_place_in_its_column(
    browser: Browser, firm: Firm
) -> None:
    not_started = (await _statuses(firm))[0]
    made = [await _task(firm, not_started, name=name) for name in ("A", "B", "C")]
    await browser.sign_in(firm.emails[0], firm.password)
    board = await browser.http.get("/board")
    assert _nudges(board.text, made[0]["uuid"]) == {"Down": "2"}
    assert _nudges(board.text, made[1]["uuid"]) == {"Up": "1", "Down": "3"}
    token = CSRF.search(board.text)
    assert token is not None
    form = {"_token": token.group(1), "task_status_uuid": not_started["uuid"], "back": "/board"}
    down = await browser.http.post(
        f"/board/tasks/{made[0]['uuid']}/move", data={**form, "position": "2"}
    )
    assert down.status_code == 303
    board = await browser.http.get("/board")
    assert _column_cards(board.text, not_started["uuid"]) == ["B", "A", "C"]
    up = await browser.http.post(
        f"/board/tasks/{made[2]['uuid']}/move", data={**form, "position": "1"}
    )
    assert up.status_code == 303
    listed = await firm.owner.get(
        f"/api/v1/task?filter[status_uuid]={not_started['uuid']}&sort=position"
    )
    assert [(t["name"], t["position"]) for t in listed.json()["data"]] == [
        ("C", 1),
        ("B", 2),
        ("A", 3),
    ]
    refused = await browser.http.post(
        f"/board/tasks/{made[2]['uuid']}/move", data={**form, "position": "top"}
    )
    assert refused.status_code == 422
    assert "The position field must be an integer." in refused.text

"""The task board in a real browser against the real server (`advisercrm serve --demo`):
the demo owner drags a card to another column, and moves another with its form from
the keyboard; each move is then what the API reports. The board passes axe-core and
fits the window at both widths (its columns scroll inside their own container)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_docs_browser import Offline
from tests.e2e.test_workspace_browser import api, check, sign_in

# The workspace tests' fixtures: one Chromium per module, and a context at each width.
from tests.e2e.test_workspace_browser import browser as browser
from tests.e2e.test_workspace_browser import offline as offline

pytestmark = pytest.mark.e2e


@pytest.fixture
def wide(browser: Browser) -> Iterator[Offline]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield Offline(context)
    finally:
        context.close()


def _statuses(served: dict[str, Any]) -> dict[str, str]:
    """The demo firm's task statuses: UUID by name."""
    found = api(served, "GET", "/api/v1/task-status")["data"]
    return {status["name"]: status["uuid"] for status in found}


def _open_board(page: Page, served: dict[str, Any]) -> None:
    base, demo = served["base"], served["demo"]
    sign_in(page, base, demo["owner_email"], demo["owner_password"], "/board")
    page.wait_for_url(f"{base}/board")
    assert page.get_by_role("heading", level=1).inner_text() == "Task board"


def _column(page: Page, status_uuid: str) -> Any:
    return page.locator(f'section.column[data-status="{status_uuid}"]')


def test_the_owner_drags_a_card_to_another_column(wide: Offline, served: dict[str, Any]) -> None:
    statuses = _statuses(served)
    page = wide.context.new_page()
    _open_board(page, served)
    source = _column(page, statuses["Not Started"]).locator("li.task").first
    task_uuid = source.get_attribute("data-task")
    name = source.locator("h3").inner_text()
    target = _column(page, statuses["In Progress"])
    source.drag_to(target.locator("h2"))
    moved = target.locator(f"#task-{task_uuid}")
    said = re.compile(rf"^Moved {re.escape(name)} to In Progress, place \d+\.$")
    expect(page.locator("#board-status")).to_have_text(said)
    # Where it was dropped: the end of the column, where the server put it.
    expect(target.locator("li.task").last).to_have_attribute("data-task", str(task_uuid))
    assert moved.locator("select").input_value() == statuses["In Progress"]

    shown = api(served, "GET", f"/api/v1/task/{task_uuid}")
    assert shown["status"]["uuid"] == statuses["In Progress"]
    column = api(
        served,
        "GET",
        f"/api/v1/task?filter[status_uuid]={statuses['In Progress']}&sort=-position&per_page=1",
    )["data"]
    assert column[0]["uuid"] == task_uuid
    page.reload()
    expect(target.locator("li.task").last).to_have_attribute("data-task", str(task_uuid))
    assert wide.elsewhere() == []
    assert wide.errors == []


def test_the_owner_drags_a_card_up_its_column(wide: Offline, served: dict[str, Any]) -> None:
    statuses = _statuses(served)
    page = wide.context.new_page()
    _open_board(page, served)
    cards = _column(page, statuses["Not Started"]).locator("li.task")
    # The second card (both in view), dropped on the top half of the first: before it.
    first, last = cards.first, cards.nth(1)
    first_uuid, last_uuid = first.get_attribute("data-task"), last.get_attribute("data-task")
    place = api(served, "GET", f"/api/v1/task/{first_uuid}")["position"]
    last.drag_to(first, target_position={"x": 20, "y": 6})
    expect(page.locator("#board-status")).to_contain_text(f"place {place}.")
    expect(cards.first).to_have_attribute("data-task", str(last_uuid))
    assert api(served, "GET", f"/api/v1/task/{last_uuid}")["position"] == place
    assert api(served, "GET", f"/api/v1/task/{first_uuid}")["position"] == place + 1
    page.reload()
    expect(_column(page, statuses["Not Started"]).locator("li.task").first).to_have_attribute(
        "data-task", str(last_uuid)
    )
    assert wide.errors == []


def test_a_card_moves_with_its_form_from_the_keyboard(
    offline: Offline, served: dict[str, Any], tmp_path: Path
) -> None:
    statuses = _statuses(served)
    page = offline.context.new_page()
    _open_board(page, served)
    width = page.viewport_size["width"] if page.viewport_size else 0
    check(page, tmp_path, f"board-{width}")
    card = _column(page, statuses["Not Started"]).locator("li.task").first
    task_uuid = card.get_attribute("data-task")
    name = card.locator("h3").inner_text()
    select = page.get_by_label(f"Move {name} to", exact=True)
    select.focus()
    select.select_option(label="In Progress")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Move"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{served['base']}/board#task-{task_uuid}")
    shown = api(served, "GET", f"/api/v1/task/{task_uuid}")
    assert shown["status"]["uuid"] == statuses["In Progress"]
    target = _column(page, statuses["In Progress"])
    expect(target.locator("li.task").last).to_have_attribute("data-task", str(task_uuid))
    check(page, tmp_path, f"board-moved-{width}")
    assert offline.elsewhere() == []
    assert offline.errors == []

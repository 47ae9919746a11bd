"""The workspace's task pages in a real browser against the real server (`advisercrm
serve --demo`): a demo member opens My tasks, opens their soonest task, completes it
(the API then reports it completed), reopens it (the API reports it open again) and sets
its custom field. Both pages pass axe-core and fit the window, wide and at 360 px."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_docs_browser import Offline
from tests.e2e.test_workspace_browser import api, browser, check, offline, sign_in

pytestmark = pytest.mark.e2e
__all__ = ["browser", "offline"]  # the fixtures, used by name


def test_a_member_completes_and_reopens_their_soonest_task(
    offline: Offline, served: dict[str, Any], tmp_path: Path
) -> None:
    base, demo = served["base"], served["demo"]
    # Priya, a member of the demo firm with write permission, has tasks assigned to her;
    # she shares the owner's password.
    member = demo["owner_email"].replace("owner-", "priya-")
    page = offline.context.new_page()
    sign_in(page, base, member, demo["owner_password"], path="/tasks")
    page.wait_for_url(f"{base}/tasks")
    assert page.get_by_role("heading", level=1).inner_text() == "My tasks"
    check(page, tmp_path, "my-tasks")

    first = page.locator("table.list tbody tr td").first.get_by_role("link")
    name = first.inner_text()
    first.click()
    page.wait_for_url(f"{base}/tasks/*")
    task_uuid = page.url.rsplit("/", 1)[1]
    assert page.get_by_role("heading", level=1).inner_text() == name
    shown = api(served, "GET", f"/api/v1/task/{task_uuid}")
    assert shown["name"] == name and shown["completed_at"] is None
    details = page.get_by_role("region", name="Details").inner_text()
    assert shown["status"]["name"] in details
    assert shown["taskable"]["name"] in details
    check(page, tmp_path, "task-open")

    page.get_by_role("button", name="Mark as completed").click()
    page.get_by_role("button", name="Mark as not completed").wait_for()
    assert page.url == f"{base}/tasks/{task_uuid}"
    done = api(served, "GET", f"/api/v1/task/{task_uuid}")
    assert done["completed_at"] is not None and done["status"]["is_type_completed"]
    check(page, tmp_path, "task-completed")

    page.get_by_label("Reopen as").select_option(label=shown["status"]["name"])
    page.get_by_role("button", name="Mark as not completed").click()
    page.get_by_role("button", name="Mark as completed").wait_for()
    reopened = api(served, "GET", f"/api/v1/task/{task_uuid}")
    assert reopened["completed_at"] is None
    assert reopened["status"]["uuid"] == shown["status"]["uuid"]

    # The demo's task field, set through the page's form to a value it does not hold.
    held = [v["value"] for v in reopened["custom_fields"]]
    pet = next(p for p in ("Dog", "Cat", "Fish") if p not in held)
    page.get_by_text("Change custom fields").click()
    page.get_by_label("Favourite Pet").select_option(pet)
    check(page, tmp_path, "task-fields")
    with page.expect_navigation():
        page.get_by_role("button", name="Save custom fields").click()
    assert page.url == f"{base}/tasks/{task_uuid}"
    values = api(served, "GET", f"/api/v1/task/{task_uuid}")["custom_fields"]
    assert [(v["name"], v["value"]) for v in values] == [("Favourite Pet", pet)]
    assert offline.elsewhere() == []
    assert offline.errors == []

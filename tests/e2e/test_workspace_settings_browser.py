"""The settings pages in a real browser against the real server (`advisercrm serve
--demo`), as the demo owner, at a desktop and a phone width: a new task status appears in
the list and in the API; a new webhook subscription's signing secret is shown once, on
the page that answers the form; every settings page passes axe-core's check and fits
the window."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from advisercrm.webhooks.options import Options
from tests.e2e.test_docs_browser import Offline
from tests.e2e.test_workspace_browser import api, browser, check, offline, sign_in

pytestmark = pytest.mark.e2e
__all__ = ["browser", "offline"]  # the fixtures, shared with the workspace's own tests
# A port nothing listens on: deliveries fail at once, and stay on the loopback.
HOOK = "http://127.0.0.1:9/{width}"


@pytest.fixture(scope="module")
def server_env() -> dict[str, str]:
    return {"ADVISERCRM_WEBHOOK_ALLOW_PRIVATE": "1"}  # the subscription's url is loopback


def _width(page: Page) -> int:
    size = page.viewport_size
    assert size is not None
    return size["width"]


def _as_owner(offline: Offline, served: dict[str, Any]) -> Page:
    base, demo = served["base"], served["demo"]
    page = offline.context.new_page()
    sign_in(page, base, demo["owner_email"], demo["owner_password"], "/settings")
    page.wait_for_url(f"{base}/settings")
    return page


def test_the_owner_adds_a_task_status_and_sees_it_in_the_list(
    offline: Offline, served: dict[str, Any], tmp_path: Path
) -> None:
    base = served["base"]
    page = _as_owner(offline, served)
    assert page.get_by_role("heading", level=1).inner_text() == "Settings"
    check(page, tmp_path, "settings")
    page.get_by_role("link", name="Task statuses").click()
    page.wait_for_url(f"{base}/settings/task-statuses")
    check(page, tmp_path, "task-statuses")

    name = f"Waiting on client {_width(page)}"
    page.get_by_label("Name").fill("")
    page.get_by_role("button", name="Add status").click()
    field = page.get_by_label("Name")
    assert field.get_attribute("aria-invalid") == "true"
    error = page.locator(f"#{field.get_attribute('aria-describedby')}")
    assert error.inner_text() == "The name field is required."
    check(page, tmp_path, "task-status-invalid")

    page.get_by_label("Name").fill(name)
    page.get_by_label("Completes the task").check()
    page.get_by_role("button", name="Add status").click()
    page.wait_for_url(f"{base}/settings/task-statuses")
    assert page.get_by_role("link", name=name).is_visible()
    statuses = api(served, "GET", "/api/v1/task-status?per_page=100")["data"]
    [made] = [s for s in statuses if s["name"] == name]
    assert made["is_type_completed"] and made["position"] == len(statuses)

    page.get_by_role("link", name=name).click()
    page.wait_for_url(f"{base}/settings/task-statuses/{made['uuid']}")
    check(page, tmp_path, "task-status-edit")
    assert offline.elsewhere() == []
    # The one console error: Chromium's note of the form answered with 422, as meant.
    assert [e for e in offline.errors if "status of 422" not in e] == []


def test_the_owner_adds_a_webhook_and_sees_its_secret_once(
    offline: Offline, served: dict[str, Any], tmp_path: Path
) -> None:
    base = served["base"]
    page = _as_owner(offline, served)
    page.goto(f"{base}/settings/webhooks")
    check(page, tmp_path, "webhooks")
    url = HOOK.format(width=_width(page))
    page.get_by_label("URL").fill(url)
    page.get_by_role("checkbox", name="account.created").check()
    page.get_by_role("button", name="Add subscription").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Subscription added"
    secret = page.locator("#secret").inner_text()
    [made] = [
        s for s in api(served, "GET", "/api/v2/webhook-subscriptions")["data"] if s["url"] == url
    ]
    assert secret == made["signing_secret"] and made["events"] == ["account.created"]
    check(page, tmp_path, "webhook-created")

    # A new client makes a delivery to the subscription (which fails: nothing listens).
    api(
        served, "POST", "/api/v1/client", {"first_name": "Hook", "last_name": f"Test{_width(page)}"}
    )
    _delivery_made(served, made["uuid"])
    page.get_by_role("link", name="Open the subscription").click()
    page.wait_for_url(f"{base}/settings/webhooks/{made['uuid']}")
    assert secret not in page.content()
    assert page.get_by_role("checkbox", name="account.created").is_checked()
    assert page.get_by_role("button", name="Send again").count() == 1
    check(page, tmp_path, "webhook")
    page.goto(f"{base}/settings/webhooks")
    assert page.get_by_role("link", name=url).is_visible()
    assert secret not in page.content()
    assert offline.elsewhere() == [] and offline.errors == []


def _delivery_made(served: dict[str, Any], subscription: str) -> None:
    """Wait for the worker to make the subscription's delivery: `serve`'s worker holds
    back while the cores are saturated (as they are in a full test run), at most
    `yield_at_most` seconds at a time, and then catches up."""
    path = f"/api/v2/webhook-subscriptions/{subscription}/deliveries"
    deadline = time.monotonic() + 2 * Options().yield_at_most
    while not api(served, "GET", path)["data"]:
        assert time.monotonic() < deadline, "no delivery was made"
        time.sleep(0.2)


def test_every_settings_page_passes_the_checks(
    offline: Offline, served: dict[str, Any], tmp_path: Path
) -> None:
    base, demo = served["base"], served["demo"]
    page = _as_owner(offline, served)
    for area in ("custom-fields", "groups", "people", "tokens"):
        page.goto(f"{base}/settings/{area}")
        assert page.url == f"{base}/settings/{area}"
        check(page, tmp_path, area)
    group = api(served, "GET", "/api/v1/group")["data"][0]
    page.goto(f"{base}/settings/groups/{group['uuid']}")
    assert page.get_by_role("heading", level=1).inner_text() == f"Group “{group['name']}”"
    check(page, tmp_path, "group")
    page.goto(f"{base}/settings/people/{demo['account_uuid']}")
    assert page.get_by_role("heading", name="Logins").is_visible()
    check(page, tmp_path, "person")
    field = api(served, "GET", "/api/v1/custom-field")["data"][0]
    page.goto(f"{base}/settings/custom-fields/{field['uuid']}")
    check(page, tmp_path, "custom-field")
    assert offline.elsewhere() == [] and offline.errors == []

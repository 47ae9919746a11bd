"""The goal forms in a real browser against the real server (`advisercrm serve --demo`):
the demo owner opens a client, makes a goal through the form and sees it on the client's
page, the API showing what was entered; a form the API refuses comes back with the
message beside the field. The form is checked with axe-core at both widths."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import test_workspace_browser as workspace
from tests.e2e.test_docs_browser import Offline
from tests.e2e.test_workspace_browser import api, check, sign_in

pytestmark = pytest.mark.e2e
# The workspace tests' fixtures: one Chromium for the module, a context at each width.
browser, offline = workspace.browser, workspace.offline


def test_the_owner_makes_a_goal_for_a_client_through_the_form(
    offline: Offline, served: dict[str, Any], tmp_path: Path
) -> None:
    base, demo = served["base"], served["demo"]
    client = api(served, "GET", f"/api/v1/client/{demo['client_uuids'][0]}")
    household = client["circles"][0]
    name = f"Boat fund {secrets.token_hex(3)}"
    page = offline.context.new_page()
    sign_in(page, base, demo["owner_email"], demo["owner_password"], f"/clients/{client['uuid']}")
    page.wait_for_url(f"{base}/clients/{client['uuid']}")
    page.get_by_role("link", name="New goal").click()
    page.wait_for_url(f"{base}/goals/new?client={client['uuid']}")
    assert page.get_by_role("heading", level=1).inner_text() == "New goal"
    owners = page.get_by_role("group", name="Owners")
    # Named with their email (two clients may share a name), the client chosen already.
    mine = owners.get_by_label(f"{client['name']} {client['email']}", exact=True)
    assert mine.get_attribute("value") == client["uuid"] and mine.is_checked()
    check(page, tmp_path, "goal-form")

    page.get_by_label("Name").fill(name)
    page.get_by_label("Description").fill("A small sailing boat.")
    page.get_by_label("Target amount").fill("12500.75")
    page.get_by_label("Progress").fill("30")
    page.get_by_label("Timeframe").fill("Within 3 years")
    page.get_by_label("Complete by").fill("2029-05-01")
    page.get_by_label("Priority").select_option("2")
    households = page.get_by_role("group", name="Households")
    households.locator(f'input[value="{household["uuid"]}"]').check()
    page.get_by_label("Show on its households").check()
    page.get_by_role("button", name="Save goal").click()
    page.wait_for_url(f"{base}/clients/{client['uuid']}")
    section = page.get_by_role("region", name="Goals")
    assert section.get_by_role("heading", name=name).is_visible()
    assert "£12,500.75" in section.inner_text()
    check(page, tmp_path, "client-with-new-goal")

    goals = api(served, "GET", f"/api/v1/client/{client['uuid']}/goal?per_page=100")
    [goal] = [g for g in goals["data"] if g["name"] == name]
    assert [a["uuid"] for a in goal["accounts"]] == [client["uuid"]]
    assert goal["description"] == "A small sailing boat."
    assert goal["target_amount"]["amount"] == "1250075"
    assert (goal["progress"], goal["priority"]) == ("30", "2")
    assert goal["timeframe"] == "Within 3 years"
    assert goal["complete_goal_by"].startswith("2029-05-01T00:00:00")
    assert [c["uuid"] for c in goal["visible_to_circles"]] == [household["uuid"]]
    assert goal["show_on_circles"] is True
    assert offline.elsewhere() == []
    assert offline.errors == []


def test_a_refused_goal_form_shows_the_message_beside_the_field(
    offline: Offline, served: dict[str, Any], tmp_path: Path
) -> None:
    base, demo = served["base"], served["demo"]
    client_uuid = demo["client_uuids"][1]
    before = api(served, "GET", f"/api/v1/client/{client_uuid}/goal")["meta"]["total"]
    page = offline.context.new_page()
    path = f"/goals/new?client={client_uuid}"
    sign_in(page, base, demo["owner_email"], demo["owner_password"], path)
    page.wait_for_url(f"{base}{path}")
    page.get_by_label("Target amount").fill("500")
    with page.expect_response(f"{base}/goals/new") as answer:
        page.get_by_role("button", name="Save goal").click()
    assert answer.value.status == 422
    name = page.get_by_label("Name")
    assert name.get_attribute("aria-invalid") == "true"
    described = page.locator(f"#{name.get_attribute('aria-describedby')}")
    assert described.inner_text() == "The name field is required."
    # The summary at the top takes the keyboard to the field.
    summary = page.get_by_role("alert")
    assert summary.get_by_role("heading").inner_text() == "There is a problem"
    summary.get_by_role("link", name="The name field is required.").click()
    assert page.evaluate("document.activeElement.id") == "goal-name"
    assert page.get_by_label("Target amount").input_value() == "500"
    check(page, tmp_path, "goal-form-refused")
    after = api(served, "GET", f"/api/v1/client/{client_uuid}/goal")["meta"]["total"]
    assert after == before

"""The workspace in a real browser against the real server (`advisercrm serve --demo`):
headless Chromium signs in as the demo owner, opens a client and sees its goals, signs
out; a wrong password is answered beside the field; a member does not see a client
outside their reach. Every page is checked with axe-core (no serious or critical
violation) and saved as a screenshot under the test's tmp dir."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.test_docs_browser import CHROMIUM_ARGS, Offline, _chromium

pytestmark = pytest.mark.e2e
_axe = Axe()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = _chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture(params=[1280, 360], ids=["wide", "phone"])
def offline(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Offline]:
    context = browser.new_context(viewport={"width": request.param, "height": 900})
    try:
        yield Offline(context)
    finally:
        context.close()


def check(page: Page, tmp_path: Path, name: str) -> None:
    """No serious or critical axe-core violation, nothing wider than the window, and a
    screenshot of the whole page."""
    results = _axe.run(page).response
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], bad
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, f"{name} is wider than the window"
    page.screenshot(path=tmp_path / f"{name}.png", full_page=True)


def sign_in(page: Page, base: str, email: str, password: str, path: str = "/clients") -> None:
    page.goto(f"{base}{path}")
    assert page.url.startswith(f"{base}/login?next=")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def api(served: dict[str, Any], method: str, path: str, body: Any = None) -> Any:
    demo = served["demo"]
    request = urllib.request.Request(  # noqa: S310 - the test's own loopback server
        f"{served['base']}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Authorization": f"Bearer {demo['token']}",
            "X-PLANNR-ACCOUNT-UUID": demo["account_uuid"],
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def test_the_owner_opens_a_client_and_sees_its_goals_then_signs_out(
    offline: Offline, served: dict[str, Any], tmp_path: Path
) -> None:
    base, demo = served["base"], served["demo"]
    page = offline.context.new_page()
    page.goto(f"{base}/login")
    check(page, tmp_path, "sign-in")
    sign_in(page, base, demo["owner_email"], demo["owner_password"])
    page.wait_for_url(f"{base}/clients")
    assert page.get_by_role("heading", level=1).inner_text() == "Clients"
    assert page.get_by_role("navigation", name="Main").is_visible()
    check(page, tmp_path, "clients")

    # The first demo client owns a goal; open it from the list.
    client = api(served, "GET", f"/api/v1/client/{demo['client_uuids'][0]}")
    goals = api(served, "GET", f"/api/v1/client/{client['uuid']}/goal")["data"]
    assert goals
    page.get_by_label("Search by name or email").fill(client["email"])
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=client["name"]).click()
    page.wait_for_url(f"{base}/clients/{client['uuid']}")
    assert page.get_by_role("heading", level=1).inner_text() == client["name"]
    section = page.get_by_role("region", name="Goals")
    for goal in goals:
        assert section.get_by_role("heading", name=goal["name"]).is_visible()
        assert goal["target_amount"]["formatted"] in section.inner_text()
    assert section.locator("progress").count() == len(goals)
    check(page, tmp_path, "client")

    # The keyboard reaches the skip link first, then the navigation.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{base}/login")
    page.goto(f"{base}/clients")
    assert page.url == f"{base}/login?next=/clients"
    assert offline.elsewhere() == []
    assert offline.errors == []


def test_a_wrong_password_is_shown_beside_the_field(
    offline: Offline, served: dict[str, Any], tmp_path: Path
) -> None:
    base, demo = served["base"], served["demo"]
    page = offline.context.new_page()
    sign_in(page, base, demo["owner_email"], "not-the-password")
    password = page.get_by_label("Password")
    password.wait_for()
    assert password.get_attribute("aria-invalid") == "true"
    described = page.locator(f"#{password.get_attribute('aria-describedby')}")
    assert described.inner_text() == "These credentials do not match our records."
    assert page.get_by_label("Email").input_value() == demo["owner_email"]
    check(page, tmp_path, "wrong-password")


def test_a_member_does_not_see_a_client_outside_their_reach(
    offline: Offline, served: dict[str, Any], tmp_path: Path
) -> None:
    base, demo = served["base"], served["demo"]
    # A client of no group and no assigned staff: only owners and admins see it.
    outside = api(
        served,
        "POST",
        "/api/v1/client",
        {"type": "individual", "first_name": "Quentin", "last_name": "Outsider"},
    )
    # Priya, a member of the demo firm, shares the owner's password.
    member = demo["owner_email"].replace("owner-", "priya-")
    page = offline.context.new_page()
    sign_in(page, base, member, demo["owner_password"])
    page.wait_for_url(f"{base}/clients")
    page.get_by_label("Search by name or email").fill("Outsider")
    page.get_by_role("button", name="Search").click()
    assert page.locator("#count").inner_text().startswith("0 clients")
    assert "Quentin" not in page.inner_text("main")
    check(page, tmp_path, "member-clients")
    response = page.goto(f"{base}/clients/{outside['uuid']}")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Not found"
    check(page, tmp_path, "member-not-found")


def test_the_demo_banner_ends_with_the_workspace_and_the_owners_sign_in(
    served: dict[str, Any],
) -> None:
    base, demo = served["base"], served["demo"]
    log = Path(served["log"]).read_text()
    banner = log[log.index("advisercrm is serving at") :]
    banner = banner[: banner.index("\n\n", banner.index("Open the workspace"))]
    assert banner.splitlines()[-3:] == [
        f"Open the workspace at {base}/ and sign in as the demo owner:",
        f"  email:          {demo['owner_email']}",
        f"  password:       {demo['owner_password']}",
    ]
    assert banner.index("curl --request POST") < banner.index("Open the workspace")

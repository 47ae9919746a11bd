"""The API docs in a real browser with no network but loopback: headless Chromium (Debian's
`chromium`, driven by Playwright) renders /docs and /redoc from the real server, contacts
no other host, and Swagger UI's Authorize then "Try it out" makes a call that answers 200.

Chromium cannot resolve any name but localhost, and every request for another host is
recorded and refused, so a page that needs the Internet fails here as it would offline."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright

pytestmark = pytest.mark.e2e

LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    reason = "Chromium is not installed (Debian: apt-get install -y chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: the browser test must run in CI")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = _chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


class Offline:
    """A browser context whose requests for any host but loopback are refused, and all
    requests are recorded."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.urls: list[str] = []
        self.errors: list[str] = []  # script errors and console errors
        context.route("**/*", self._route)
        context.on("weberror", lambda error: self.errors.append(str(error.error)))
        context.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def _route(self, route: Route) -> None:
        url = route.request.url
        self.urls.append(url)
        if urlsplit(url).hostname in LOOPBACK:
            route.continue_()
        else:
            route.abort("internetdisconnected")

    def elsewhere(self) -> list[str]:
        return [u for u in self.urls if urlsplit(u).hostname not in LOOPBACK]


@pytest.fixture
def offline(browser: Browser) -> Iterator[Offline]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    try:
        yield Offline(context)
    finally:
        context.close()


def _open(offline: Offline, url: str) -> Page:
    page = offline.context.new_page()
    assert page.goto(url) is not None
    page.wait_for_load_state("networkidle")
    return page


def test_swagger_ui_renders_offline_and_calls_the_api_with_both_credentials(
    offline: Offline, served: dict[str, Any], tmp_path: Path
) -> None:
    base, demo = served["base"], served["demo"]
    page = _open(offline, f"{base}/docs")
    goals = page.locator("#operations-goals-list_goals_api_v2_goals_get")
    goals.wait_for()
    assert page.locator(".opblock").count() > 50
    page.screenshot(path=tmp_path / "docs.png")
    print(f"\nscreenshot: {tmp_path / 'docs.png'}")

    page.click("button.authorize")
    modal = page.locator(".modal-ux")
    modal.wait_for()
    offered = " ".join(modal.inner_text().split())
    assert "bearer (http, Bearer)" in offered and "account (apiKey)" in offered
    assert "Name: X-PLANNR-ACCOUNT-UUID" in offered
    for name, value in (("bearer", demo["token"]), ("account", demo["account_uuid"])):
        form = modal.locator("form").filter(has=page.locator(f"h4:has-text('{name}')"))
        form.locator("input").fill(value)
        form.locator("button.authorize").click()
    page.screenshot(path=tmp_path / "authorized.png")
    modal.locator("button.btn-done").first.click()

    goals.locator(".opblock-summary-control").click()
    goals.locator("button.try-out__btn").click()
    with page.expect_response(lambda r: urlsplit(r.url).path == "/api/v2/goals") as answer:
        goals.locator("button.execute").click()
    response = answer.value
    assert response.status == 200, response.text()
    sent = response.request.headers
    assert sent["authorization"] == f"Bearer {demo['token']}"
    assert sent["x-plannr-account-uuid"] == demo["account_uuid"]
    assert response.json()["meta"]["total"] > 0
    status = goals.locator(".live-responses-table tr.response .response-col_status")
    assert status.inner_text().strip() == "200"
    goals.screenshot(path=tmp_path / "executed.png")

    assert offline.urls, "no request was seen"
    assert offline.elsewhere() == []
    assert offline.errors == []


def test_redoc_renders_offline(offline: Offline, served: dict[str, Any], tmp_path: Path) -> None:
    page = _open(offline, f"{served['base']}/redoc")
    page.locator("[data-section-id='tag/goals/operation/list_goals_api_v2_goals_get']").wait_for()
    assert "GET" in page.inner_text("body")
    page.screenshot(path=tmp_path / "redoc.png")
    print(f"\nscreenshot: {tmp_path / 'redoc.png'}")
    assert offline.urls
    assert offline.elsewhere() == []
    # Its vendor's logo is refused by the page's policy before any request is made.
    refused = [e for e in offline.errors if "Content Security Policy" in e]
    assert offline.errors == refused
    assert all("https://cdn.redoc.ly/" in e for e in refused), refused

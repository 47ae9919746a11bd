"""Sign-in throttling in a real browser against a server of its own (the throttle
counts failures per address, and every test here comes from 127.0.0.1): five wrong
passwords, then the sixth try, even with the right password, is refused with 429 and
Retry-After, and the message says how long to wait."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.e2e.test_docs_browser import CHROMIUM_ARGS, Offline, _chromium
from tests.e2e.test_workspace_browser import check, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=_chromium(), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


def test_the_sixth_sign_in_within_a_minute_gets_429(
    browser: Browser, served: dict[str, Any], tmp_path: Path
) -> None:
    base, demo = served["base"], served["demo"]
    offline = Offline(browser.new_context(viewport={"width": 1280, "height": 900}))
    page = offline.context.new_page()
    statuses = []
    for _ in range(5):
        with page.expect_response(f"{base}/login") as answer:
            sign_in(page, base, demo["owner_email"], "wrong-password")
        statuses.append(answer.value.status)
    assert statuses == [422] * 5
    with page.expect_response(f"{base}/login") as answer:
        sign_in(page, base, demo["owner_email"], demo["owner_password"])
    response = answer.value
    assert response.status == 429
    seconds = int(response.headers["retry-after"])
    assert 1 <= seconds <= 60
    email = page.get_by_label("Email")
    message = page.locator(f"#{email.get_attribute('aria-describedby')}").inner_text()
    assert message == f"Too many login attempts. Please try again in {seconds} seconds."
    assert re.fullmatch(rf"{re.escape(base)}/login(\?.*)?", page.url)
    check(page, tmp_path, "throttled")
    offline.context.close()

"""Password guessing is throttled as Laravel's login throttle does it: five failures a
minute per email and address, and per address, then 429 with Retry-After until the
minute of the first failure ends; a success clears the user's count. The same holds
for the password that confirms creating a personal access token."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select, update

from advisercrm.ratelimit.attempts import key
from advisercrm.tables import login_attempts
from tests.helpers import Firm
from tests.web.conftest import Browser, new_browser

TOKENS = "/api/v1/personal-access-tokens"


def _throttled(response: httpx.Response) -> int:
    """The seconds a 429 asks to wait, checked against the message beside the field."""
    assert response.status_code == 429, response.text
    seconds = int(response.headers["retry-after"])
    assert 1 <= seconds <= 60
    message = f"Too many login attempts. Please try again in {seconds} seconds."
    assert f'<p class="error" id="email-error">{message}</p>' in response.text
    assert "advisercrm_session" not in str(response.headers.get_list("set-cookie"))
    return seconds


async def _counts(app: FastAPI, *keys: str) -> list[int | None]:
    async with app.state.engine.connect() as conn:
        rows = await conn.execute(select(login_attempts).where(login_attempts.c.key.in_(keys)))
        found = {row.key: row.attempts for row in rows}
    return [found.get(k) for k in keys]


async def test_the_sixth_try_of_an_email_from_an_address_gets_429(
    browser: Browser, firm: Firm, app: FastAPI
) -> None:
    email = firm.emails[0]
    for _ in range(5):
        assert (await browser.sign_in(email, "wrong password")).status_code == 422
    # Locked out: the right password too, until the minute is over.
    _throttled(await browser.sign_in(email, firm.password))
    _throttled(await browser.sign_in(email, "wrong password"))
    assert (await browser.http.get("/clients")).status_code == 303
    # From another address the same user signs in.
    async with new_browser(app) as http:
        assert (await Browser(http).sign_in(email, firm.password)).status_code == 303
    # Once the minute is over, so can this one.
    async with app.state.engine.begin() as conn:
        past = func.now() - func.make_interval(0, 0, 0, 0, 0, 0, 1)
        await conn.execute(update(login_attempts).values(resets_at=past))
    assert (await browser.sign_in(email, firm.password)).status_code == 303


async def test_five_failures_from_an_address_lock_it_out_for_every_email(
    browser: Browser, firm: Firm
) -> None:
    for n in range(5):
        assert (await browser.sign_in(f"guess{n}@example.com", "x")).status_code == 422
    _throttled(await browser.sign_in(firm.emails[0], firm.password))


async def test_signing_in_clears_the_users_count_not_the_addresss(
    browser: Browser, firm: Firm, app: FastAPI
) -> None:
    email = firm.emails[0]
    for _ in range(2):
        assert (await browser.sign_in(email, "wrong password")).status_code == 422
    address = browser.http._transport.client[0]  # type: ignore[attr-defined]
    keys = (key("login", email, address), key("login", address))
    assert await _counts(app, *keys) == [2, 2]
    assert (await browser.sign_in(email.upper(), firm.password)).status_code == 303
    assert await _counts(app, *keys) == [None, 2]


async def _token(firm: Firm, password: str) -> httpx.Response:
    return await firm.owner.post(TOKENS, {"name": "ci", "password": password})


async def test_creating_a_token_throttles_wrong_passwords(firm: Firm) -> None:
    for _ in range(5):
        wrong = await _token(firm, "wrong password")
        assert wrong.status_code == 422
        assert wrong.json()["errors"] == {"password": ["The provided password is incorrect."]}
    before = len((await firm.owner.get(TOKENS)).json()["data"])
    for password in (firm.password, "wrong password"):
        refused = await _token(firm, password)
        assert refused.status_code == 429
        assert refused.json() == {"message": "Too Many Attempts."}
        assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert len((await firm.owner.get(TOKENS)).json()["data"]) == before


async def test_a_confirmed_password_clears_the_count(firm: Firm, other_firm: Firm) -> None:
    for _ in range(4):
        assert (await _token(firm, "wrong password")).status_code == 422
    assert (await _token(firm, firm.password)).status_code == 201
    for _ in range(5):
        assert (await _token(firm, "wrong password")).status_code == 422
    assert (await _token(firm, "wrong password")).status_code == 429
    # Another user is counted apart.
    assert (await _token(other_firm, other_firm.password)).status_code == 201


def test_throttle_keys_do_not_keep_emails_or_addresses() -> None:
    made = key("login", "Dana@Example.com", "10.0.0.1")
    assert re.fullmatch(r"[0-9a-f]{64}", made)
    assert made == key("login", "dana@example.com", "10.0.0.1")

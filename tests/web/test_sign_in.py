"""Signing in to the workspace and out again: the session cookie's flags, redirects to
the sign-in page and back, CSRF on every form, and choosing the acting account."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import func, select, update

from advisercrm.auth.credentials import token_hash
from advisercrm.tables import web_sessions
from tests.helpers import Firm
from tests.web.conftest import Browser, new_browser


def _cookie(response_headers: list[str], name: str) -> str:
    found = [h for h in response_headers if h.startswith(f"{name}=")]
    assert len(found) == 1, response_headers
    return found[0]


async def test_signing_in_sets_an_httponly_lax_session_cookie(browser: Browser, firm: Firm) -> None:
    response = await browser.sign_in(firm.emails[0], firm.password, "/clients")
    assert response.status_code == 303
    assert response.headers["location"] == "/clients"
    cookie = _cookie(response.headers.get_list("set-cookie"), "advisercrm_session")
    flags = [part.strip().lower() for part in cookie.split(";")[1:]]
    assert sorted(flags) == ["httponly", "path=/", "samesite=lax"]
    assert (await browser.http.get("/clients")).status_code == 200


async def test_over_https_the_cookie_is_secure(app: FastAPI, firm: Firm) -> None:
    async with new_browser(app, "https") as http:
        response = await Browser(http).sign_in(firm.emails[0], firm.password)
    cookie = _cookie(response.headers.get_list("set-cookie"), "advisercrm_session")
    assert "secure" in [part.strip().lower() for part in cookie.split(";")]


async def test_pages_redirect_to_sign_in_with_the_page_to_return_to(browser: Browser) -> None:
    for path, location in (
        ("/clients?q=ann&page=2", "/login?next=/clients%3Fq%3Dann%26page%3D2"),
        ("/", "/login?next=/"),
        ("/clients/7a0c8a59-0000-4000-8000-000000000000", None),
    ):
        response = await browser.http.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == (location or f"/login?next={path}")


async def test_next_may_only_name_a_local_path(app: FastAPI, firm: Firm) -> None:
    for given, location in (
        ("/clients?q=x", "/clients?q=x"),
        ("//evil.example/x", "/clients"),
        ("/\\evil.example", "/clients"),
        ("https://evil.example/", "/clients"),
        ("", "/clients"),
    ):
        async with new_browser(app) as http:
            response = await Browser(http).sign_in(firm.emails[0], firm.password, given)
        assert response.status_code == 303
        assert response.headers["location"] == location


async def test_a_wrong_password_is_refused_beside_the_field(browser: Browser, firm: Firm) -> None:
    response = await browser.sign_in(firm.emails[0], "not the password")
    assert response.status_code == 422
    assert "set-cookie" not in response.headers or "advisercrm_session" not in str(
        response.headers.get_list("set-cookie")
    )
    assert (
        '<p class="error" id="password-error">These credentials do not match our records.</p>'
        in response.text
    )
    assert 'aria-describedby="password-error"' in response.text
    unknown = await browser.sign_in("nobody@example.com", "whatever")
    assert unknown.status_code == 422
    assert "These credentials do not match our records." in unknown.text
    empty = await browser.sign_in("", "")
    assert empty.status_code == 422
    assert "The email field is required." in empty.text
    assert "The password field is required." in empty.text


async def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    browser: Browser, firm: Firm
) -> None:
    await browser.csrf("/login")  # the guest cookie, without its token in the form
    form = {"email": firm.emails[0], "password": firm.password}
    for token in (None, "0" * 64):
        sent = form if token is None else {**form, "_token": token}
        refused = await browser.http.post("/login", data=sent)
        assert refused.status_code == 403
        assert "This page has expired." in refused.text
        assert "advisercrm_session" not in str(refused.headers.get_list("set-cookie"))
    assert (await browser.http.get("/clients")).status_code == 303

    signed_in = await browser.sign_in(firm.emails[0], firm.password)
    assert signed_in.status_code == 303
    for token in (None, "0" * 64):
        data = {} if token is None else {"_token": token}
        assert (await browser.http.post("/logout", data=data)).status_code == 403
        assert (await browser.http.get("/clients")).status_code == 200  # still signed in
    # Another session's token does not do either.
    async with new_browser(browser.http._transport.app) as other_http:  # type: ignore[attr-defined]
        other = Browser(other_http)
        await other.sign_in(firm.emails[0], firm.password)
        theirs = await other.csrf("/clients")
    assert (await browser.http.post("/logout", data={"_token": theirs})).status_code == 403
    assert (await browser.http.get("/clients")).status_code == 200


async def test_signing_out_ends_the_session_on_the_server(browser: Browser, firm: Firm) -> None:
    await browser.sign_in(firm.emails[0], firm.password)
    cookie = browser.http.cookies["advisercrm_session"]
    token = await browser.csrf("/clients")
    out = await browser.http.post("/logout", data={"_token": token})
    assert out.status_code == 303
    assert out.headers["location"] == "/login"
    assert 'advisercrm_session=""' in str(out.headers.get_list("set-cookie"))
    # The old cookie, sent again, names no session.
    browser.http.cookies.set("advisercrm_session", cookie)
    again = await browser.http.get("/clients")
    assert again.status_code == 303
    assert again.headers["location"] == "/login?next=/clients"


async def test_a_user_with_two_accounts_chooses_one(
    browser: Browser, firm: Firm, other_firm: Firm, app: FastAPI
) -> None:
    # The owner of `firm` is given a login on a client of another firm.
    client = await other_firm.client_account()
    given = await other_firm.owner.post(
        f"/api/v1/account/{client['uuid']}/login",
        {"email": firm.emails[0], "first_name": "Dana", "last_name": "Owner"},
    )
    assert given.status_code == 201, given.text
    response = await browser.sign_in(firm.emails[0], firm.password, "/clients")
    assert response.status_code == 303
    assert response.headers["location"] == "/account?next=%2Fclients"
    assert (await browser.http.get("/clients")).headers["location"] == "/account?next=%2Fclients"
    chooser = await browser.http.get("/account?next=/clients")
    assert chooser.text.count('name="account_uuid"') == 2
    token = await browser.csrf("/account")

    wrong = await browser.http.post(
        "/account", data={"_token": "0" * 64, "account_uuid": client["uuid"]}
    )
    assert wrong.status_code == 403
    # The owner's own UUID with its last digit changed: no account has it.
    mine = firm.owner.account_uuid
    unknown = {"_token": token, "account_uuid": mine[:-1] + ("1" if mine[-1] == "0" else "0")}
    refused = await browser.http.post("/account", data=unknown)
    assert refused.status_code == 422
    assert "Choose one of your accounts." in refused.text
    assert (await browser.http.get("/clients")).status_code == 303

    chosen = {"_token": token, "account_uuid": firm.owner.account_uuid, "next": "/clients"}
    done = await browser.http.post("/account", data=chosen)
    assert done.status_code == 303
    assert done.headers["location"] == "/clients"
    page = await browser.http.get("/clients")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"


async def test_the_database_keeps_only_a_keyed_hash_of_the_session_token(
    browser: Browser, firm: Firm, app: FastAPI
) -> None:
    await browser.sign_in(firm.emails[0], firm.password)
    token = browser.http.cookies["advisercrm_session"]
    async with app.state.engine.connect() as conn:
        rows = (await conn.execute(select(web_sessions))).mappings().all()
    digest = token_hash(token, app.state.secret_key)
    assert [r["token_hash"] for r in rows if r["token_hash"] == digest] == [digest]
    assert all(token.encode() not in bytes(r["token_hash"]) for r in rows)


async def test_an_expired_session_sends_to_sign_in(
    browser: Browser, firm: Firm, app: FastAPI
) -> None:
    await browser.sign_in(firm.emails[0], firm.password)
    digest = token_hash(browser.http.cookies["advisercrm_session"], app.state.secret_key)
    async with app.state.engine.begin() as conn:
        ended = func.now() - func.make_interval(0, 0, 0, 0, 0, 1)
        statement = update(web_sessions).where(web_sessions.c.token_hash == digest)
        await conn.execute(statement.values(expires_at=ended))
    response = await browser.http.get("/clients")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/clients"


async def test_the_stylesheet_is_served_from_the_package(browser: Browser) -> None:
    response = await browser.http.get("/static/app.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")

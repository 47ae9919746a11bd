"""A login made for a new email: its user has no password, and cannot sign in, until one is
set with `advisercrm user set-password`."""

from __future__ import annotations

from tests.accounts.support import CLIENTS, Cast
from tests.helpers import Actor
from tests.logins.support import made
from tests.test_cli import output, run_with


async def test_a_new_user_signs_in_once_a_password_is_set(shop: Cast, database_url: str) -> None:
    client = await shop.firm.client_account()
    login = await made(shop.owner, client["uuid"])
    email, password = login["email"], "a brand new password"
    token_args = ["token", "create", "--email", email, "--account-uuid", client["uuid"]]
    for guess in ("x", password):
        refused = run_with(database_url, token_args, env={"ADVISERCRM_PASSWORD": guess}, ok=False)
        assert refused.returncode == 1
        assert refused.stderr.endswith(": wrong email or password\n")
    short = run_with(
        database_url, ["user", "set-password", "--email", email, "--password", "short"], ok=False
    )
    assert short.stderr == "error: the password must be at least 8 characters\n"
    unknown = ["user", "set-password", "--email", "nobody@example.com", "--password", password]
    missing = run_with(database_url, unknown, ok=False)
    assert missing.stderr == "error: no user has the email nobody@example.com\n"
    done = run_with(
        database_url, ["user", "set-password", "--email", email.upper()], stdin=password
    )
    assert output(done) == {"email": email.upper(), "password": "set"}
    token = output(run_with(database_url, token_args, env={"ADVISERCRM_PASSWORD": password}))
    assert token["account_uuid"] == client["uuid"]
    actor = Actor(shop.firm.client, token["token"], client["uuid"])
    response = await actor.get(f"{CLIENTS}/{client['uuid']}")
    assert response.status_code == 200, response.text

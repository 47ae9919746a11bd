"""Replay of Plannr's logins and personal-access-token pages."""

from __future__ import annotations

from tests.helpers import Firm
from tests.replay.support import (
    BOOL,
    NULL,
    STR,
    assert_list,
    check_types,
    page,
    served_elsewhere,
)  # fmt: skip

LOGINS = page("operation-getapiv1logins")
LOGINS_OLD = page("operation-get-api-v1-logins")
CREATE_TOKEN = page("operation-postapiv1personalaccesstokens")
CREATE_TOKEN_OLD = page("operation-post-api-v1-personal-access-tokens")
LOGIN = {"uuid": STR, "expires_at": (STR, NULL), "has_write_permission": BOOL,
         "has_delete_permission": BOOL, "primary": BOOL,
         "account": {"uuid": STR, "type": STR, "role": STR, "name": STR},
         "firm": {"uuid": STR, "name": STR}}  # fmt: skip
PORTAL = served_elsewhere("login fields (portal flags, names, preferred_account_uuid)")


async def test_logins(firm: Firm) -> None:
    """LOGINS: no acting-account header needed; the documented login fields."""
    response = await firm.client.get(
        "/api/v1/logins", headers={"Authorization": f"Bearer {firm.owner.token}"}
    )
    for item in assert_list(response)["data"]:
        check_types(item, LOGIN)


@PORTAL
async def test_login_portal_fields(firm: Firm) -> None:
    """LOGINS: receives_unread_notifications_email, wealth/goals/factfind/tasks/welcome
    flags, first_name, last_name, email."""
    body = (await firm.owner.get("/api/v1/logins")).json()
    check_types(body["data"][0], {
        "receives_unread_notifications_email": BOOL, "wealth_enabled": BOOL,
        "goals_enabled": BOOL, "factfind_enabled": BOOL, "tasks_enabled": BOOL,
        "welcome_enabled": BOOL, "first_name": STR, "last_name": STR, "email": STR,
    })  # fmt: skip


async def test_create_token(firm: Firm) -> None:
    """CREATE_TOKEN: name and password required, account_uuid optional."""
    body = {"name": "Zapier", "password": firm.password, "account_uuid": firm.owner.account_uuid}
    response = await firm.owner.post("/api/v1/personal-access-tokens", body)
    assert response.status_code == 201, response.text
    check_types(response.json(), {"uuid": STR, "name": STR, "token": STR,
                                  "account_uuid": (STR, NULL), "expires_at": (STR, NULL),
                                  "created_at": STR})  # fmt: skip
    listed = await firm.owner.get("/api/v1/personal-access-tokens")
    assert any(t["name"] == "Zapier" for t in assert_list(listed)["data"])


async def test_wrong_password(firm: Firm) -> None:
    body = {"name": "Zapier", "password": "wrong"}
    response = await firm.owner.post("/api/v1/personal-access-tokens", body)
    assert response.status_code == 422
    assert response.json()["errors"] == {"password": ["The provided password is incorrect."]}

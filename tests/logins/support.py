"""Helpers of the account-logins tests."""

from __future__ import annotations

import itertools
import secrets
from typing import Any

from tests.helpers import Actor

_n = itertools.count(1)
FLAGS = {
    "has_write_permission": True,
    "has_delete_permission": True,
    "wealth_enabled": False,
    "goals_enabled": False,
    "factfind_enabled": False,
    "tasks_enabled": False,
}


def path(account_uuid: str) -> str:
    return f"/api/v1/account/{account_uuid}/login"


def new_email() -> str:
    return f"login-{next(_n)}-{secrets.token_hex(4)}@example.com"


def person(**extra: Any) -> dict[str, Any]:
    return {"first_name": "Lo", "last_name": f"Gin{next(_n)}", "email": new_email(), **extra}


async def made(actor: Actor, account_uuid: str, **extra: Any) -> dict[str, Any]:
    return await actor.created(path(account_uuid), person(**extra))

"""Issuing personal access tokens: for the token endpoints, the CLI and firm set-up."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.auth import repository
from advisercrm.auth.credentials import new_token, token_hash


async def issue_token(
    conn: AsyncConnection,
    user_id: int,
    name: str,
    key: bytes,
    account: Any = None,
    expires_at: Any = None,
) -> tuple[str, dict[str, Any]]:
    """Create a token; return the plain token (never stored) and its row."""
    plain = new_token()
    row = await repository.insert_token(
        conn,
        {
            "user_id": user_id,
            "name": name,
            "token_hash": token_hash(plain, key),
            "firm_id": account["firm_id"] if account else None,
            "account_id": account["account_id"] if account else None,
            "expires_at": expires_at,
        },
    )
    return plain, dict(row)

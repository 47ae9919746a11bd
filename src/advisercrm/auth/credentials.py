"""Tokens and passwords: generated here, stored only as hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# A recognisable prefix lets secret scanners find leaked tokens.
TOKEN_PREFIX = "acrm_pat_"  # noqa: S105 - a prefix, not a secret
_hasher = PasswordHasher()
_dummy: tuple[PasswordHasher, str] | None = None


def _dummy_hash() -> str:
    """Verifying against this when no user matches keeps the timing of a wrong email and a
    wrong password alike. Made on first need, not at import (one argon2 hash is 0.15 s of
    every worker's and every CLI call's start), with the hasher in use, so it costs what
    checking a real password costs."""
    global _dummy
    if _dummy is None or _dummy[0] is not _hasher:
        _dummy = (_hasher, _hasher.hash("not-a-real-password"))
    return _dummy[1]


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str, key: bytes) -> bytes:
    return hmac.new(key, token.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False

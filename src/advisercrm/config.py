"""Settings, read from ADVISERCRM_* environment variables, with zero-config defaults."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    data_dir: Path
    secret_key_value: str | None
    db_pool_size: int
    max_body_bytes: int
    rate_limit: int
    log_level: str
    log_format: str = "text"
    metrics_token: str | None = None
    cors_origins: tuple[str, ...] = ()

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    def secret_key(self) -> bytes:
        """The HMAC key for token hashes.

        Several servers sharing one database must share this key, so production sets
        ADVISERCRM_SECRET_KEY. A laptop install gets a random key kept in the data
        directory, created once and reused by every process that shares that directory.
        """
        if self.secret_key_value:
            return self.secret_key_value.encode()
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            candidate = secrets.token_urlsafe(48)
            try:
                with path.open("x") as handle:
                    handle.write(candidate)
                path.chmod(0o600)
            except FileExistsError:
                pass  # another process won the race; use its key
        return path.read_text().strip().encode()


class SettingsError(ValueError):
    """A setting with a value it cannot have; the message names the variable."""


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    if not raw.strip().isdigit() or int(raw) < 1:
        raise SettingsError(f"{name} must be a whole number of at least 1, not {raw!r}")
    return int(raw)


def _choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
    raw = os.environ.get(name) or default
    if raw.lower() not in allowed:
        raise SettingsError(f"{name} must be one of {', '.join(allowed)}, not {raw!r}")
    return raw.lower()


def _origins() -> tuple[str, ...]:
    raw = os.environ.get("ADVISERCRM_CORS_ORIGINS") or ""
    return tuple(origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip())


LOG_LEVELS = ("debug", "info", "warning", "error", "critical")


@cache
def get_settings() -> Settings:
    return Settings(
        database_url=os.environ.get("ADVISERCRM_DATABASE_URL") or None,
        data_dir=Path(os.environ.get("ADVISERCRM_DATA_DIR") or ".advisercrm").resolve(),
        secret_key_value=os.environ.get("ADVISERCRM_SECRET_KEY") or None,
        db_pool_size=_int("ADVISERCRM_DB_POOL_SIZE", 10),
        max_body_bytes=_int("ADVISERCRM_MAX_BODY_BYTES", 1024 * 1024),
        rate_limit=_int("ADVISERCRM_RATE_LIMIT", 500),
        log_level=_choice("ADVISERCRM_LOG_LEVEL", "info", LOG_LEVELS).upper(),
        log_format=_choice("ADVISERCRM_LOG_FORMAT", "text", ("text", "json")),
        metrics_token=os.environ.get("ADVISERCRM_METRICS_TOKEN") or None,
        cors_origins=_origins(),
    )

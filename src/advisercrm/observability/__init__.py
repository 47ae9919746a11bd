"""Observability for operators: Prometheus metrics (`metrics`), one log line per request
and its id (`middleware`).

This module imports nothing heavy: `serve` calls `prepare_metrics_dir` before Granian
forks its workers, and prometheus_client chooses its multiprocess mode when first
imported, from the environment variable set here."""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
from pathlib import Path

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
log = logging.getLogger(__name__)


def prepare_metrics_dir() -> Path:
    """A fresh directory where every worker process keeps its metrics, so that one scrape
    of any worker answers for all of them.

    An operator's PROMETHEUS_MULTIPROC_DIR is emptied of the last run's files; otherwise
    a new temporary directory is made, and removed when this process exits."""
    chosen = os.environ.get(MULTIPROC_ENV)
    if chosen:
        path = Path(chosen)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink(missing_ok=True)
    else:
        path = Path(tempfile.mkdtemp(prefix="advisercrm-metrics-"))
        atexit.register(shutil.rmtree, path, ignore_errors=True)
        os.environ[MULTIPROC_ENV] = str(path)
    log.info("workers' metrics are kept in %s", path)
    return path

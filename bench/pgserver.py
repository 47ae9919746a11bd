"""Hold the benchmark's embedded PostgreSQL open: start it, migrate, wait for SIGTERM.

The embedded server stops when the last process holding a handle on the data directory
lets go (advisercrm.embedded), so this process keeps it running while the dataset is
generated, the server runs and pgbench replays; `advisercrm serve` joins the same
server through ADVISERCRM_DATA_DIR, exactly as in production.

Usage: ADVISERCRM_DATA_DIR=DIR python bench/pgserver.py URL_FILE
Writes the libpq URI of the `advisercrm` database to URL_FILE once it is ready.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType

from advisercrm.config import get_settings
from advisercrm.db import database_url
from advisercrm.migrate import upgrade


def _stop(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)  # a normal exit releases the handle, which stops PostgreSQL


def main() -> None:
    url_file = Path(sys.argv[1])
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    url = database_url(get_settings())
    upgrade(url)
    url_file.write_text(url + "\n")
    while True:
        signal.pause()


if __name__ == "__main__":
    main()

"""The settings pages' routers, for `web.router.install_web`."""

from __future__ import annotations

from advisercrm.web.settings import index, task_statuses, webhooks

ROUTERS = (index.router, task_statuses.router, webhooks.router)

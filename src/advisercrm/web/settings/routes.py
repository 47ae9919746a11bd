"""The settings pages' routers, for `web.router.install_web`."""

from __future__ import annotations

from advisercrm.web.settings import (
    custom_fields,
    groups,
    index,
    people,
    task_statuses,
    tokens,
    webhooks,
)

ROUTERS = (
    index.router,
    task_statuses.router,
    webhooks.router,
    tokens.router,
    custom_fields.router,
    groups.router,
    people.router,
)

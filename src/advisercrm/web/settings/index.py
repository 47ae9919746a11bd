"""/settings: the list of the firm's settings pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from advisercrm.web.settings.common import Manager
from advisercrm.web.templating import page

router = APIRouter(include_in_schema=False)

AREAS = (("/settings/task-statuses", "Task statuses", "The columns of the task board, in order."),)


@router.get("/settings")
async def settings(request: Request, acting: Manager) -> Response:
    return page(request, "settings/index.html", acting.session, areas=AREAS)

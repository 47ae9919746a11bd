"""/settings: the list of the firm's settings pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from advisercrm.web.settings.common import Manager
from advisercrm.web.templating import page

router = APIRouter(include_in_schema=False)

AREAS = (
    ("/settings/task-statuses", "Task statuses", "The columns of the task board, in order."),
    ("/settings/webhooks", "Webhooks", "Where the firm's events are sent, and what was sent."),
    (
        "/settings/custom-fields",
        "Custom fields",
        "The extra fields of tasks, clients, cases, plans.",
    ),
    ("/settings/groups", "Groups", "Teams of the firm's staff, and who is in each."),
    ("/settings/people", "People", "The firm's staff, their roles and their logins."),
    ("/settings/tokens", "Personal access tokens", "Your own tokens for the API."),
)


@router.get("/settings")
async def settings(request: Request, acting: Manager) -> Response:
    return page(request, "settings/index.html", acting.session, areas=AREAS)

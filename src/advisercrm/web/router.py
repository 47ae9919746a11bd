"""The workspace's routes and assets, installed on the app."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from advisercrm.web import board, clients, goals, signing, tasks
from advisercrm.web.guard import Interrupt, SignedIn, interrupted
from advisercrm.web.settings.routes import ROUTERS as SETTINGS
from advisercrm.web.templating import STATIC_DIR, redirect

home = APIRouter(include_in_schema=False)


@home.get("/")
async def start(request: Request, session: SignedIn) -> Response:
    return redirect("/clients")


def install_web(app: FastAPI) -> None:
    app.add_exception_handler(Interrupt, interrupted)
    pages = (clients.router, tasks.router, goals.router, board.router, *SETTINGS)
    for router in (home, signing.router, *pages):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

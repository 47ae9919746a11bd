"""create_app(): routers, error handlers and the database engine's lifetime."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware

from advisercrm import __version__
from advisercrm.accounts.owners import router as owners_router
from advisercrm.accounts.router import router as accounts_router
from advisercrm.auth import cache as auth_cache
from advisercrm.avatar import router as avatar_router
from advisercrm.case_lookups.description import CASE_STATUSES, CASE_TYPES
from advisercrm.cases.description import CASES
from advisercrm.circles.description import CIRCLES
from advisercrm.client_statuses.description import CLIENT_STATUSES
from advisercrm.config import Settings, get_settings
from advisercrm.custom_fields.description import CUSTOM_FIELDS
from advisercrm.db import (
    COMMAND_TIMEOUT,
    DatabaseUnavailable,
    connect,
    create_engine,
    database_url,
)
from advisercrm.docs import install_docs
from advisercrm.goals.router import router as goals_router
from advisercrm.groups.description import GROUPS
from advisercrm.groups.participants import router as participants_router
from advisercrm.idempotency.route import Replay, declares_json, replay_response
from advisercrm.introducers.router import router as introducers_router
from advisercrm.kit import sql
from advisercrm.kit.errors import ApiError, Forbidden, Unauthenticated, ValidationFailed
from advisercrm.kit.fields import to_laravel
from advisercrm.kit.headers import ResponseHeadersMiddleware, cors_options, fixed_headers
from advisercrm.kit.limits import BodyLimitMiddleware
from advisercrm.kit.render import JSON
from advisercrm.kit.routing import skip_unmatched
from advisercrm.life_stages.description import LIFE_STAGES
from advisercrm.logins.router import router as logins_router
from advisercrm.observability import metrics
from advisercrm.observability.middleware import ObservabilityMiddleware
from advisercrm.plans.description import PLANS
from advisercrm.ratelimit.attempts import Attempts
from advisercrm.ratelimit.limiter import Limiter, TooManyAttempts
from advisercrm.resource.router import crud_router
from advisercrm.static_data.router import router as static_router
from advisercrm.tagging.router import router as tags_router
from advisercrm.task_statuses.description import TASK_STATUSES
from advisercrm.tasks.router import router as tasks_router
from advisercrm.tokens.router import router as tokens_router
from advisercrm.web.router import install_web
from advisercrm.webhooks.changes import router as changes_router
from advisercrm.webhooks.description import SUBSCRIPTIONS
from advisercrm.webhooks.history import router as deliveries_router

log = logging.getLogger("advisercrm")

CONFLICT = "The request conflicts with a concurrent change; retry it."
HTTP_MESSAGES = {
    400: "Malformed JSON body.",
    404: "Not found.",
    405: "Method not allowed.",
    413: "The request body is too large.",
    415: "The request body must be JSON, sent with the header Content-Type: application/json.",
}


class ErrorBody(BaseModel):
    """Every error response: a message."""

    message: str = Field(examples=["Not found."])


class ValidationErrorBody(BaseModel):
    """422: the first message, a count of the rest, and every message by field."""

    message: str = Field(examples=["The name field is required. (and 1 more error)"])
    errors: dict[str, list[str]] = Field(
        examples=[{"account_uuids.1": ["The selected account_uuids.1 is invalid."]}]
    )


def _error(description: str, example: str) -> dict[str, Any]:
    """An error status: its meaning, and a message the API really sends with it."""
    content = {"application/json": {"example": {"message": example}}}
    return {"model": ErrorBody, "description": description, "content": content}


# Documented once for every API route, so /openapi.json describes each status the API
# really answers with (FastAPI's default 422 body, `detail`, is not ours).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _error(
        "Malformed JSON body, a missing X-PLANNR-ACCOUNT-UUID header, or an unknown "
        "filter, sort or include name",
        HTTP_MESSAGES[400],
    ),
    401: _error(
        "Unauthenticated: a missing, unknown, revoked or expired token",
        Unauthenticated.default_message,
    ),
    403: _error(
        "This action is unauthorized, or the X-PLANNR-ACCOUNT-UUID header names no account "
        "this token may act as",
        Forbidden.default_message,
    ),
    404: _error(
        "Not found (also a malformed or another firm's UUID in the path)", HTTP_MESSAGES[404]
    ),
    409: _error("The request conflicts with the current state of a record", CONFLICT),
    413: _error("The request body is too large", HTTP_MESSAGES[413]),
    415: _error("A request body not sent as Content-Type: application/json", HTTP_MESSAGES[415]),
    422: {"model": ValidationErrorBody, "description": "Validation failed"},
    429: _error("Too Many Attempts (see Retry-After)", TooManyAttempts.default_message),
    503: _error(
        "The database is unavailable; retry after Retry-After seconds",
        DatabaseUnavailable.default_message,
    ),
}
# The avatar takes no credentials: only its own query and the body limit can fail it.
PUBLIC_RESPONSES: dict[int | str, dict[str, Any]] = {c: ERROR_RESPONSES[c] for c in (413, 422)}


def _body_model(request: Request) -> Any:
    route = request.scope.get("route")
    field = getattr(route, "body_field", None)
    return getattr(getattr(field, "field_info", None), "annotation", None)


async def _validation_error(request: Request, exc: Exception) -> JSON:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e["type"] == "json_invalid" for e in errors):
        return JSON({"message": HTTP_MESSAGES[400]}, status_code=400)
    # A body not declared as JSON reaches the model unparsed, as bytes. `curl -d` sends
    # form data, and "the body field must be an object" would not tell the caller why.
    if not declares_json(request) and any(
        tuple(e["loc"]) == ("body",) and e["type"] != "missing" for e in errors
    ):
        return JSON({"message": HTTP_MESSAGES[415]}, status_code=415)
    model = _body_model(request)
    if (
        model is not None
        and [tuple(e["loc"]) for e in errors] == [("body",)]
        and errors[0]["type"] == "missing"
    ):
        # An empty body reads as an empty object, so each required field is named.
        try:
            model.model_validate({})
        except ValidationError as inner:
            errors = [{**e, "loc": ("body", *e["loc"])} for e in inner.errors()]
    failed = ValidationFailed(to_laravel(errors))
    return JSON(failed.body(), status_code=422)


async def _api_error(request: Request, exc: Exception) -> JSON:
    assert isinstance(exc, ApiError)
    return JSON(exc.body(), status_code=exc.status, headers=exc.headers)


async def _http_error(request: Request, exc: Exception) -> JSON:
    assert isinstance(exc, HTTPException)
    message = HTTP_MESSAGES.get(exc.status_code) or str(exc.detail)
    return JSON({"message": message}, status_code=exc.status_code, headers=exc.headers)


async def _conflict(request: Request, exc: Exception) -> JSON:
    # Every rule is checked before writing; a constraint can still fire when two requests
    # race (the same new slug or email at once), and two transactions can each wait for a
    # lock the other holds (PostgreSQL then rolls one back: a deadlock). Either is a
    # conflict to retry, not a 500. SQLAlchemy wraps the driver's error; compiled
    # statements (kit.sql) raise it bare.
    error = getattr(exc, "orig", exc)
    cause = getattr(error, "constraint_name", None) or type(error).__name__
    log.info("conflict on %s %s: %s", request.method, request.url.path, cause)
    return JSON({"message": CONFLICT}, status_code=409)


async def _server_error(request: Request, exc: Exception) -> JSON:
    request_id = getattr(request.state, "request_id", None) or uuid.uuid4().hex
    log.error(
        "unhandled error request_id=%s %s %s",
        request_id,
        request.method,
        request.url.path,
        exc_info=exc,
        extra={"request_id": request_id},
    )
    # Sent by Starlette outside every middleware: the headers they add are added here.
    return JSON(
        {"message": "Server Error.", "request_id": request_id},
        status_code=500,
        headers=fixed_headers(request_id),
    )


def create_app(settings: Settings | None = None, url: str | None = None) -> FastAPI:
    settings = settings or get_settings()
    config = settings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Starting the embedded server blocks: keep it off the event loop.
        chosen: str = url if url else await asyncio.to_thread(database_url, config)
        engine = create_engine(chosen, config.db_pool_size, COMMAND_TIMEOUT)
        app.state.engine = engine
        # Leases take their own short transactions: a pool of their own can never be
        # starved by the requests waiting on them.
        limits_engine = create_engine(chosen, 2, COMMAND_TIMEOUT)
        app.state.limiter = Limiter(limits_engine, config.rate_limit)
        app.state.attempts = Attempts(limits_engine)
        app.state.secret_key = config.secret_key()
        try:
            async with auth_cache.running(chosen) as app.state.auth_cache:
                with metrics.watch_pools({"requests": engine, "ratelimit": limits_engine}):
                    yield
        finally:
            await engine.dispose()
            await limits_engine.dispose()

    app = FastAPI(
        title="advisercrm",
        version=__version__,
        description="A self-hostable CRM server, wire-compatible with the Plannr CRM API.",
        lifespan=lifespan,
        docs_url=None,  # both served offline by install_docs
        redoc_url=None,
    )
    # The last added runs first: headers (and the request id), then metrics and the
    # request log line, CORS, the body limit.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, **cors_options(settings.cors_origins))
    app.add_middleware(ObservabilityMiddleware)
    app.add_middleware(ResponseHeadersMiddleware)
    # Not an API route: no token of the API's, no rate limit, not in the OpenAPI schema.
    app.add_route("/metrics", metrics.endpoint(settings.metrics_token), include_in_schema=False)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Replay, replay_response)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _conflict)
    app.add_exception_handler(asyncpg.IntegrityConstraintViolationError, _conflict)
    app.add_exception_handler(asyncpg.TransactionRollbackError, _conflict)
    app.add_exception_handler(Exception, _server_error)
    for router in (
        tokens_router,
        logins_router,
        owners_router,
        participants_router,
        accounts_router,
        crud_router(CIRCLES),
        crud_router(GROUPS),
        goals_router,
        crud_router(TASK_STATUSES),
        crud_router(CUSTOM_FIELDS),
        crud_router(CASES),
        crud_router(CASE_STATUSES),
        crud_router(CASE_TYPES),
        crud_router(CLIENT_STATUSES),
        crud_router(LIFE_STAGES, delete=False),
        introducers_router,
        crud_router(PLANS),
        tasks_router,
        tags_router,
        crud_router(SUBSCRIPTIONS),
        deliveries_router,
        changes_router,
    ):
        app.include_router(router, responses=ERROR_RESPONSES)
    app.include_router(avatar_router, responses=PUBLIC_RESPONSES)
    app.include_router(static_router, responses=PUBLIC_RESPONSES)

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["health"],
        responses={503: {"description": 'The database is unreachable: {"status": "unavailable"}'}},
    )
    async def readyz(request: Request) -> JSON:
        try:
            async with connect(request.app.state.engine) as conn:
                await sql.fetch_value(conn, text("SELECT 1"))
        except DatabaseUnavailable:
            return JSON({"status": "unavailable"}, status_code=503)  # connect logged why
        except Exception:
            log.warning("readiness check failed", exc_info=True)
            return JSON({"status": "unavailable"}, status_code=503)
        return JSON({"status": "ok"})

    install_docs(app)
    install_web(app)
    skip_unmatched(app)
    return app

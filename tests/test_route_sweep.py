"""Route sweep (issue 5, part 1): every route of the OpenAPI document, called with every
kind of caller, answers the status the spec implies (with the spec's message and the
rate-limit headers), and no response ever carries the other firm's data.

Callers (tests/sweep_support.py builds them; "A" is the firm whose records the paths name):

    no_token          no Authorization header
    malformed_token   a bearer value that is no token at all
    revoked_token     one of A's owner's tokens, revoked through the API
    expired_token     one of A's owner's tokens whose expires_at is in the past
    foreign_account   A's owner's valid token acting as an A account it has no login for
    firm_b            firm B's owner, acting as itself, aimed at A's records
    client            a client account of A with a login (not the client in the paths)
    member            an A member in none of the groups the records carry
    no_write          an A admin whose login has neither write nor delete permission
    no_delete         an A admin whose login may write but not delete
    owner             A's owner: the control

Paths name real A records of the right kind (DELETE rows name spares of the same kind,
one set for the owner and one for everyone else, so no row depends on the order rows run
in); writes send a valid body, so each row's status is about the caller (the order of the
path, permission and body checks is tests/test_error_order.py's).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, NamedTuple

import httpx
import pytest
from fastapi import FastAPI
from starlette.routing import Route

from tests.sweep_support import Credential, Sweep, body_for, build_sweep, fill


class Row(NamedTuple):
    """The expected status per caller whose answer depends on the route."""

    firm_b: int
    client: int
    member: int
    no_write: int
    no_delete: int
    owner: int


# fmt: off
TABLE: dict[tuple[str, str], Row] = {
    #                                                        firm_b      member      no_delete
    #                                                              client      no_write    owner
    ("GET", "/api/v1/logins"):                           Row(200,  200,  200,  200,  200,  200),
    ("GET", "/api/v1/personal-access-tokens"):           Row(200,  200,  200,  200,  200,  200),
    # A token is the caller's own credential, not firm data: no write permission needed.
    ("POST", "/api/v1/personal-access-tokens"):          Row(201,  201,  201,  201,  201,  201),
    # Another user's token is invisible (404) to everyone but its owner.
    ("DELETE", "/api/v1/personal-access-tokens/{uuid}"): Row(404,  404,  404,  404,  404,  204),
    # Accounts: staff write clients; owners and admins write staff (the body is an employee).
    ("GET", "/api/v1/account"):                          Row(200,  200,  200,  200,  200,  200),
    ("POST", "/api/v1/account"):                         Row(201,  403,  403,  403,  201,  201),
    ("GET", "/api/v1/account/{uuid}"):                   Row(404,  404,  200,  200,  200,  200),
    ("PUT", "/api/v1/account/{uuid}"):                   Row(404,  404,  403,  403,  200,  200),
    ("DELETE", "/api/v1/account/{uuid}"):                Row(404,  404,  403,  403,  403,  204),
    ("GET", "/api/v1/client"):                           Row(200,  200,  200,  200,  200,  200),
    ("POST", "/api/v1/client"):                          Row(201,  403,  201,  403,  201,  201),
    ("GET", "/api/v1/client/{uuid}"):                    Row(404,  404,  404,  200,  200,  200),
    ("PUT", "/api/v1/client/{uuid}"):                    Row(404,  404,  404,  403,  200,  200),
    ("DELETE", "/api/v1/client/{uuid}"):                 Row(404,  404,  404,  403,  403,  204),
    # An account's logins: owners and admins (the employee is invisible to the client).
    ("GET", "/api/v1/account/{account_uuid}/login"):     Row(404,  404,  403,  200,  200,  200),
    ("POST", "/api/v1/account/{account_uuid}/login"):    Row(404,  404,  403,  403,  201,  201),
    ("PUT", "/api/v1/account/{account_uuid}/login/{uuid}"):
                                                         Row(404,  404,  403,  403,  200,  200),
    ("POST", "/api/v1/account/{account_uuid}/login/{login_uuid}/expire"):
                                                         Row(404,  404,  403,  403,  200,  200),
    # A shared client's owners: staff write; the member does not reach the client.
    ("POST", "/api/v1/client/{client_uuid}/owners"):     Row(404,  404,  404,  403,  200,  200),
    # Circles: staff write. The body's clients are invisible to the member and to firm B:
    # a reference to a record the caller cannot see is a 422, like one that does not exist.
    ("GET", "/api/v1/circles"):                          Row(200,  200,  200,  200,  200,  200),
    ("POST", "/api/v1/circles"):                         Row(422,  403,  422,  403,  201,  201),
    ("GET", "/api/v1/circles/{uuid}"):                   Row(404,  404,  404,  200,  200,  200),
    ("PUT", "/api/v1/circles/{uuid}"):                   Row(404,  404,  404,  403,  200,  200),
    ("DELETE", "/api/v1/circles/{uuid}"):                Row(404,  404,  404,  403,  403,  204),
    # Groups: staff see every group; owners and admins write.
    ("GET", "/api/v1/group"):                            Row(200,  200,  200,  200,  200,  200),
    ("POST", "/api/v1/group"):                           Row(422,  403,  403,  403,  201,  201),
    ("GET", "/api/v1/group/{uuid}"):                     Row(404,  404,  200,  200,  200,  200),
    ("PUT", "/api/v1/group/{uuid}"):                     Row(404,  404,  403,  403,  200,  200),
    ("DELETE", "/api/v1/group/{uuid}"):                  Row(404,  404,  403,  403,  403,  204),
    ("POST", "/api/v1/group/{group_uuid}/participants"): Row(404,  404,  403,  403,  200,  200),
    # Goals: any login with write permission; the owner client is invisible to the
    # client caller, the member and firm B (422 in the body, 404 in the path).
    ("GET", "/api/v2/goals"):                            Row(200,  200,  200,  200,  200,  200),
    ("POST", "/api/v2/goals"):                           Row(422,  422,  422,  403,  201,  201),
    ("GET", "/api/v2/goals/{uuid}"):                     Row(404,  404,  404,  200,  200,  200),
    ("PUT", "/api/v2/goals/{uuid}"):                     Row(404,  404,  404,  403,  200,  200),
    ("DELETE", "/api/v2/goals/{uuid}"):                  Row(404,  404,  404,  403,  403,  204),
    ("GET", "/api/v1/client/{client_uuid}/goal"):        Row(404,  404,  404,  200,  200,  200),
    ("GET", "/api/v1/client/{client_uuid}/goal/{uuid}"): Row(404,  404,  404,  200,  200,  200),
    ("PUT", "/api/v1/client/{client_uuid}/goal/{uuid}"): Row(404,  404,  404,  403,  200,  200),
    # Task statuses and custom fields: the whole firm reads; owners and admins write.
    ("GET", "/api/v1/task-status"):                      Row(200,  200,  200,  200,  200,  200),
    ("POST", "/api/v1/task-status"):                     Row(201,  403,  403,  403,  201,  201),
    ("GET", "/api/v1/task-status/{uuid}"):               Row(404,  200,  200,  200,  200,  200),
    ("PUT", "/api/v1/task-status/{uuid}"):               Row(404,  403,  403,  403,  200,  200),
    ("DELETE", "/api/v1/task-status/{uuid}"):            Row(404,  403,  403,  403,  403,  204),
    ("GET", "/api/v1/custom-field"):                     Row(200,  200,  200,  200,  200,  200),
    ("POST", "/api/v1/custom-field"):                    Row(201,  403,  403,  403,  201,  201),
    ("GET", "/api/v1/custom-field/{uuid}"):              Row(404,  200,  200,  200,  200,  200),
    ("PUT", "/api/v1/custom-field/{uuid}"):              Row(404,  403,  403,  403,  200,  200),
    ("DELETE", "/api/v1/custom-field/{uuid}"):           Row(404,  403,  403,  403,  403,  204),
    # Cases and plans: staff write; the client is invisible to the member and firm B.
    ("GET", "/api/v1/cases"):                            Row(200,  200,  200,  200,  200,  200),
    ("POST", "/api/v1/cases"):                           Row(422,  403,  422,  403,  201,  201),
    ("GET", "/api/v1/cases/{uuid}"):                     Row(404,  404,  404,  200,  200,  200),
    ("PUT", "/api/v1/cases/{uuid}"):                     Row(404,  404,  404,  403,  200,  200),
    ("DELETE", "/api/v1/cases/{uuid}"):                  Row(404,  404,  404,  403,  403,  204),
    # Case statuses, case types and client statuses: the whole firm reads; managers write.
    ("GET", "/api/v1/cases-status"):                     Row(200,  200,  200,  200,  200,  200),
    ("POST", "/api/v1/cases-status"):                    Row(201,  403,  403,  403,  201,  201),
    ("GET", "/api/v1/cases-status/{uuid}"):              Row(404,  200,  200,  200,  200,  200),
    ("PUT", "/api/v1/cases-status/{uuid}"):              Row(404,  403,  403,  403,  200,  200),
    ("DELETE", "/api/v1/cases-status/{uuid}"):           Row(404,  403,  403,  403,  403,  204),
    ("GET", "/api/v1/cases-type"):                       Row(200,  200,  200,  200,  200,  200),
    ("POST", "/api/v1/cases-type"):                      Row(201,  403,  403,  403,  201,  201),
    ("GET", "/api/v1/cases-type/{uuid}"):                Row(404,  200,  200,  200,  200,  200),
    ("PUT", "/api/v1/cases-type/{uuid}"):                Row(404,  403,  403,  403,  200,  200),
    ("DELETE", "/api/v1/cases-type/{uuid}"):             Row(404,  403,  403,  403,  403,  204),
    # The change feed: everyone reads their own firm's changes, filtered by what they see.
    ("GET", "/api/v1/changes"):                          Row(200,  200,  200,  200,  200,  200),
    # Webhook subscriptions: owners and admins only, reading as writing (secrets listed).
    ("GET", "/api/v2/webhook-subscriptions"):            Row(200,  403,  403,  200,  200,  200),
    ("POST", "/api/v2/webhook-subscriptions"):           Row(201,  403,  403,  403,  201,  201),
    ("GET", "/api/v2/webhook-subscriptions/{uuid}"):     Row(404,  403,  403,  200,  200,  200),
    ("PUT", "/api/v2/webhook-subscriptions/{uuid}"):     Row(404,  403,  403,  403,  200,  200),
    ("DELETE", "/api/v2/webhook-subscriptions/{uuid}"):  Row(404,  403,  403,  403,  403,  204),
    # A subscription's deliveries: managers read; sending one again is a write.
    ("GET", "/api/v2/webhook-subscriptions/{uuid}/deliveries"):
                                                         Row(404,  403,  403,  200,  200,  200),
    ("POST", "/api/v2/webhook-subscriptions/{uuid}/deliveries/{delivery_uuid}/redeliver"):
                                                         Row(404,  403,  403,  403,  202,  202),
    ("GET", "/api/v1/client-status"):                    Row(200,  200,  200,  200,  200,  200),
    ("POST", "/api/v1/client-status"):                   Row(201,  403,  403,  403,  201,  201),
    ("GET", "/api/v1/client-status/{uuid}"):             Row(404,  200,  200,  200,  200,  200),
    ("PUT", "/api/v1/client-status/{uuid}"):             Row(404,  403,  403,  403,  200,  200),
    ("DELETE", "/api/v1/client-status/{uuid}"):          Row(404,  403,  403,  403,  403,  204),
    # Life stages likewise (Plannr documents no delete).
    ("GET", "/api/v1/life-stage"):                       Row(200,  200,  200,  200,  200,  200),
    ("POST", "/api/v1/life-stage"):                      Row(201,  403,  403,  403,  201,  201),
    ("GET", "/api/v1/life-stage/{uuid}"):                Row(404,  200,  200,  200,  200,  200),
    ("PUT", "/api/v1/life-stage/{uuid}"):                Row(404,  403,  403,  403,  200,  200),
    # Introducers are external accounts: owners and admins make them; the group is A's.
    ("POST", "/api/v1/introducer"):                      Row(422,  403,  403,  403,  201,  201),
    ("GET", "/api/v1/plans"):                            Row(200,  200,  200,  200,  200,  200),
    ("POST", "/api/v1/plans"):                           Row(422,  403,  422,  403,  201,  201),
    ("GET", "/api/v1/plans/{uuid}"):                     Row(404,  404,  404,  200,  200,  200),
    ("PUT", "/api/v1/plans/{uuid}"):                     Row(404,  404,  404,  403,  200,  200),
    ("DELETE", "/api/v1/plans/{uuid}"):                  Row(404,  404,  404,  403,  403,  204),
    # Tags: the firm's staff read them all (others an empty list); staff with write
    # permission tag what they see. The body tags A's client, which the member does not
    # reach and firm B does not have (422, as an unknown record).
    ("GET", "/api/v1/tag"):                              Row(200,  200,  200,  200,  200,  200),
    ("POST", "/api/v1/tag"):                             Row(422,  403,  422,  403,  200,  200),
    # Tasks: staff write, clients never; the task is on a client and in a group the
    # member does not reach, and not assigned to the client caller.
    ("GET", "/api/v1/task"):                             Row(200,  200,  200,  200,  200,  200),
    ("POST", "/api/v1/task"):                            Row(422,  403,  422,  403,  201,  201),
    ("GET", "/api/v1/task/{uuid}"):                      Row(404,  404,  404,  200,  200,  200),
    ("PUT", "/api/v1/task/{uuid}"):                      Row(404,  404,  404,  403,  200,  200),
    ("DELETE", "/api/v1/task/{uuid}"):                   Row(404,  404,  404,  403,  403,  204),
    ("PATCH", "/api/v1/task/{uuid}/complete"):           Row(404,  404,  404,  403,  200,  200),
    ("PATCH", "/api/v1/task/{uuid}/uncomplete/{task_status_uuid}"):
                                                         Row(404,  404,  404,  403,  200,  200),
}
# fmt: on

# Uniform on every route: any token problem is 401 before anything else is looked at.
TOKEN_PROBLEMS = ("no_token", "malformed_token", "revoked_token", "expired_token")
LOGINS = ("GET", "/api/v1/logins")  # the one route that needs no acting account


def expected_statuses(route: tuple[str, str]) -> dict[str, int]:
    """Every caller's expected status on a route, in sweep order (the owner last)."""
    uniform = dict.fromkeys(TOKEN_PROBLEMS, 401)
    # Naming an account without a login is 403 on every route but /logins, which ignores
    # the acting-account header.
    foreign = {"foreign_account": 200 if route == LOGINS else 403}
    return {**uniform, **foreign, **TABLE[route]._asdict()}


# Public routes, outside the sweep by design (asserted below to be exactly these).
PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/avatar.svg"),
    ("GET", "/api/v1/static/nationalities"),
}
# FastAPI's documentation routes: not in the OpenAPI document at all.
DOCS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
# The operators' scrape endpoint: not part of the API (its own token, see test_metrics).
OPERATIONS = {"/metrics"}

# (method, path, caller) -> why the server answers otherwise. Each such row asserts the
# status the spec implies and is marked xfail(strict=True) until the server is fixed.
KNOWN_BUGS: dict[tuple[str, str, str], str] = {}

MESSAGES = {
    401: "Unauthenticated.",
    403: "This action is unauthorized.",
    404: "Not found.",
}
# The 403 of an acting-account header that names no account the token may act as.
FOREIGN_ACCOUNT = "The X-PLANNR-ACCOUNT-UUID header does not name an account this token may act as."


def _cases() -> list[Any]:
    cases = []
    for method, path in TABLE:
        for caller, status in expected_statuses((method, path)).items():
            reason = KNOWN_BUGS.get((method, path, caller))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(
                pytest.param(
                    method, path, caller, status, marks=marks, id=f"{method} {path} {caller}"
                )
            )
    return cases


CASES = _cases()
CALLERS = list(expected_statuses(LOGINS))


# The sweep calls from an address of its own: its 4 x 58 bad-token requests spend their
# address's rate-limit budget, which other modules calling in the same minute must not
# have spent already (and which the sweep must not spend for them).
SWEEP_ADDRESS = ("198.51.100.7", 4321)


@pytest.fixture(scope="module")
async def sweep(app: FastAPI) -> AsyncIterator[Sweep]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=SWEEP_ADDRESS)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield await build_sweep(app, http)


def operations(app: FastAPI) -> set[tuple[str, str]]:
    paths: dict[str, dict[str, Any]] = app.openapi()["paths"]
    return {(method.upper(), path) for path, item in paths.items() for method in item}


def test_the_sweep_covers_every_route_of_the_openapi_document(app: FastAPI, sweep: Sweep) -> None:
    ops = operations(app)
    assert ops - set(TABLE) == PUBLIC, "a route without a row in TABLE (or a stale skip)"
    assert set(TABLE) <= ops, "a row in TABLE for a route the app no longer has"
    assert list(sweep.credentials) == CALLERS
    assert len(CASES) == len(TABLE) * len(CALLERS)


def test_only_docs_and_metrics_are_outside_the_openapi_document(app: FastAPI) -> None:
    hidden = {r.path for r in app.routes if isinstance(r, Route) and not r.include_in_schema}
    assert hidden == DOCS | OPERATIONS
    assert not (DOCS | OPERATIONS) & set(app.openapi()["paths"])


async def test_the_skipped_routes_are_public(sweep: Sweep) -> None:
    for method, path in sorted(PUBLIC):
        response = await sweep.http.request(method, path)
        assert response.status_code == 200, (path, response.text)


async def test_the_leak_check_would_see_a_leak(sweep: Sweep) -> None:
    """Control: each firm's owner reads its own records, and the responses contain the
    firm's canaries as the sweep matches them (so a leaked record would be seen)."""
    shows = [path for method, path in TABLE if method == "GET" and path.endswith("}")]
    for world in (sweep.a, sweep.b):
        own = {c.lower() for c in world.canaries}
        for path in shows:
            response = await world.owner.get(fill(path, world.records))
            assert response.status_code == 200, response.text
            text = response.text.lower()
            assert world.tag in text
            assert sum(c in text for c in own) >= 2, path


async def send(
    sweep: Sweep, method: str, path: str, credential: Credential, owner: bool
) -> httpx.Response:
    world = sweep.a
    records = world.records
    if method == "DELETE":
        records = world.doomed if owner else world.spare
    body = body_for(method, path, world)
    # A list answers with every item on one page, so a leaked row cannot hide on page 2.
    params = {"per_page": "500"} if method == "GET" and not path.endswith("}") else None
    return await sweep.http.request(
        method, fill(path, records), params=params, json=body, headers=credential.headers
    )


@pytest.mark.parametrize(("method", "path", "caller", "status"), CASES)
async def test_route(sweep: Sweep, method: str, path: str, caller: str, status: int) -> None:
    credential = sweep.credentials[caller]
    response = await send(sweep, method, path, credential, caller == "owner")
    assert response.status_code == status, response.text
    assert {"x-ratelimit-limit", "x-ratelimit-remaining"} <= set(response.headers)
    if caller == "foreign_account" and status == 403:
        assert response.json() == {"message": FOREIGN_ACCOUNT}
    elif status in MESSAGES:
        assert response.json() == {"message": MESSAGES[status]}
    elif status == 422:
        assert set(response.json()) == {"message", "errors"}
    text = response.text.lower()
    leaked = sorted(c for c in sweep.foreign_canaries(credential) if c in text)
    assert not leaked, f"the other firm's data reached {caller}: {leaked}"

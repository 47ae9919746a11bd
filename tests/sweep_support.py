"""The route sweep's fixtures: two firms with one record of every kind, the credentials
the sweep calls with, a valid body per write route and the path filler.

Every record of a firm is named with the firm's random tag, so the tag, the record UUIDs,
the account UUIDs and the firm UUID together are the firm's *canaries*: strings that must
never appear in a response to the other firm's caller."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from advisercrm.tables import personal_access_tokens
from tests.helpers import Actor, Firm, new_firm
from tests.webhooks.support import make_deliveries

TOKENS = "/api/v1/personal-access-tokens"
_names = itertools.count(1)


@dataclass
class World:
    """One firm's records. The sweep aims its requests at `records`, but its DELETE rows
    at a spare of the same kind: the owner's at `doomed`, everyone else's at `spare`. So
    no row depends on the order rows run in, and a delete that wrongly succeeds breaks no
    row but those of its own route."""

    firm: Firm
    tag: str
    records: dict[str, str] = field(default_factory=dict)
    spare: dict[str, str] = field(default_factory=dict)
    doomed: dict[str, str] = field(default_factory=dict)
    canaries: set[str] = field(default_factory=set)

    @property
    def owner(self) -> Actor:
        return self.firm.owner


async def build_world(firm: Firm, spares: bool) -> World:
    """A client (plus a second one for circles), an employee, a group holding the client,
    a circle, a goal, an open task status, a task custom field, a case, a plan, a task
    (the case, circle and task carry the group), an extra personal access token of the
    owner and a tag on the client; and when asked, the two spares of each for the DELETE
    rows."""
    world = World(firm, f"tag{secrets.token_hex(5)}")
    owner, tag = firm.owner, world.tag

    async def made(path: str, body: dict[str, Any]) -> str:
        return str((await owner.created(path, body))["uuid"])

    def person(label: str, **extra: Any) -> dict[str, Any]:
        return {
            "first_name": tag,
            "last_name": label,
            "email": f"{tag}-{label.lower()}@example.com",
            **extra,
        }

    async def one_of_each(p: str, into: dict[str, str]) -> None:
        """One record of each kind into `into`, named with the prefix `p`."""
        into["client"] = await made("/api/v1/client", person(f"{p}Client"))
        into["employee"] = await made(
            "/api/v1/account", person(f"{p}Staff", type="employee", role="member")
        )
        client = world.records["client"]
        into["group"] = await made(
            "/api/v1/group", {"name": f"{tag} {p}group", "participants": [client]}
        )
        group = world.records["group"]
        into["circle"] = await made(
            "/api/v1/circles",
            {
                "name": f"{tag} {p}circle",
                "account_uuids": [client, world.records["client2"]],
                "group_uuids": [group],
            },
        )
        into["goal"] = await made(
            "/api/v2/goals", {"name": f"{tag} {p}goal", "account_uuids": [client]}
        )
        into["status"] = await made("/api/v1/task-status", {"name": f"{tag} {p}status"})
        into["field"] = await made(
            "/api/v1/custom-field",
            {"type": "string", "name": f"{tag} {p}field", "model_type": "task"},
        )
        into["case_status"] = await made("/api/v1/cases-status", {"name": f"{tag} {p}cstatus"})
        into["case_type"] = await made("/api/v1/cases-type", {"name": f"{tag} {p}ctype"})
        into["client_status"] = await made("/api/v1/client-status", {"name": f"{tag} {p}lstatus"})
        into["life_stage"] = await made("/api/v1/life-stage", {"name": f"{tag} {p}stage"})
        into["plan"] = await made(
            "/api/v1/plans", {"name": f"{tag} {p}plan", "type": "pension", "accounts": [client]}
        )
        into["case"] = await made(
            "/api/v1/cases",
            {
                "name": f"{tag} {p}case",
                "participants": [client],
                "group_uuids": [group],
                "status": world.records["case_status"],
                "type": world.records["case_type"],
                "plans": [world.records["plan"]],
            },
        )
        # Before the task: its task.created is the subscription's delivery.
        into["subscription"] = await made(
            "/api/v2/webhook-subscriptions",
            {"url": f"https://93.184.215.14/{tag}/{p}hook", "events": ["task.created"]},
        )
        into["task"] = await made(
            "/api/v1/task",
            {
                "name": f"{tag} {p}task",
                "taskable_type": "client",
                "taskable_uuid": client,
                "task_status_uuid": world.records["status"],
                "group_uuids": [group],
            },
        )
        await make_deliveries(firm.app)
        deliveries = await owner.get(
            f"/api/v2/webhook-subscriptions/{into['subscription']}/deliveries"
        )
        into["delivery"] = deliveries.json()["data"][0]["uuid"]
        into["token"] = await made(TOKENS, {"name": f"{tag} {p}token", "password": firm.password})

    world.records["client2"] = await made("/api/v1/client", person("Second"))
    await one_of_each("", world.records)
    records = world.records
    # A shared client owned by the two, and a login of the employee's.
    records["joint"] = await made(
        "/api/v1/client",
        {
            "role": "joint",
            "name": f"{tag} Joint",
            "owner_uuids": [records["client"], records["client2"]],
        },
    )
    records["login"] = await made(f"/api/v1/account/{records['employee']}/login", person("Login"))
    # A tag of the firm's on its client, named with the firm's tag (a canary).
    labelled = await owner.post(
        "/api/v1/tag",
        json={
            "mode": "attach",
            "taggable_type": "account",
            "taggable_uuid": world.records["client"],
            "tags": [f"{tag} label"],
        },
    )
    world.records["tag"] = labelled.json()["data"][0]["uuid"]
    if spares:
        await one_of_each("spare", world.spare)
        await one_of_each("doomed", world.doomed)
    statuses = await owner.get("/api/v1/task-status", params={"per_page": "500"})
    world.canaries = {
        tag,
        firm.firm_uuid,
        owner.account_uuid,
        *world.records.values(),
        *world.spare.values(),
        *world.doomed.values(),
        *(s["uuid"] for s in statuses.json()["data"]),
    }
    return world


# The segment before a path parameter names the kind of record it takes.
KINDS = {
    "personal-access-tokens": "token",
    "account": "employee",
    "client": "client",
    "circles": "circle",
    "group": "group",
    "goals": "goal",
    "goal": "goal",
    "task-status": "status",
    "custom-field": "field",
    "cases": "case",
    "cases-status": "case_status",
    "cases-type": "case_type",
    "client-status": "client_status",
    "life-stage": "life_stage",
    "plans": "plan",
    "tag": "tag",
    "task": "task",
    "uncomplete": "status",  # .../uncomplete/{task_status_uuid}: an open status
    "login": "login",
    "webhook-subscriptions": "subscription",
    "deliveries": "delivery",
}
# Routes whose record is of a narrower kind than their segment says.
PATH_KINDS = {"/api/v1/client/{client_uuid}/owners": {"client": "joint"}}
PARAMETER = re.compile(r"([^/]+)/\{[a-z_]+\}")


def fill(path: str, records: dict[str, str]) -> str:
    """The path with every parameter replaced by the UUID of a record of its kind."""
    kinds = KINDS | PATH_KINDS.get(path, {})
    return PARAMETER.sub(lambda m: f"{m[1]}/{records[kinds[m[1]]]}", path)


def _name(label: str) -> str:
    return f"Sweep {label} {next(_names)}"


# A valid body for every POST route (each call gives fresh names, so creating twice never
# collides on a unique name). Bodies refer to firm A's records only by UUID and carry no
# names of A's, so a copy that firm B's caller sends cannot echo A's data back.
POST_BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    TOKENS: lambda w: {"name": _name("token"), "password": w.firm.password},
    "/api/v1/account": lambda w: {
        "type": "employee",
        "role": "member",
        "first_name": "Sweep",
        "last_name": _name("staff"),
    },
    "/api/v1/client": lambda w: {"first_name": "Sweep", "last_name": _name("client")},
    "/api/v1/circles": lambda w: {
        "name": _name("circle"),
        "account_uuids": [w.records["client"], w.records["client2"]],
        "group_uuids": [w.records["group"]],
    },
    "/api/v1/group": lambda w: {"name": _name("group"), "participants": [w.records["client"]]},
    "/api/v2/goals": lambda w: {"name": _name("goal"), "account_uuids": [w.records["client"]]},
    "/api/v1/task-status": lambda w: {"name": _name("status")},
    "/api/v1/custom-field": lambda w: {
        "type": "string",
        "name": _name("field"),
        "model_type": "task",
    },
    "/api/v1/cases": lambda w: {
        "name": _name("case"),
        "participants": [w.records["client"]],
        "group_uuids": [w.records["group"]],
        "status": w.records["case_status"],
        "type": w.records["case_type"],
        "plans": [w.records["plan"]],
    },
    "/api/v1/cases-status": lambda w: {"name": _name("case status")},
    "/api/v1/cases-type": lambda w: {"name": _name("case type")},
    "/api/v1/client-status": lambda w: {"name": _name("client status")},
    "/api/v1/life-stage": lambda w: {"name": _name("life stage"), "start_age": 21, "end_age": 28},
    "/api/v1/introducer": lambda w: {
        "first_name": "Sweep",
        "last_name": _name("introducer"),
        "groups": [w.records["group"]],
    },
    "/api/v1/plans": lambda w: {
        "name": _name("plan"),
        "type": "pension",
        "accounts": [w.records["client"]],
    },
    "/api/v1/tag": lambda w: {
        "mode": "attach",
        "taggable_type": "account",
        "taggable_uuid": w.records["client"],
        "tags": [_name("tag")],
    },
    "/api/v1/task": lambda w: {
        "name": _name("task"),
        "taskable_type": "client",
        "taskable_uuid": w.records["client"],
        "task_status_uuid": w.records["status"],
        "group_uuids": [w.records["group"]],
    },
    "/api/v1/account/{account_uuid}/login": lambda w: {
        "first_name": "Sweep",
        "last_name": "Login",
        "email": f"sweep-login-{next(_names)}-{secrets.token_hex(3)}@example.com",
    },
    "/api/v1/account/{account_uuid}/login/{login_uuid}/expire": lambda w: {},
    "/api/v1/client/{client_uuid}/owners": lambda w: {
        "mode": "sync",
        "owners": [w.records["client"], w.records["client2"]],
    },
    "/api/v1/group/{group_uuid}/participants": lambda w: {"participants": [w.records["client"]]},
    "/api/v2/webhook-subscriptions": lambda w: {
        "url": f"https://93.184.215.14/sweep/{next(_names)}",
        "events": ["goal.created"],
    },
    "/api/v2/webhook-subscriptions/{uuid}/deliveries/{delivery_uuid}/redeliver": lambda w: {},
}
# A valid body for the PUT routes whose fields are not all optional.
PUT_BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "/api/v1/life-stage/{uuid}": lambda w: {"name": _name("life stage")},
    "/api/v1/account/{account_uuid}/login/{uuid}": lambda w: {
        "has_write_permission": True,
        "has_delete_permission": True,
        "wealth_enabled": False,
        "goals_enabled": True,
        "factfind_enabled": False,
        "tasks_enabled": True,
    },
}


def body_for(method: str, path: str, world: World) -> dict[str, Any] | None:
    """POST: the route's valid body; PUT: its valid body, or {} where every update field
    is optional; else none."""
    if method == "POST":
        return POST_BODIES[path](world)
    return PUT_BODIES.get(path, lambda w: {})(world) if method == "PUT" else None


@dataclass
class Credential:
    """How a row calls: the headers sent, and which firm's caller it counts as."""

    headers: dict[str, str]
    firm: str  # "A" or "B"


@dataclass
class Sweep:
    http: httpx.AsyncClient
    a: World
    b: World
    credentials: dict[str, Credential]

    def foreign_canaries(self, credential: Credential) -> set[str]:
        """What a response to this caller must never contain: the other firm's data."""
        return {c.lower() for c in (self.b if credential.firm == "A" else self.a).canaries}


def _headers(token: str | None, account_uuid: str) -> dict[str, str]:
    headers = {"X-PLANNR-ACCOUNT-UUID": account_uuid}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return headers


async def _owner_token(world: World, name: str) -> dict[str, Any]:
    return await world.owner.created(TOKENS, {"name": name, "password": world.firm.password})


async def build_sweep(app: FastAPI, http: httpx.AsyncClient) -> Sweep:
    a = await build_world(await new_firm(app, http), spares=True)
    b = await build_world(await new_firm(app, http), spares=False)
    owner = a.owner

    revoked = await _owner_token(a, "revoked")
    response = await owner.delete(f"{TOKENS}/{revoked['uuid']}")
    assert response.status_code == 204, response.text
    expired = await _owner_token(a, "expired")
    async with app.state.engine.begin() as conn:
        await conn.execute(
            update(personal_access_tokens)
            .where(personal_access_tokens.c.uuid == expired["uuid"])
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
        )

    unscoped = await _owner_token(a, "unscoped")  # may act as any account it has a login for
    client = await a.firm.actor(type="client", role="individual")
    member = await a.firm.actor(role="member")  # in none of the groups the records carry
    no_write = await a.firm.actor(role="admin", write=False, delete=False)
    no_delete = await a.firm.actor(role="admin", write=True, delete=False)
    a.canaries |= {x.account_uuid for x in (client, member, no_write, no_delete)}

    mine = owner.account_uuid

    def as_actor(actor: Actor) -> Credential:
        return Credential(actor.headers, "A")

    credentials = {
        "no_token": Credential(_headers(None, mine), "A"),
        "malformed_token": Credential(_headers("this is not a token", mine), "A"),
        "revoked_token": Credential(_headers(revoked["token"], mine), "A"),
        "expired_token": Credential(_headers(expired["token"], mine), "A"),
        # The owner's valid (unscoped) token acting as an account it has no login for.
        "foreign_account": Credential(_headers(unscoped["token"], a.records["client"]), "A"),
        # Firm B's owner acting as itself, aimed at firm A's records.
        "firm_b": Credential(b.owner.headers, "B"),
        "client": as_actor(client),
        "member": as_actor(member),
        "no_write": as_actor(no_write),
        "no_delete": as_actor(no_delete),
        "owner": as_actor(owner),
    }
    return Sweep(http, a, b, credentials)

"""Helpers for tests: actors that call the API, and factories that create records
through the API itself (so every fixture obeys the rules under test)."""

from __future__ import annotations

import asyncio
import itertools
import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select, text

from advisercrm.auth.cache import CHANNEL, AuthCache
from advisercrm.auth.service import issue_token
from advisercrm.firms.service import add_person, create_firm
from advisercrm.tables import accounts

_counter = itertools.count(1)


@dataclass
class Actor:
    """Someone calling the API: a token and the account it acts as."""

    client: httpx.AsyncClient
    token: str
    account_uuid: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "X-PLANNR-ACCOUNT-UUID": self.account_uuid}

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return await self.client.request(method, path, headers=headers, **kwargs)

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", path, json=json, **kwargs)

    async def put(self, path: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        return await self.request("PUT", path, json=json, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", path, **kwargs)

    async def created(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.post(path, body)
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()
        return data


@dataclass
class Firm:
    app: FastAPI
    client: httpx.AsyncClient
    firm_id: int
    firm_uuid: str
    owner: Actor
    password: str
    emails: list[str] = field(default_factory=list)

    async def client_account(self, **overrides: Any) -> dict[str, Any]:
        n = next(_counter)
        body = {
            "first_name": f"Client{n}",
            "last_name": "Tester",
            "email": f"c{n}@example.com",
            **overrides,
        }
        return await self.owner.created("/api/v1/client", body)

    async def circle(self, account_uuids: list[str], **overrides: Any) -> dict[str, Any]:
        body = {"name": f"Household {next(_counter)}", "account_uuids": account_uuids, **overrides}
        return await self.owner.created("/api/v1/circles", body)

    async def group(self, participants: list[str], **overrides: Any) -> dict[str, Any]:
        body = {"name": f"Group {next(_counter)}", "participants": participants, **overrides}
        return await self.owner.created("/api/v1/group", body)

    async def goal(self, account_uuids: list[str], **overrides: Any) -> dict[str, Any]:
        body = {"account_uuids": account_uuids, "name": f"Goal {next(_counter)}", **overrides}
        return await self.owner.created("/api/v2/goals", body)

    async def actor(
        self,
        type: str = "employee",
        role: str = "member",
        write: bool = True,
        delete: bool = True,
        **extra: Any,
    ) -> Actor:
        """A new account of this firm with a login and a token of its own."""
        n = next(_counter)
        email = f"user{n}-{secrets.token_hex(3)}@example.com"
        names = {"first_name": f"Person{n}", "last_name": "Tester"}
        async with self.app.state.engine.begin() as conn:
            person = await add_person(
                conn,
                self.firm_id,
                {"type": type, "role": role, **names, **extra},
                email,
                self.password,
                write,
                delete,
            )
            token, _ = await issue_token(conn, person.user_id, "test", self.app.state.secret_key)
        return Actor(self.client, token, person.account_uuid)

    async def ids_seen(self, viewer: Actor, query: Any) -> set[int]:
        """The ids a statement built for a stand-in viewer (`auth.principal.template`)
        finds when run for this one."""
        params = {
            "viewer_firm_id": self.firm_id,
            "viewer_id": await self.account_id(viewer.account_uuid),
        }
        async with self.app.state.engine.connect() as conn:
            return {int(row[0]) for row in await conn.execute(query, params)}

    async def account_id(self, account_uuid: str) -> int:
        async with self.app.state.engine.connect() as conn:
            query = select(accounts.c.id).where(
                accounts.c.firm_id == self.firm_id, accounts.c.uuid == account_uuid
            )
            return int((await conn.execute(query)).scalar_one())


async def new_firm(app: FastAPI, client: httpx.AsyncClient) -> Firm:
    password = "correct horse battery staple"
    email = f"owner-{secrets.token_hex(4)}@example.com"
    async with app.state.engine.begin() as conn:
        made = await create_firm(
            conn, app.state.secret_key, f"Firm {next(_counter)}", email, password
        )
    owner = Actor(client, made["token"], made["account_uuid"])
    return Firm(app, client, made["firm_id"], made["firm_uuid"], owner, password, [email])


async def auth_listening(app: FastAPI) -> AuthCache:
    """The app's token cache, once it listens (until then it keeps nothing)."""
    cache: AuthCache = app.state.auth_cache
    for _ in range(10_000):
        if cache.listening:
            return cache
        await asyncio.sleep(0.001)
    raise AssertionError("the auth cache never started listening")


async def auth_settled(app: FastAPI) -> None:
    """Wait until the app's token cache has had the notifications of every change
    committed so far: they arrive in commit order, so a marker sent now comes after them.
    (A change made outside a request is seen a moment after its commit.)"""
    cache = await auth_listening(app)
    marker = f"marker-{secrets.token_hex(4)}"
    async with app.state.engine.begin() as conn:
        await conn.execute(
            text("SELECT pg_notify(:channel, :marker)"), {"channel": CHANNEL, "marker": marker}
        )
    for _ in range(10_000):
        if cache.last_notice == marker:
            return
        await asyncio.sleep(0.001)
    raise AssertionError("the auth cache never got its marker")

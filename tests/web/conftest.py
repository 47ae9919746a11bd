"""A browser's view of the workspace in process: an httpx client with a cookie jar, on
an address of its own (the sign-in throttle counts failures per address, so tests must
not share one), that does not follow redirects."""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

_addresses = itertools.count(1)
CSRF = re.compile(r'name="_token" value="([0-9a-f]+)"')


class Browser:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def csrf(self, path: str) -> str:
        page = await self.http.get(path)
        assert page.status_code == 200, page.text
        found = CSRF.search(page.text)
        assert found, page.text
        return found.group(1)

    async def sign_in(self, email: str, password: str, next_path: str = "") -> httpx.Response:
        token = await self.csrf("/login")
        form = {"_token": token, "email": email, "password": password, "next": next_path}
        return await self.http.post("/login", data=form)


def new_browser(app: FastAPI, scheme: str = "http") -> httpx.AsyncClient:
    n = next(_addresses)
    address = (f"10.77.{n // 250}.{n % 250 + 1}", 40000)
    transport = httpx.ASGITransport(app=app, client=address, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url=f"{scheme}://test")


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[Browser]:
    async with new_browser(app) as http:
        yield Browser(http)

"""The webhook client's network backend answers "has the receiver closed this kept-alive
connection?" from the socket, as httpcore's own does: a connection the receiver closed
is not reused, and the next delivery opens a new one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from advisercrm.webhooks import transport
from advisercrm.webhooks.backend import Backend
from advisercrm.webhooks.http import post

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
TIMEOUT = httpx.Timeout(5.0)


class Receiver:
    """Answers 200 to each request; `drop()` closes every connection it holds."""

    def __init__(self) -> None:
        self.writers: list[asyncio.StreamWriter] = []
        self.connections = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        while True:  # until the client closes: readuntil then raises IncompleteReadError
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            writer.write(OK)
            await writer.drain()

    async def drop(self) -> None:
        for writer in self.writers:
            writer.close()
        self.writers.clear()
        await asyncio.sleep(0.05)  # the FIN reaches the client's socket


@pytest.fixture
async def receiver(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[Receiver, int]]:
    monkeypatch.setenv("ADVISERCRM_WEBHOOK_ALLOW_PRIVATE", "1")
    found = Receiver()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            await found.serve(reader, writer)

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield found, port
    server.close()


async def test_an_open_connection_is_not_readable_until_its_receiver_closes_it(
    receiver: tuple[Receiver, int],
) -> None:
    found, port = receiver
    stream = await Backend().connect_tcp("127.0.0.1", port, timeout=5)
    await asyncio.sleep(0.05)
    assert stream.get_extra_info("is_readable") is False
    assert stream.get_extra_info("socket") is not None
    await found.drop()
    assert stream.get_extra_info("is_readable") is True
    await stream.aclose()


async def test_a_kept_connection_is_reused_and_one_closed_by_the_receiver_is_not(
    receiver: tuple[Receiver, int],
) -> None:
    found, port = receiver
    url = f"http://127.0.0.1:{port}/hook"
    async with transport.client() as client:
        for _ in range(3):
            assert (await post(client, url, b"{}", {}, TIMEOUT)).status == 200
        assert found.connections == 1
        await found.drop()
        assert (await post(client, url, b"{}", {}, TIMEOUT)).status == 200
        assert found.connections == 2


async def test_deliveries_are_not_logged_one_line_each(
    receiver: tuple[Receiver, int], caplog: pytest.LogCaptureFixture
) -> None:
    _, port = receiver
    caplog.set_level(logging.INFO)
    async with transport.client() as client:
        url = f"http://127.0.0.1:{port}/hook?token=s3cret"
        attempt = await post(client, url, b"{}", {}, TIMEOUT)
    assert attempt.error is None
    assert [r.getMessage() for r in caplog.records if "s3cret" in r.getMessage()] == []

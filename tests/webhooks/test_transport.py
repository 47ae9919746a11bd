"""The delivery client: a host that resolves to a non-public address is refused before any
connection, unless private targets are allowed; the connection goes to the address that was
checked, with the url's Host; a redirect is answered, not followed. A real HTTP server on
the loopback receives what gets through."""

from __future__ import annotations

import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from advisercrm.webhooks import safety, transport
from advisercrm.webhooks.transport import TargetRefused

ALLOW = "ADVISERCRM_WEBHOOK_ALLOW_PRIVATE"


@dataclass
class Receiver:
    port: int
    family: int
    # The path and Host header of each request received.
    seen: list[tuple[str, str]] = field(default_factory=list)


def _serve(host: str, family: int, tls: ssl.SSLContext | None = None) -> Iterator[Receiver]:
    got = Receiver(0, family)

    class Server(ThreadingHTTPServer):
        address_family = family

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            got.seen.append((self.path, self.headers["Host"]))
            if self.path == "/moved":
                self.send_response(302)
                self.send_header("Location", f"http://127.0.0.1:{got.port}/target")
            else:
                self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = Server((host, 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    got.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield got
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from _serve("127.0.0.1", socket.AF_INET)


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.fixture
def receiver6() -> Iterator[Receiver]:
    if not _ipv6_loopback():
        pytest.skip("no IPv6 loopback here")
    yield from _serve("::1", socket.AF_INET6)


@pytest.fixture(autouse=True)
def private_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW, raising=False)


async def _post(url: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=transport.client()) as client:
        return await client.post(url, json={"event": "task.created"})


async def _refused(url: str) -> str:
    with pytest.raises(TargetRefused) as refused:
        await _post(url)
    return str(refused.value)


async def test_the_loopback_is_refused(receiver: Receiver) -> None:
    message = await _refused(f"http://127.0.0.1:{receiver.port}/hook")
    assert message == "host resolves to a non-public address 127.0.0.1"
    assert receiver.seen == []


async def test_the_ipv6_loopback_is_refused(receiver6: Receiver) -> None:
    message = await _refused(f"http://[::1]:{receiver6.port}/hook")
    assert message == "host resolves to a non-public address ::1"
    assert receiver6.seen == []


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "192.168.1.1",
        "172.16.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 - a target, not a binding
        "fd00::1",
        "fe80::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
    ],
)
async def test_private_and_link_local_literals_are_refused_before_connecting(
    address: str,
) -> None:
    host = f"[{address}]" if ":" in address else address
    message = await _refused(f"https://{host}/hook")
    prefix, shown = message.rsplit(" ", 1)
    assert prefix == "host resolves to a non-public address"
    # The address as written or in another notation (::ffff:a00:1 for ::ffff:10.0.0.1).
    assert ipaddress.ip_address(shown) == ipaddress.ip_address(address)


async def test_a_name_of_the_loopback_is_refused(receiver: Receiver) -> None:
    message = await _refused(f"http://localhost:{receiver.port}/hook")
    assert message.startswith("host resolves to a non-public address ")
    assert message.rsplit(" ", 1)[1] in ("127.0.0.1", "::1")
    assert receiver.seen == []


def _resolving(monkeypatch: pytest.MonkeyPatch, names: dict[str, list[str]]) -> list[str]:
    """Make these names resolve to these addresses; returns the names asked, in order."""
    asked: list[str] = []

    async def addresses(host: str) -> list[str] | None:
        asked.append(host)
        return names.get(host)

    monkeypatch.setattr(safety, "addresses", addresses)
    return asked


async def test_a_name_that_resolves_to_the_loopback_is_refused(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    _resolving(monkeypatch, {"hooks.example": ["127.0.0.1"]})
    message = await _refused(f"http://hooks.example:{receiver.port}/hook")
    assert message == "host resolves to a non-public address 127.0.0.1"
    assert receiver.seen == []


async def test_one_private_address_among_public_ones_is_enough_to_refuse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _resolving(monkeypatch, {"hooks.example": ["93.184.215.14", "10.0.0.7"]})
    message = await _refused("https://hooks.example/hook")
    assert message == "host resolves to a non-public address 10.0.0.7"


async def test_a_name_that_does_not_resolve_fails_to_connect(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _resolving(monkeypatch, {})
    with pytest.raises(httpx.ConnectError) as failed:
        await _post("https://nowhere.example/hook")
    assert str(failed.value) == "host nowhere.example could not be resolved"
    assert not isinstance(failed.value, TargetRefused)


async def test_the_connection_goes_to_the_address_checked_with_the_urls_host(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The loopback stands in for a public address: the name resolves once, to it, and
    # the request reaches it with the name as its Host (the system resolver knows no
    # such name, so nothing else could have connected).
    asked = _resolving(monkeypatch, {"hooks.example": ["127.0.0.1"]})
    monkeypatch.setattr(safety, "public", lambda address: True)
    response = await _post(f"http://hooks.example:{receiver.port}/hook")
    assert (response.status_code, response.text) == (200, "ok")
    assert receiver.seen == [("/hook", f"hooks.example:{receiver.port}")]
    assert asked == ["hooks.example"]
    assert str(response.request.url) == f"http://hooks.example:{receiver.port}/hook"


async def test_with_private_targets_allowed_the_loopback_receives(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOW, "1")
    response = await _post(f"http://localhost:{receiver.port}/hook")
    assert (response.status_code, response.text) == (200, "ok")
    assert receiver.seen == [("/hook", f"localhost:{receiver.port}")]


async def test_a_redirect_is_answered_not_followed(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOW, "1")
    response = await _post(f"http://127.0.0.1:{receiver.port}/moved")
    assert response.status_code == 302
    assert response.headers["Location"] == f"http://127.0.0.1:{receiver.port}/target"
    assert receiver.seen == [("/moved", f"127.0.0.1:{receiver.port}")]


def _certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for `name` and its key."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl here to make a certificate")
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={name}",
            "-addext",
            f"subjectAltName=DNS:{name}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.parametrize(
    ("certified", "verified"), [("hooks.example", True), ("other.example", False)]
)
async def test_tls_checks_the_certificate_against_the_urls_name_not_the_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, certified: str, verified: bool
) -> None:
    # The connection goes to the checked address; the certificate must still name the
    # url's host (an address alone would verify against nothing this certificate holds).
    cert, key = _certificate(tmp_path, certified)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    trusted = ssl.create_default_context(cafile=str(cert))
    _resolving(monkeypatch, {"hooks.example": ["127.0.0.1"]})
    monkeypatch.setattr(safety, "public", lambda address: True)
    for receiver in _serve("127.0.0.1", socket.AF_INET, tls):
        url = f"https://hooks.example:{receiver.port}/hook"
        async with httpx.AsyncClient(
            transport=transport.CheckedTransport(verify=trusted)
        ) as client:
            if verified:
                response = await client.post(url, json={})
                assert (response.status_code, response.text) == (200, "ok")
                assert receiver.seen == [("/hook", f"hooks.example:{receiver.port}")]
            else:
                with pytest.raises(httpx.ConnectError, match="certificate verify failed"):
                    await client.post(url, json={})
                assert receiver.seen == []

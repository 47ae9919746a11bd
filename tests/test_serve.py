"""The supervisor's rules that need no process: the crash backoff, exit descriptions
and the port check."""

from __future__ import annotations

import socket

import pytest

from advisercrm.serve import Backoff, PortInUse, check_port, describe_exit


def test_a_worker_that_keeps_crashing_waits_longer_each_time_then_is_given_up() -> None:
    backoff = Backoff()
    delays = [backoff.delay(0, lived=1.0) for _ in range(8)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, None]


def test_a_crash_after_a_healthy_run_starts_a_new_count() -> None:
    backoff = Backoff()
    assert [backoff.delay(1, lived=1.0) for _ in range(3)] == [0.5, 1.0, 2.0]
    assert backoff.delay(1, lived=600.0) == 0.5
    assert backoff.delay(0, lived=1.0) == 0.5  # each worker has its own count


@pytest.mark.parametrize(
    ("code", "text"),
    [(-9, "was killed by SIGKILL"), (1, "exited with code 1"), (None, "exited")],
)
def test_exits_are_described(code: int | None, text: str) -> None:
    assert describe_exit(code) == text


def test_a_port_someone_listens_on_is_refused() -> None:
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(PortInUse) as raised:
            check_port("127.0.0.1", port)
        assert str(raised.value) == f"port {port} on 127.0.0.1 is already in use"
    check_port("127.0.0.1", port)  # free again


def test_an_unknown_host_is_refused() -> None:
    with pytest.raises(PortInUse, match=r"^cannot listen on no-such-host\.invalid: "):
        check_port("no-such-host.invalid", 8000)

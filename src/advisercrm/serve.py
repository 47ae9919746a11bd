"""`advisercrm serve`: Granian's process manager, made safe to stop and to crash.

- Workers die with the supervisor, even when it is killed with SIGKILL, so no orphan
  keeps serving the port (Linux's parent-death signal, set as each worker starts).
- Ctrl-C stops every worker once, through the supervisor, even a worker still starting
  (two stop signals could hang a worker, and one that landed during its start was lost);
  a worker that still runs after `KILL_TIMEOUT` seconds is killed.
- A worker that crashes is replaced after a growing delay; the server gives up only when
  one keeps crashing right after it starts (Granian's own rule gives up on the second
  crash within 5.5 seconds).
- A port that is already in use is refused before anything starts (Granian's listeners
  share ports, so a second server would otherwise start silently beside the first).
- The embedded PostgreSQL, when used, is restarted if it dies while serving.
- The webhook delivery worker (`advisercrm worker`) runs as a child process of the
  supervisor: one per server, whatever the number of workers; it outlives a worker's
  crash, is started again if it exits, and dies with the supervisor. A process, not a
  thread: Granian forks its workers from the supervisor, and a fork taken while a busy
  thread holds a lock (an import's, logging's) can leave the new worker hung.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import errno
import gc
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from granian.constants import Interfaces
from granian.log import LogLevels
from granian.server.mp import MPServer

from advisercrm import logs
from advisercrm.embedded import Embedded

log = logging.getLogger("advisercrm.serve")

KILL_TIMEOUT = 10
SUPERVISOR_PID = "ADVISERCRM_SUPERVISOR_PID"
WEBHOOKS_CHILD = "ADVISERCRM_WEBHOOKS_CHILD"  # set for the worker `serve` starts
PR_SET_PDEATHSIG = 1


class PortInUse(OSError):
    pass


def check_port(host: str, port: int) -> None:
    """Raise PortInUse when host:port cannot be bound by a listener of its own."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise PortInUse(f"cannot listen on {host}: {exc.strerror}") from exc
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # Without SO_REUSEPORT, the bind fails when any process is listening there, even
        # a Granian whose listeners would let a second Granian join them.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            reason = "already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise PortInUse(f"port {port} on {host} is {reason}") from exc


def worker_app() -> FastAPI:
    """The application inside a worker process (Granian's factory)."""
    die_with_supervisor()
    from advisercrm.app import create_app

    app = create_app()
    serve_app = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        _leave_interrupts_to_supervisor()
        async with serve_app(app) as state:
            _freeze_startup_objects()
            yield state

    app.router.lifespan_context = lifespan
    return app


def _freeze_startup_objects() -> None:
    """Leave the objects made at startup (modules, routes, compiled statements: about
    230,000) out of the collector's full passes. Each full pass stopped the worker for
    140-190 ms, every request it held waiting, a few times a minute under load."""
    gc.collect()
    gc.freeze()


def _leave_interrupts_to_supervisor() -> None:
    """Ignore SIGINT in a worker: the supervisor stops it with one SIGTERM.

    Ctrl-C sends SIGINT to the whole process group, so each worker got two stop signals,
    its own SIGINT and the supervisor's SIGTERM. When the second arrived after the first
    had stopped the worker's server, Granian's handler blocked for ever in the worker
    (seen with py-spy: the main thread inside `WorkerSignal.set`), and Ctrl-C hung.
    Granian installs the handler before the application starts, so it is removed here."""
    asyncio.get_running_loop().remove_signal_handler(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def background_priority() -> None:
    """Run this process only on CPU time no other process wants: Linux's SCHED_IDLE
    (elsewhere, the lowest nice). Beside `serve`'s workers on the same cores, webhook
    deliveries then take none of the requests' time; they catch up when a burst ends.
    (At niceness 10 and even 19 the worker still cut a burst of task creates by a fifth
    to a third on two cores.)"""
    if sys.platform == "linux":
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    else:
        os.nice(19)


def die_with_supervisor() -> None:
    if sys.platform != "linux":
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    # The supervisor may have died between the fork and the line above.
    if str(os.getppid()) != os.environ.get(SUPERVISOR_PID):
        os._exit(1)


@dataclass
class Backoff:
    """When to replace a crashed worker, and when to stop trying."""

    first_delay: float = 0.5
    max_delay: float = 30.0
    # A worker that lived this long was healthy: its crash starts a new count.
    healthy_after: float = 60.0
    # This many crashes in a row, each soon after a start, is a persistent failure.
    give_up_after: int = 8
    crashes: dict[int, int] = field(default_factory=dict)

    def delay(self, worker: int, lived: float) -> float | None:
        """Seconds to wait before replacing the worker, or None to give up."""
        count = 1 if lived >= self.healthy_after else self.crashes.get(worker, 0) + 1
        self.crashes[worker] = count
        if count >= self.give_up_after:
            return None
        return float(min(self.first_delay * 2 ** (count - 1), self.max_delay))


def describe_exit(code: int | None) -> str:
    if code is None:
        return "exited"
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"was killed by {signal.Signals(-code).name}"
    return f"exited with code {code}"


class Supervisor(MPServer):
    """Granian's process-per-worker server with a crash policy of its own: the one
    method replaced is its main loop."""

    backoff: Backoff
    gave_up = False
    deliverer: Deliverer | None = None

    def signal_handler_interrupt(self, *args: Any, **kwargs: Any) -> None:
        # A forked worker inherits this handler until Granian installs the worker's own,
        # once the application is loaded. Granian's version only sets a flag in the
        # worker's copy of the supervisor, so a Ctrl-C or a stop that landed while a
        # worker was starting was lost and that worker served on until it was killed.
        if os.getpid() != self.pid:
            os._exit(0)
        super().signal_handler_interrupt(*args, **kwargs)  # type: ignore[no-untyped-call]

    def _stop_workers(self) -> None:
        super()._stop_workers()  # type: ignore[no-untyped-call]
        # Granian exits 1 when any worker ended on its own; a worker that a Ctrl-C ended
        # while it was starting did not fail. Whether the server failed is `gave_up`.
        self.interrupt_children.clear()

    def shutdown(self, exit_code: int = 0) -> None:
        super().shutdown(exit_code or int(self.gave_up))  # type: ignore[no-untyped-call]

    def _deliverer_ended(self, due: dict[int, float]) -> None:
        """When the webhook worker has exited, time its start again (never giving up:
        the API does not depend on it)."""
        deliverer = self.deliverer
        code = deliverer.exit_code() if deliverer is not None else None
        if deliverer is None or code is None or Deliverer.KEY in due:
            return
        lived = time.monotonic() - deliverer.birth
        delay = self.backoff.delay(Deliverer.KEY, lived) or self.backoff.max_delay
        log.error("the webhook worker exited (%s); starting it again in %.1f s", code, delay)
        due[Deliverer.KEY] = time.monotonic() + delay

    def _serve_loop(self, spawn_target: Any, target_loader: Any) -> None:
        self.backoff = Backoff()
        due: dict[int, float] = {}
        while True:
            wait = max(0.0, min(due.values()) - time.monotonic()) if due else None
            self.main_loop_interrupt.wait(wait)
            self.main_loop_interrupt.clear()
            if self.interrupt_signal:
                return
            self._deliverer_ended(due)
            while self.interrupt_children:
                idx = self.interrupt_children.pop(0)
                worker = self.wrks[idx]
                how = describe_exit(worker.inner.exitcode)
                delay = self.backoff.delay(idx, time.monotonic() - worker.birth)
                if delay is None:
                    log.error(
                        "worker-%d %s %d times in a row soon after starting; stopping the "
                        "server (the worker's own log above says why)",
                        idx + 1, how, self.backoff.give_up_after,
                    )  # fmt: skip
                    self.gave_up = True
                    return
                log.warning("worker-%d %s; replacing it in %.1f s", idx + 1, how, delay)
                due[idx] = time.monotonic() + delay
            ready = [idx for idx, at in due.items() if at <= time.monotonic()]
            for idx in ready:
                del due[idx]
            if Deliverer.KEY in ready and self.deliverer is not None:
                ready.remove(Deliverer.KEY)
                self.deliverer.start()
            if ready:
                self._respawn_workers(ready, spawn_target, target_loader)
            if self.reload_signal:
                self._reload(spawn_target, target_loader)  # type: ignore[no-untyped-call]


def watch_embedded(server: Embedded, stop: threading.Event) -> None:
    """Restart the embedded PostgreSQL whenever it is found dead, until `stop`."""
    while not stop.wait(1.0):
        if server.postmaster_pid() is not None:
            continue
        log.error("the embedded PostgreSQL stopped unexpectedly; restarting it")
        delay = 0.5
        while not stop.is_set():
            try:
                server.restart()
            except Exception as exc:
                # Its old backends may still hold shared memory for a moment.
                log.warning("restarting PostgreSQL failed (%s); retrying in %.1f s", exc, delay)
                stop.wait(delay)
                delay = min(delay * 2, 10.0)
            else:
                log.warning("the embedded PostgreSQL is running again")
                break


class Deliverer:
    """`advisercrm worker` as a child process of the supervisor. Started (and started
    again) only from the supervisor's main thread, which is also the one Granian forks
    workers from: a worker forked while another thread is inside `subprocess.Popen`
    inherits the pipe Popen waits on, and that Popen then waits for the worker to end."""

    KEY = -1  # its place among the workers' indexes in the main loop's timers

    def __init__(self) -> None:
        self.child: subprocess.Popen[bytes] | None = None
        self.birth = 0.0

    def start(self) -> None:
        # A session of its own: a terminal's Ctrl-C reaches the supervisor, which stops it.
        self.child = subprocess.Popen(
            [sys.executable, "-m", "advisercrm", "worker"],
            env={**os.environ, WEBHOOKS_CHILD: "1"},
            start_new_session=True,
        )
        self.birth = time.monotonic()

    def exit_code(self) -> int | None:
        return None if self.child is None else self.child.poll()

    def watch(self, wake: threading.Event, stop: threading.Event) -> None:
        """Wake the main loop (`wake`) when the child ends, once per child, until `stop`."""
        told = None
        while not stop.wait(0.5):
            child = self.child
            if child is not None and child is not told and child.poll() is not None:
                told = child
                wake.set()

    def stop(self) -> None:
        if self.child is None or self.child.poll() is not None:
            return
        self.child.terminate()
        try:
            self.child.wait(KILL_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.child.kill()


def run(
    host: str,
    port: int,
    workers: int,
    level: str,
    embedded: Embedded | None,
    webhooks: bool = False,
) -> None:
    """Serve until stopped; raises SystemExit(1) when the workers keep failing. With
    `webhooks`, the webhook worker delivers meanwhile (from ADVISERCRM_DATABASE_URL)."""
    os.environ[SUPERVISOR_PID] = str(os.getpid())
    server = Supervisor(
        "advisercrm.serve:worker_app",
        factory=True,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        respawn_failed_workers=True,
        workers_kill_timeout=KILL_TIMEOUT,
        log_level=LogLevels(level.lower()),
        log_dictconfig=logs.dict_config(level),
    )
    stop = threading.Event()
    if embedded is not None:
        threading.Thread(target=watch_embedded, args=(embedded, stop), daemon=True).start()
    if webhooks:
        server.deliverer = Deliverer()
        server.deliverer.start()  # before Granian forks any worker
        watch = server.deliverer.watch
        threading.Thread(target=watch, args=(server.main_loop_interrupt, stop), daemon=True).start()
    try:
        server.serve()
    finally:
        stop.set()
        if server.deliverer is not None:
            server.deliverer.stop()

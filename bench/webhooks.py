"""The webhook scenario's two halves (S2W: S2 with a subscription on every event).

python bench/webhooks.py receive PORT_FILE RECEIPTS   a loopback receiver: answers 200
    to every POST and appends "<X-Webhook-Id> <unix time received>" to RECEIPTS; it
    writes its port to PORT_FILE once listening. Plain asyncio, so it costs the
    machine as little as a receiver can.
python bench/webhooks.py drain DB_URL SECONDS          wait until no delivery is pending
    or still to be made
python bench/webhooks.py lag DB_URL RECEIPTS OUT_JSON  delivery lag per event: receipt
    time minus the event's created_at (its transaction's start, so the lag is a little
    over commit-to-receipt), as percentiles.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"


class _Receiver(asyncio.Protocol):
    def __init__(self, out: list[str]) -> None:
        self.out, self.buffer = out, b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, _, rest = self.buffer.partition(b"\r\n\r\n")
            fields = dict(line.split(b":", 1) for line in head.split(b"\r\n")[1:] if b":" in line)
            headers = {k.strip().lower(): v.strip() for k, v in fields.items()}
            length = int(headers.get(b"content-length", b"0"))
            if len(rest) < length:
                return
            self.buffer = rest[length:]
            webhook_id = headers.get(b"x-webhook-id", b"-").decode()
            self.out.append(f"{webhook_id} {time.time():.6f}\n")
            self.transport.write(OK)


async def receive(port_file: str, receipts: str) -> None:
    out: list[str] = []
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stopped.set)
    server = await loop.create_server(lambda: _Receiver(out), "127.0.0.1", 0)
    # Blocking file writes in the loop are fine here: a few a second, nothing else waits.
    Path(port_file).write_text(str(server.sockets[0].getsockname()[1]))  # noqa: ASYNC240
    with open(receipts, "a") as sink:  # noqa: ASYNC230
        while not stopped.is_set():  # flush what arrived every half second, and at the end
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopped.wait(), 0.5)
            sink.writelines(out)
            sink.flush()
            out.clear()


async def drain(url: str, seconds: float) -> None:
    conn = await asyncpg.connect(url)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            # Deliveries pending, events the worker has not made deliveries of yet, and
            # events of subscribed firms still queued for their cursors.
            pending = await conn.fetchval(
                "SELECT (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending')"
                " + (SELECT coalesce(sum(c.last - s.fanned_through), 0)"
                "    FROM webhook_subscriptions AS s"
                "    JOIN event_counters AS c ON c.firm_id = s.firm_id)"
                " + (SELECT count(*) FROM event_queue AS q WHERE EXISTS"
                "    (SELECT FROM webhook_subscriptions AS s WHERE s.firm_id = q.firm_id))"
            )
            if pending == 0:
                return
            await asyncio.sleep(0.5)
        print(f"{pending} deliveries still pending after {seconds} s", file=sys.stderr)
    finally:
        await conn.close()


def receipts_of(path: str) -> dict[str, float]:
    received: dict[str, float] = {}
    for line in Path(path).read_text().splitlines():
        webhook_id, at = line.split()
        received.setdefault(webhook_id, float(at))  # the first receipt of a retried event
    return received


async def lag(url: str, received: dict[str, float]) -> dict[str, Any]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT uuid::text, extract(epoch FROM created_at)::float8 AS at"
            " FROM events WHERE uuid::text = ANY($1)",
            list(received),
        )
        failed = await conn.fetchval(
            "SELECT count(*) FROM webhook_deliveries WHERE status = 'failed'"
        )
    finally:
        await conn.close()
    lags = sorted(1000 * (received[r["uuid"]] - r["at"]) for r in rows)

    def pct(p: float) -> float | None:
        return round(lags[min(len(lags) - 1, int(p * len(lags)))], 1) if lags else None

    return {
        "delivered": len(lags),
        "failed": failed,
        "lag_p50_ms": pct(0.5),
        "lag_p99_ms": pct(0.99),
        "lag_max_ms": round(lags[-1], 1) if lags else None,
    }


def main() -> None:
    command, *args = sys.argv[1:]
    if command == "receive":
        asyncio.run(receive(*args))
    elif command == "drain":
        asyncio.run(drain(args[0], float(args[1])))
    elif command == "lag":
        result = asyncio.run(lag(args[0], receipts_of(args[1])))
        Path(args[2]).write_text(json.dumps(result, indent=1))
        print(f"RESULT webhooks {json.dumps(result)}")
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()

"""Capture the SQL the server sends for single requests, from PostgreSQL's own log.

For a moment `log_min_duration_statement = 0` (ALTER SYSTEM + pg_reload_conf), one
request is sent, and the new lines of the data directory's `log` file are parsed:
every `statement` (simple protocol: BEGIN, COMMIT) and `execute` (a prepared statement)
is one round trip, and so is every `parse` (a statement not yet in the connection's
cache costs an extra round trip to prepare it).

Writes OUT/capture.json (round trips and statements per request), one pgbench replay
script per write request (OUT/replay_*.sql, parameters as pgbench variables defined in
capture.json) and EXPLAIN ANALYZE of the statements of S3, S5, S6, S7 and S8 (OUT/explain_*.json).

Usage: python bench/capture.py DB_URL PGDATA SERVER_URL OUT
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
from dataset import bench_uuid

LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[(\d+)\] (\w+):  (.*)$")
DURATION = re.compile(r"duration: ([\d.]+) ms  (statement|parse|bind|execute)[^:]*: (.*)", re.S)
PARAM = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")
ROUND_TRIPS = ("statement", "execute", "parse")


@dataclass
class Entry:
    pid: int
    kind: str
    ms: float
    sql: str
    params: dict[int, str | None] = field(default_factory=dict)


def parse_log(text: str) -> list[Entry]:
    records: list[list[str]] = []
    for line in text.splitlines():
        if LINE.match(line):
            records.append([line])
        elif records:
            records[-1].append(line)
    entries: list[Entry] = []
    for record in records:
        head = LINE.match(record[0])
        assert head is not None
        pid, level, message = int(head[1]), head[2], "\n".join([head[3], *record[1:]])
        duration = DURATION.match(message) if level == "LOG" else None
        if duration:
            entries.append(Entry(pid, duration[2], float(duration[1]), duration[3].strip()))
        elif level == "DETAIL" and message.startswith("Parameters: "):
            mine = [e for e in entries if e.pid == pid]
            if mine:
                mine[-1].params = {
                    int(n): None if v == "NULL" else v[1:-1].replace("''", "'")
                    for n, v in PARAM.findall(message)
                }
    return entries


async def _log_all(url: str, on: bool) -> None:
    conn = await asyncpg.connect(url)
    try:
        setting = "SET log_min_duration_statement = 0" if on else "RESET log_min_duration_statement"
        await conn.execute(f"ALTER SYSTEM {setting}")
        await conn.execute("SELECT pg_reload_conf()")
    finally:
        await conn.close()


async def _request_pids(url: str) -> set[int]:
    """The server's request connections (the webhook worker and the token cache name
    theirs otherwise)."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'advisercrm'"
        )
    finally:
        await conn.close()
    return {row["pid"] for row in rows}


def send(base: str, headers: dict[str, str], method: str, path: str, body: str | None) -> Any:
    request = urllib.request.Request(  # noqa: S310 - our own server's http URL
        base + path, data=body.encode() if body else None, method=method, headers=headers
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


def capture_one(
    url: str, log: Path, base: str, headers: dict[str, str], req: tuple[str, str, str | None]
) -> tuple[list[Entry], Any]:
    """The statements of one request, sent a few times: the last capture with the fewest
    prepares, i.e. on a connection whose statement cache already holds them."""
    captures: list[tuple[list[Entry], Any]] = []
    asyncio.run(_log_all(url, True))
    try:
        for _ in range(6):
            start = log.stat().st_size
            answer = send(base, headers, *req)
            time.sleep(0.3)
            with log.open("rb") as handle:
                handle.seek(start)
                entries = parse_log(handle.read().decode("utf-8", "replace"))
            # The request's connection: one of the server's request connections (the
            # webhook worker may have sent statements meanwhile), the one that read the
            # token if the token was read.
            served = asyncio.run(_request_pids(url))
            entries = [e for e in entries if e.pid in served] or entries
            pids = {e.pid for e in entries if "FROM personal_access_tokens" in e.sql}
            pids = pids or {e.pid for e in entries}
            busiest = max(pids, key=lambda p: sum(e.pid == p for e in entries))
            captures.append(([e for e in entries if e.pid == busiest], answer))
    finally:
        asyncio.run(_log_all(url, False))
    fewest = min(sum(e.kind == "parse" for e in c[0]) for c in captures)
    return [c for c in captures if sum(e.kind == "parse" for e in c[0]) == fewest][-1]


def summary(entries: list[Entry]) -> dict[str, Any]:
    return {
        "round_trips": sum(e.kind in ROUND_TRIPS for e in entries),
        "prepares": sum(e.kind == "parse" for e in entries),
        "server_ms": round(sum(e.ms for e in entries), 3),
        "statements": [
            {"kind": e.kind, "ms": e.ms, "sql": " ".join(e.sql.split())[:300]}
            for e in entries
            if e.kind in ROUND_TRIPS
        ],
    }


def replay_script(entries: list[Entry], new_id: int, prefix: str) -> tuple[str, dict[str, str]]:
    """A pgbench script sending the same statements: parameters become pgbench
    variables (-D), the new row's id is taken from its INSERT ... RETURNING (\\gset)."""
    lines = [f"-- replay of one captured request ({prefix})"]
    defines: dict[str, str] = {}
    for e in entries:
        if e.kind not in ("statement", "execute"):
            continue

        def variable(match: re.Match[str], e: Entry = e) -> str:
            value = e.params.get(int(match[1]))
            if value is None:
                return "NULL"
            if value == str(new_id):
                return ":new_id"
            name = f"{prefix}{len(defines)}"
            defines[name] = value
            return f":{name}"

        def literal(match: re.Match[str]) -> str:
            name = f"{prefix}{len(defines)}"
            defines[name] = match[1].replace("''", "'")
            return f":{name}"

        sql = re.sub(r"\$(\d+)", variable, e.sql.strip().rstrip(";"))
        statements = [sql]
        if e.kind == "statement":
            # A simple query's literals become variables: pgbench would read a colon in
            # one (JSON's) as a variable of its own. Its statements (the events' call
            # and COMMIT) are sent as one pipeline, one round trip, as the server does.
            statements = re.sub(r"'((?:[^']|'')*)'", literal, sql).split(";")
        if len(statements) > 1:
            lines.append("\\startpipeline")
        for one in (x.strip() for x in statements):
            returns_new = re.match(r"INSERT INTO (goals|tasks) ", one) and "RETURNING" in one
            lines.append(one + (" \\gset new_" if returns_new else ";"))
        if len(statements) > 1:
            lines.append("\\endpipeline")
    return "\n".join(lines) + "\n", defines


async def explain(url: str, entries: list[Entry]) -> list[dict[str, Any]]:
    """EXPLAIN ANALYZE of each SELECT as the server runs it: prepared, executed five
    times first so PostgreSQL may settle on its generic plan."""
    conn = await asyncpg.connect(url)
    out = []
    try:
        for i, e in enumerate(x for x in entries if x.kind == "execute"):
            if not e.sql.lstrip().upper().startswith(("SELECT", "WITH")):  # reads only
                continue
            args = ", ".join(_literal(e.params.get(n)) for n in range(1, len(e.params) + 1))
            await conn.execute(f"PREPARE bench_{i} AS {e.sql}")
            execute = f"EXECUTE bench_{i}" + (f"({args})" if args else "")
            for _ in range(5):
                await conn.execute(execute)
            plan = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {execute}")
            out.append({"ms": e.ms, "sql": e.sql, "plan": "\n".join(r[0] for r in plan)})
    finally:
        await conn.close()
    return out


def _literal(value: str | None) -> str:
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


# The requests whose SELECTs are explained, and the file name of each.
EXPLAINED = {
    "S3": "s3",
    "S5": "s5",
    "S6": "s6",
    "S6 (2 characters)": "s6_short",
    "S7": "s7",
    "S8": "s8",
}


def main() -> None:
    url, pgdata, base, out = sys.argv[1], Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
    data = json.loads((out / "data.json").read_text())
    firm = data["firms"][0]
    owner = {
        "Authorization": f"Bearer {firm['token']}",
        "X-PLANNR-ACCOUNT-UUID": firm["owner_uuid"],
    }
    member = firm["members"][0]
    as_member = {
        "Authorization": f"Bearer {member['token']}",
        "X-PLANNR-ACCOUNT-UUID": member["uuid"],
    }
    post = {"Content-Type": "application/json", "Accept": "application/json"}
    first = {
        name: (out / f"{name}.txt").read_text().splitlines()[0]
        for name in ("s1", "s1_one", "s1_ten", "s3", "s4", "s5", "s6", "s7", "s8")
    }
    task_bodies = (out / "s2.txt").read_text().splitlines()
    requests: dict[str, tuple[dict[str, str], tuple[str, str, str | None]]] = {
        "S1": (owner | post, ("POST", "/api/v2/goals", first["s1"])),
        "S1 (1 owner, 1 circle)": (owner | post, ("POST", "/api/v2/goals", first["s1_one"])),
        "S1 (10 owners, 10 circles)": (owner | post, ("POST", "/api/v2/goals", first["s1_ten"])),
        "S3": (as_member, ("GET", first["s3"], None)),
        "S4": (owner, ("GET", first["s4"], None)),
        "S5": (owner, ("GET", first["s5"], None)),
        "S6": (owner, ("GET", first["s6"], None)),
        # Two characters: no trigram to look up, the firm's tasks are read instead.
        "S6 (2 characters)": (owner, ("GET", first["s6"].split("=")[0] + "=pe", None)),
        "S7": (as_member, ("GET", first["s7"], None)),
        "S8": (as_member, ("GET", first["s8"], None)),
    }
    for status in range(1, 5):  # S2 spreads over four status columns: one capture each
        body = next(
            b
            for b in task_bodies
            if f'"task_status_uuid": "{bench_uuid("status", 0, status)}"' in b
        )
        requests[f"S2 (status {status})"] = (owner | post, ("POST", "/api/v1/task", body))
    report: dict[str, Any] = {"requests": {}, "defines": {}, "replays": {}}
    for name, (headers, req) in requests.items():
        entries, answer = capture_one(url, pgdata / "log", base, headers, req)
        report["requests"][name] = summary(entries)
        if name in ("S1", *(f"S2 (status {s})" for s in range(1, 5))):
            table = "goals" if name == "S1" else "tasks"
            new_id = asyncio.run(_id_of(url, table, answer["uuid"]))
            prefix = "s1_" if name == "S1" else f"s2{name[-2]}_"
            script, defines = replay_script(entries, new_id, prefix)
            (out / f"replay_{prefix.rstrip('_')}.sql").write_text(script)
            report["defines"].update(defines)
            report["replays"][name] = f"replay_{prefix.rstrip('_')}.sql"
        if name in EXPLAINED:
            plans = asyncio.run(explain(url, entries))
            (out / f"explain_{EXPLAINED[name]}.json").write_text(json.dumps(plans, indent=2) + "\n")
    (out / "capture.json").write_text(json.dumps(report, indent=2) + "\n")


async def _id_of(url: str, table: str, uuid: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval(f"SELECT id FROM {table} WHERE uuid = $1", uuid))
    finally:
        await conn.close()


if __name__ == "__main__":
    main()

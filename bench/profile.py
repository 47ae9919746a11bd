"""Summarise py-spy profiles (raw collapsed stacks) of a worker into OUT/profile.md.

Only samples of the event-loop thread doing work count ("busy" samples); the thread-pool
threads appear as a share of their own. Usage: python bench/profile.py OUT S1 S2 S3
(reads OUT/profile_<name>.txt, written by `py-spy record --format raw`).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

LOOP_THREAD = "_spawn_asgi_lifespan_worker"  # Granian runs the app from this frame
GREENLET = "(sqlalchemy/"  # the root frame of a stack running inside greenlet_spawn
POOL_THREAD = "WorkerThread.run (anyio"  # FastAPI runs sync dependencies here
IDLE = re.compile(r"^(?:Condition\.wait |Queue\.get |_worker \(concurrent|select |\s*$)")
# Where a sample's innermost Python frame lives, first match wins.
CATEGORIES = (
    ("sqlalchemy/sql/", "SQLAlchemy Core: building statements, cache keys, compiling"),
    ("sqlalchemy/engine/", "SQLAlchemy engine: execution context, result rows"),
    ("sqlalchemy/", "SQLAlchemy other: async bridge (greenlet), pool, events"),
    ("asyncpg/", "asyncpg: protocol, encoding, decoding"),
    ("pydantic", "pydantic"),
    ("fastapi/", "FastAPI"),
    ("starlette/", "Starlette"),
    ("babel/", "Babel"),
    ("advisercrm/", "advisercrm code itself"),
    ("granian", "Granian (Rust side, HTTP)"),
    ("asyncio/", "asyncio event loop"),
)
# Inclusive shares: a sample counts when any of its frames matches.
MARKERS = {
    "SQLAlchemy compiler at execution (IN-list expansion, cache misses)": r"SQLCompiler\.",
    "SQLAlchemy cache-key generation": r"_generate_cache_key",
    "SQLAlchemy column collections of aliases/subqueries built per request": (
        r"_populate_column_collection|_generate_fromclause_column_proxies"
    ),
    "asyncpg (send, receive, decode)": r"\(asyncpg/",
    "authentication (current_principal)": r"^current_principal ",
    "Babel money formatting": r"\(babel/",
    "pydantic": r"\(pydantic",
    "JSON response encoding": r"^JSON\.render |orjson",
}
WRAPPERS = ("advisercrm/cli.py", "advisercrm/kit/limits.py")


def category(frame: str) -> str:
    for needle, name in CATEGORIES:
        if needle in frame:
            return name
    return "(native code)" if not frame.strip() else "other Python (stdlib, typing, re...)"


def load(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    return stacks


def summarise(name: str, path: Path) -> list[str]:
    stacks = load(path)
    # SQLAlchemy runs each execute in a greenlet: py-spy shows those stacks from its root.
    loop = [(f, n) for f, n in stacks if any(LOOP_THREAD in x for x in f) or GREENLET in f[0]]
    busy = [(f, n) for f, n in loop if not IDLE.match(f[-1])]
    pool = sum(n for f, n in stacks if any(POOL_THREAD in x for x in f) and not IDLE.match(f[-1]))
    total = sum(n for _, n in busy)
    if not total:
        return [f"### {name}", "", "no samples", ""]
    by_category: Counter[str] = Counter()
    app: Counter[str] = Counter()
    markers: Counter[str] = Counter()
    for frames, n in busy:
        by_category[category(frames[-1])] += n
        for frame in {f for f in frames if "(advisercrm/" in f}:
            if not any(w in frame for w in WRAPPERS):
                app[frame] += n
        for marker, pattern in MARKERS.items():
            if any(re.search(pattern, f) for f in frames):
                markers[marker] += n
    lines = [
        f"### {name}",
        "",
        f"{total:,} busy samples of the event-loop thread; thread-pool threads (sync "
        f"dependencies) busy for {pool / total:.0%} as many.",
        "",
        "| innermost frame in | share |",
        "|---|---:|",
        *(f"| {c} | {n / total:.0%} |" for c, n in by_category.most_common()),
        "",
        "| inclusive time of | share |",
        "|---|---:|",
        *(f"| {m} | {markers[m] / total:.0%} |" for m in MARKERS),
        "",
        "Top advisercrm functions (inclusive):",
        "",
        *(f"- {n / total:.0%} `{f}`" for f, n in app.most_common(14)),
        "",
    ]
    return lines


def main() -> None:
    out = Path(sys.argv[1])
    lines = [
        "## Profile (py-spy, 100 Hz, one of the two workers, during separate runs)",
        "",
        "Shares are of the samples in which the worker's event-loop thread was busy. Raw "
        "stacks: `bench/out/profile_<scenario>.txt` (speedscope or flamegraph.pl read them).",
        "",
    ]
    for name in sys.argv[2:]:
        path = out / f"profile_{name}.txt"
        if path.exists():
            lines += summarise(name, path)
    (out / "profile.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()

"""Storage cost per click: prefs() and count() on SQLite and PostgreSQL, alone and concurrent.

Every click reads its workspace's settings and most add to a monthly total, each in a worker thread.
This measures those two calls as the adapters make them, on a SQLite file and on a throwaway
PostgreSQL server started from the machine's server binaries (as the tests do).

    .venv/bin/python bench/storage.py --calls 2000
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.storage.database import make_engine, upgrade
from adapters.storage.workspaces import DatabaseWorkspaces
from adapters.workspaces import WorkspacePrefs
from tests.storage.postgres import start_server


async def _timed(calls: int, concurrency: int, call: Callable[[int], Awaitable[object]]) -> dict:
    latencies: list[float] = []
    queue = iter(range(calls))

    async def worker() -> None:
        for n in queue:
            started = time.perf_counter()
            await call(n)
            latencies.append(time.perf_counter() - started)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "median_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "per_s": calls / elapsed,
    }


async def _measure(name: str, url: str, calls: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    workspaces = DatabaseWorkspaces(engine)
    for n in range(50):
        await workspaces.save_prefs("slack", f"T{n}", WorkspacePrefs(region="GB"))
    cases = {
        "prefs": lambda n: workspaces.prefs("slack", f"T{n % 50}"),
        "count": lambda n: workspaces.count("slack", f"T{n % 50}", ("started",)),
    }
    for case, call in cases.items():
        for concurrency in (1, 8):
            await _timed(50, concurrency, call)  # warm-up
            r = await _timed(calls, concurrency, call)
            print(
                f"| {name:10} | {case:5} | {concurrency:11} | {r['median_ms']:7.2f} ms "
                f"| {r['p99_ms']:7.2f} ms | {r['per_s']:8.0f} |"
            )
    engine.dispose()


async def main(calls: int) -> None:
    print("| database   | call  | concurrency | median     | p99        | calls/s  |")
    print("|------------|-------|-------------|------------|------------|----------|")
    with tempfile.TemporaryDirectory() as folder:
        await _measure("SQLite", f"sqlite:///{folder}/bench.db", calls)
    server = start_server()
    try:
        server.janitor("bench").init()
        await _measure("PostgreSQL", server.url("bench"), calls)
    finally:
        server.remove()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    asyncio.run(main(parser.parse_args().calls))

"""Storage cost per click: settings() and count() on SQLite and PostgreSQL, and the batch write.

Every click reads its workspace's settings (held in memory once read) and most add to a monthly
total (in memory, written in batches in the background). This measures those two calls as the
adapters make them, and the background write of a batch of totals for 50 workspaces, on a SQLite
file and on a throwaway PostgreSQL server started from the machine's server binaries (as the tests
do).

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
from adapters.storage.interface import WorkspacePrefs
from adapters.storage.store import DatabaseStorage
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
        "median_us": statistics.median(latencies) * 1e6,
        "p99_us": latencies[int(len(latencies) * 0.99) - 1] * 1e6,
        "per_s": calls / elapsed,
    }


async def _measure(name: str, url: str, calls: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    workspaces = DatabaseStorage(engine)
    for n in range(50):
        await workspaces.save_settings("slack", f"T{n}", WorkspacePrefs(region="GB"))

    async def count(n: int) -> None:
        workspaces.count("slack", f"T{n % 50}", ("started",))

    async def flush(n: int) -> None:
        for w in range(50):
            workspaces.count("slack", f"T{w}", ("started", "finished"))
        await workspaces.counts.flush()

    cases = {
        "settings": lambda n: workspaces.settings("slack", f"T{n % 50}"),
        "count": count,
        "flush": flush,
    }
    for case, call in cases.items():
        for concurrency in (1, 8):
            await _timed(50, concurrency, call)  # warm-up
            r = await _timed(calls, concurrency, call)
            print(
                f"| {name:10} | {case:8} | {concurrency:11} | {r['median_us']:8.1f} µs "
                f"| {r['p99_us']:8.1f} µs | {r['per_s']:8.0f} |"
            )
    engine.dispose()


async def main(calls: int) -> None:
    print("| database   | call     | concurrency | median      | p99         | calls/s  |")
    print("|------------|----------|-------------|-------------|-------------|----------|")
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

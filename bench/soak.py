"""Soak: many full conversations through the real `coach-or-therapy slack` process.

The app runs as an operator runs it (the installed command, HTTP mode, settings in the
environment only, its default storage: SQLite in a temporary DATA_DIR) against a fake Slack on
loopback. Simulated people, each in turn, type the slash command and click through the safety
question and all eight questions (10 events per conversation), their answers varying so every
result comes up. Each of the people at once is one of IDENTITIES people in turn, so no one begins
two walk-throughs in the same second: the bot knows a walk-through by its person and the second
it began, and counts two that share both as one (a double press of Start), while a simulated
person can finish a walk-through in a fraction of a second. Every reply is checked for the next
question or a result. Reported: conversations completed, errors, events per second, latency
p50/p99, and the app process's resident memory as the run goes on. At the end the app gets
SIGTERM, and the exact totals are read from its SQLite file (admins see only ended months,
rounded, so `/coach-or-therapy stats` cannot show whether every walk-through of the run was
counted).

    .venv/bin/python bench/soak.py [--conversations 10000] [--people 50]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import (  # noqa: E402
    COMMAND,
    AppProcess,
    Mismatch,
    Timings,
    machine,
    percentile,
    port_open,
)
from bench.slack_fake import (  # noqa: E402
    FakeSlack,
    events_url,
    slack_env,
    walk,
    words,
)
from tests.loopback import free_port  # noqa: E402

SAFETY_NO = 2
QUESTIONS = 8
OUTCOME_TITLES = ("Coaching might", "Therapy or counselling might", "Both might")


def answers_for(number: int) -> tuple[int, ...]:
    """Conversation n answers with the base-3 digits of n: every combination comes up in turn."""
    return (SAFETY_NO, *((number // 3**step) % 3 for step in range(QUESTIONS)))


def next_question_or_result(n: int, message: dict[str, Any]) -> None:
    """Message n of a walk-through is question n + 1, and the last one a result."""
    expected = "Where to go next" if n == QUESTIONS + 1 else f"Question {n + 1} of 9"
    if expected not in words(message):
        raise Mismatch(f"message {n} is not {expected!r}")


@dataclass
class Tally:
    """What a soak has seen so far."""

    completed: int = 0
    timings: Timings = field(default_factory=Timings)
    errors: list[str] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)


async def soak(
    http: aiohttp.ClientSession, url: str, fake: FakeSlack, conversations: int, people: int
) -> Tally:
    """Run `conversations` walk-throughs, `people` at once."""
    return await soak_into(Tally(), http, url, fake, conversations, people)


IDENTITIES = 10
"""How many people each simulated person is, in turn."""


async def soak_into(
    tally: Tally,
    http: aiohttp.ClientSession,
    url: str,
    fake: FakeSlack,
    conversations: int,
    people: int,
) -> Tally:
    """`soak`, counting into `tally` as conversations finish."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(conversations):
        queue.put_nowait(number)

    async def person(n: int) -> None:
        done = 0
        while not queue.empty():
            number = queue.get_nowait()
            done += 1
            try:
                messages = await walk(
                    http,
                    url,
                    fake,
                    f"U{n:05d}{done % IDENTITIES}",
                    str(number),
                    answers_for(number),
                    tally.timings,
                    next_question_or_result,
                )
                title = next(t for t in OUTCOME_TITLES if t in words(messages[-1]))
                tally.outcomes[title] = tally.outcomes.get(title, 0) + 1
            except Exception as exc:  # an error is a result of the run, not the end of it
                tally.errors.append(f"conversation {number}: {type(exc).__name__}: {exc}")
            tally.completed += 1

    await asyncio.gather(*(person(n) for n in range(people)))
    return tally


def counted(home: Path) -> dict[str, int]:
    """The exact totals in the app's SQLite file, every month and workspace together."""
    database = home / "data" / "coach-or-therapy.db"
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        rows = connection.execute(
            "SELECT counter, SUM(count) FROM monthly_counts GROUP BY counter ORDER BY counter"
        ).fetchall()
    return {counter: int(total) for counter, total in rows}


async def run(args: argparse.Namespace) -> int:
    print(f"before: {machine()}", flush=True)
    fake = FakeSlack()
    await fake.start()
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as folder:
        home = Path(folder)
        port = free_port()
        url = events_url(port)
        env = slack_env(home, fake, port)
        app = AppProcess("ours-sqlite", [COMMAND, "slack"], env, home)
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:
            await app.start(partial(port_open, port))
            try:
                warm = await soak(http, url, fake, args.people, args.people)
                memory = [(0, app.rss())]
                tally = Tally()
                started = time.perf_counter()
                task = asyncio.ensure_future(
                    soak_into(tally, http, url, fake, args.conversations, args.people)
                )
                step = max(1, args.conversations // 10)
                next_sample = step
                while not task.done():
                    await asyncio.sleep(0.05)
                    if tally.completed >= next_sample:
                        memory.append((tally.completed, app.rss()))
                        next_sample += step
                await task
                elapsed = time.perf_counter() - started
                if memory[-1][0] != tally.completed:
                    memory.append((tally.completed, app.rss()))
            finally:
                code = await app.stop()
                troubles = app.troubles()  # while the log is still there
                logged = len(app.log().splitlines())
            totals = counted(home)
    await fake.stop()
    latencies, errors = tally.timings.all(), tally.errors
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    mib = [(n, rss / 2**20) for n, rss in memory]
    middle = mib[len(mib) // 2]
    print(f"conversations={args.conversations} people={args.people}")
    print(f"completed: {tally.completed - len(errors)} of {args.conversations} conversations")
    print(f"errors: {len(errors)} (warm-up: {len(warm.errors)})")
    for error in errors[:10]:
        print(f"  {error}")
    print(f"events: {len(latencies)} in {elapsed:.1f} s = {len(latencies) / elapsed:.0f} events/s")
    print(f"latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    print(
        f"resident memory (MiB): start {mib[0][1]:.1f}, middle ({middle[0]}) {middle[1]:.1f}, "
        f"end {mib[-1][1]:.1f}; growth {mib[-1][1] - mib[0][1]:+.1f} MiB"
    )
    print("memory by conversations done: " + ", ".join(f"{n}: {r:.1f}" for n, r in mib))
    print(f"outcomes: {tally.outcomes}")
    print(f"counted in the database after SIGTERM: {totals}")
    print(
        f"exit code after SIGTERM: {code}; {logged} lines logged, "
        f"{len(troubles)} of them warnings or errors"
    )
    for line in troubles[:5]:
        print(f"  {line}")
    print(f"after: {machine()}")
    return 1 if errors or warm.errors or code != 0 else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=50)
    sys.exit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()

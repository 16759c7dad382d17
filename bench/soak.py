"""Soak: many full conversations through the real `coach-or-therapy slack` process.

The app runs as `python -m adapters.cli slack` (HTTP mode, SQLite storage in a temporary data
folder, so every finished walk-through is also counted in the database) against a fake Slack on
loopback in this process. Simulated people, each in turn, type the slash command and click
through the safety question and all eight questions (10 events per conversation), their answers
varying so every result comes up. Every reply is checked for the next question or a result.
Reported: conversations completed, errors, events per second, latency p50/p99, and the app
process's resident memory as the run goes on.

    .venv/bin/python bench/soak.py [--conversations 10000] [--people 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.slack_fake import FakeSlack, click_body, command_body, free_port, signed  # noqa: E402

SECRET = "soak-signing-secret"
SAFETY_NO = 2
QUESTIONS = 8
REPLY_TIMEOUT = 30.0
OUTCOME_TITLES = ("Coaching might", "Therapy or counselling might", "Both might")


@dataclass
class Tally:
    """What the run has seen so far."""

    completed: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)


def _button(message: dict[str, Any], index: int) -> dict[str, Any]:
    code = f"cot:c{index}"
    for block in message.get("blocks", []):
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("action_id") == code:
                return element
    raise ValueError(f"no answer {index} on the message")


def _words(value: Any) -> str:
    """Every text a person would read in a message, in order."""
    if isinstance(value, dict):
        return " ".join(_words(v) for k, v in value.items() if k in ("text", "blocks", "elements"))
    if isinstance(value, list):
        return " ".join(_words(v) for v in value)
    return value if isinstance(value, str) else ""


async def _conversation(
    user: str,
    number: int,
    url: str,
    fake: FakeSlack,
    http: aiohttp.ClientSession,
    tally: Tally,
) -> None:
    body = command_body(user, fake.url)
    started = time.perf_counter()
    async with http.post(url, data=body, headers=signed(SECRET, body)) as response:
        if response.status != 200:
            raise RuntimeError(f"command: HTTP {response.status}")
        message = await response.json()
    tally.latencies.append(time.perf_counter() - started)
    # conversation n answers with the base-3 digits of n: every combination comes up in turn
    answers = [SAFETY_NO, *((number // 3**step) % 3 for step in range(QUESTIONS))]
    for step, answer in enumerate(answers):
        pressed = _button(message, answer)
        path = f"/respond/{user}-{number}-{step}"
        reply = fake.expect(path)
        action = {
            "type": "button",
            "action_id": pressed["action_id"],
            "value": pressed.get("value", ""),
            "block_id": "b",
            "text": pressed["text"],
        }
        body = click_body(user, fake.url + path, action)
        started = time.perf_counter()
        async with http.post(url, data=body, headers=signed(SECRET, body)) as response:
            if response.status != 200:
                raise RuntimeError(f"click {step}: HTTP {response.status}")
        message = json.loads(await asyncio.wait_for(reply, REPLY_TIMEOUT))
        tally.latencies.append(time.perf_counter() - started)
        expected = "Where to go next" if step == QUESTIONS else f"Question {step + 2} of 9"
        if expected not in _words(message):
            raise RuntimeError(f"click {step}: the reply is not {expected!r}")
    title = next(t for t in OUTCOME_TITLES if t in _words(message))
    tally.outcomes[title] = tally.outcomes.get(title, 0) + 1


async def _person(
    n: int,
    queue: asyncio.Queue[int],
    url: str,
    fake: FakeSlack,
    http: aiohttp.ClientSession,
    tally: Tally,
) -> None:
    user = f"U{n:05d}"
    while True:
        try:
            number = queue.get_nowait()
        except asyncio.QueueEmpty:
            return
        try:
            await _conversation(user, number, url, fake, http, tally)
        except Exception as exc:  # an error is a result of the run, not the end of it
            tally.errors.append(f"conversation {number}: {type(exc).__name__}: {exc}")
        tally.completed += 1


async def _start_app(fake_url: str, data_dir: str, port: int) -> asyncio.subprocess.Process:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": data_dir,
        "LANG": "C.UTF-8",
        "SLACK_BOT_TOKEN": "xoxb-soak",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": f"{fake_url}/api/",
        "STATE_SECRET": "soak-state-secret-0123456789",
        "DATA_DIR": data_dir,
        "DEFAULT_REGION": "GB",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "adapters.cli",
        "slack",
        env=env,
        cwd=ROOT,
        stdin=asyncio.subprocess.DEVNULL,
    )
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return process
            except aiohttp.ClientError:
                await asyncio.sleep(0.1)
    raise RuntimeError("the app did not start")


async def _run(args: argparse.Namespace) -> int:
    fake = FakeSlack()
    fake_url = await fake.start()
    port = free_port()
    url = f"http://127.0.0.1:{port}/slack/events"
    with tempfile.TemporaryDirectory() as data_dir:
        process = await _start_app(fake_url, data_dir, port)
        app = psutil.Process(process.pid)
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:
            warm = Tally()
            await _run_people(args.people, args.people, url, fake, http, warm)
            memory = [(0, app.memory_info().rss)]
            tally = Tally()
            step = max(1, args.conversations // 10)
            started = time.perf_counter()
            people = asyncio.ensure_future(
                _run_people(args.conversations, args.people, url, fake, http, tally)
            )
            next_sample = step
            while not people.done():
                await asyncio.sleep(0.05)
                if tally.completed >= next_sample:
                    memory.append((tally.completed, app.memory_info().rss))
                    next_sample += step
            await people
            elapsed = time.perf_counter() - started
            if memory[-1][0] != tally.completed:
                memory.append((tally.completed, app.memory_info().rss))
        process.send_signal(signal.SIGTERM)
        code = await process.wait()
        counted = _counted(Path(data_dir))
    await fake.stop()
    _report(args, tally, elapsed, memory, code, counted, warm)
    return 1 if tally.errors or warm.errors or code != 0 else 0


async def _run_people(
    conversations: int,
    people: int,
    url: str,
    fake: FakeSlack,
    http: aiohttp.ClientSession,
    tally: Tally,
) -> None:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(conversations):
        queue.put_nowait(number)
    await asyncio.gather(*(_person(n, queue, url, fake, http, tally) for n in range(people)))


def _counted(data_dir: Path) -> dict[str, int]:
    """The anonymous counts the app wrote to its SQLite database."""
    import sqlite3

    found = list(data_dir.glob("*.db")) + list(data_dir.glob("*.sqlite*"))
    if not found:
        return {}
    with sqlite3.connect(found[0]) as db:
        tables = [row[0] for row in db.execute("select name from sqlite_master where type='table'")]
        table = next((t for t in tables if "count" in t), None)
        if table is None:
            return {}
        columns = [row[1] for row in db.execute(f"pragma table_info({table})")]
        if "counter" not in columns:
            return {}
        amount = next(c for c in columns if c in ("amount", "count", "value", "total"))
        rows = db.execute(f"select counter, sum({amount}) from {table} group by counter")
        return {counter: int(total) for counter, total in rows}


def _report(
    args: argparse.Namespace,
    tally: Tally,
    elapsed: float,
    memory: list[tuple[int, int]],
    code: int,
    counted: dict[str, int],
    warm: Tally,
) -> None:
    latencies = sorted(tally.latencies)
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    mib = [rss / 2**20 for _, rss in memory]
    middle = memory[len(memory) // 2]
    print(
        f"conversations={args.conversations} people={args.people} "
        f"python={sys.version.split()[0]} cpus={os.cpu_count()}"
    )
    print(f"completed: {tally.completed - len(tally.errors)} of {args.conversations} conversations")
    print(f"errors: {len(tally.errors)} (warm-up: {len(warm.errors)})")
    for error in tally.errors[:10]:
        print(f"  {error}")
    print(f"events: {len(latencies)} in {elapsed:.1f} s = {len(latencies) / elapsed:.0f} events/s")
    print(f"latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    print(
        f"resident memory (MiB): start {mib[0]:.1f}, middle ({middle[0]}) "
        f"{middle[1] / 2**20:.1f}, end {mib[-1]:.1f}; growth {mib[-1] - mib[0]:+.1f} MiB"
    )
    print("memory by conversations done: " + ", ".join(f"{n}: {r / 2**20:.1f}" for n, r in memory))
    print(f"outcomes: {tally.outcomes}")
    print(f"counted in the database: {counted}")
    print(f"exit code after SIGTERM: {code}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=50)
    args = parser.parse_args()
    sys.exit(asyncio.run(_run(args)))


if __name__ == "__main__":
    main()

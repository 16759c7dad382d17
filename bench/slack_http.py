"""Slack over HTTP: the real `coach-or-therapy slack` process against a bare Bolt app.

Our app runs as an operator runs it: the installed command, HTTP mode, its settings in the
environment only, once with its default storage (SQLite in DATA_DIR) and once with DATABASE_URL
on a throwaway PostgreSQL server started here. The bare Bolt app (bench/slack_bare.py) runs in a
process of its own and sends the very messages our app sent in a recorded walk-through. Simulated
people type the slash command and click through all nine questions; every reply is checked
against the recorded one, and the apps take turns, round by round, in one run.

    .venv/bin/python bench/slack_http.py [--people 50] [--conversations 4] [--rounds 5]
                                         [--storage sqlite postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import profiling  # noqa: E402
from bench.harness import (  # noqa: E402
    COMMAND,
    PYTHON,
    App,
    AppProcess,
    Mismatch,
    alternate,
    difference,
    free_port,
    machine,
    port_open,
    postgres_version,
    process_lines,
    report,
    run_command,
    throwaway_postgres,
)
from bench.slack_fake import (  # noqa: E402
    FakeSlack,
    events_url,
    slack_env,
    walk,
    without_tokens,
    words,
)

ANSWERS = (2, 0, 1, 2, 0, 1, 2, 0, 1)
"""The safety "No", then a mix of answers; every conversation takes this path."""
QUESTIONS = 9
RESULT_HEADING = "Where to go next"


def check_recording(messages: list[dict[str, Any]]) -> None:
    """The recorded walk-through: nine questions in order, then a result."""
    for n, message in enumerate(messages[:QUESTIONS]):
        if f"Question {n + 1} of {QUESTIONS}" not in words(message):
            raise Mismatch(f"recorded message {n} is not question {n + 1}")
    if RESULT_HEADING not in words(messages[QUESTIONS]):
        raise Mismatch("the recorded walk-through does not end in a result")


def matches(expected: list[dict[str, Any]], n: int, message: dict[str, Any]) -> None:
    """Message n must be the recorded one, apart from each person's own tokens."""
    got = without_tokens(message)
    if got != expected[n]:
        found, recorded = json.dumps(got), json.dumps(expected[n])
        raise Mismatch(f"message {n}: {difference(found, recorded)} was recorded")


def slack_app(
    name: str,
    process: AppProcess,
    port: int,
    fake: FakeSlack,
    http: aiohttp.ClientSession,
    expected: list[dict[str, Any]],
    baseline: bool = False,
) -> App:
    """A started app, and how a person walks through a conversation with it."""

    async def converse(person: int, number: int, latencies: list[float]) -> None:
        await walk(
            http,
            events_url(port),
            fake,
            f"U{person:05d}",
            f"{process.name}-{number}",
            ANSWERS,
            latencies,
            partial(matches, expected),
        )

    return App(name, process, converse, baseline)


async def record(port: int, fake: FakeSlack, http: aiohttp.ClientSession) -> list[dict[str, Any]]:
    """One walk-through with our app, every message as it sent it."""
    messages = await walk(
        http, events_url(port), fake, "URECORD", "record", ANSWERS, [], lambda n, m: None
    )
    check_recording(messages)
    return messages


async def run(args: argparse.Namespace) -> None:
    print(f"before: {machine()}", flush=True)
    fake = FakeSlack()
    await fake.start()
    apps: list[App] = []
    started: list[AppProcess] = []
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-slack-")))
        database = None
        if "postgresql" in args.storage:
            database = stack.enter_context(throwaway_postgres())
            print(f"PostgreSQL {postgres_version()} started for the run", flush=True)
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:
            try:
                ours: list[tuple[str, AppProcess, int]] = []
                for storage in args.storage:
                    home = folder / f"ours-{storage}"
                    home.mkdir()
                    port = free_port()
                    more = {"DATABASE_URL": database} if storage == "postgresql" else {}
                    env = slack_env(home, fake, port, **more)
                    if storage == "postgresql":
                        run_command(["db", "upgrade"], env, home)
                    process = AppProcess(f"ours-{storage}", [COMMAND, "slack"], env, home)
                    started.append(process)
                    await process.start(partial(port_open, port))
                    ours.append((f"ours ({storage})", process, port))
                recording = await record(ours[0][2], fake, http)
                expected = [without_tokens(m) for m in recording]
                home = folder / "bare"
                home.mkdir()
                script = home / "script.json"
                script.write_text(json.dumps({"ack": recording[0], "replies": recording[1:]}))
                port = free_port()
                bare = AppProcess(
                    "bare-bolt",
                    [PYTHON, ROOT / "bench" / "slack_bare.py", script],
                    slack_env(home, fake, port),
                    home,
                )
                started.append(bare)
                await bare.start(partial(port_open, port))
                apps = [slack_app(n, p, port_, fake, http, expected) for n, p, port_ in ours]
                apps.append(slack_app("bare Bolt", bare, port, fake, http, expected, True))
                print(
                    f"recorded walk-through: {len(recording)} messages; the result is "
                    f"{len(json.dumps(recording[-1]))} bytes of JSON, "
                    f"{len(words(recording[-1]))} characters of text",
                    flush=True,
                )
                ours_processes = [app.process for app in apps if not app.baseline]
                with profiling.recording(ours_processes, args.profile) as profiles:
                    results = await alternate(apps, args.rounds, args.people, args.conversations)
            finally:
                for process in started:
                    await process.stop()
                stopped = process_lines(apps)  # while their logs are still there
    await fake.stop()
    print()
    print(
        report(
            f"Slack over HTTP: {args.people} people at once, {args.conversations} walk-throughs "
            f"each ({args.people * args.conversations * (len(ANSWERS) + 1)} events) per round, "
            f"{args.rounds} rounds per app",
            results,
            apps,
            "events",
        )
    )
    print()
    print("\n".join(stopped))
    for path in profiles:
        print("\n".join(profiling.summary(path)))
    print(f"after: {machine()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50, help="people at once")
    parser.add_argument("--conversations", type=int, default=4, help="walk-throughs per person")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per app")
    parser.add_argument(
        "--storage",
        nargs="+",
        choices=("sqlite", "postgresql"),
        default=["sqlite", "postgresql"],
        help="our app's storage: default SQLite, DATABASE_URL on PostgreSQL, or both",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="sample our app with py-spy during the rounds and write the profiles to DIR",
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()

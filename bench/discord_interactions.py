"""Discord: the real `coach-or-therapy discord` process against a bare discord.py client.

Our bot runs as an operator runs it: the installed command, its settings in the environment only
(DISCORD_TOKEN, DISCORD_API_URL at a loopback fake Discord whose `GET /gateway/bot` names a
loopback fake gateway), its default storage (SQLite in DATA_DIR), or DATABASE_URL on a throwaway
PostgreSQL server with `--storage postgresql`. The bare client (bench/discord_bare.py) runs in a
process of its own and sends the very messages our bot sent in a recorded walk-through. Every
interaction goes in through the gateway as an INTERACTION_CREATE payload: the slash command (the
bot opens a private thread, adds the person, posts the first question there and edits its reply)
and a click on each answer. Every answer is checked against the recorded one, and the two take
turns, round by round, in one run.

    .venv/bin/python bench/discord_interactions.py [--people 50] [--conversations 4]
                                                   [--rounds 5] [--storage sqlite]
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import profiling  # noqa: E402
from bench.discord_fake import FakeDiscord, Person, discord_env, normalized, walk  # noqa: E402
from bench.harness import (  # noqa: E402
    COMMAND,
    PYTHON,
    App,
    AppProcess,
    Mismatch,
    alternate,
    difference,
    machine,
    postgres_version,
    process_lines,
    report,
    run_command,
    throwaway_postgres,
)

ANSWERS = (2, 0, 1, 2, 0, 1, 2, 0, 1)
"""The safety "No", then a mix of answers; every conversation takes this path."""
QUESTIONS = 9
RESULT_HEADING = "Where to go next"
RECORDER = Person.number(99999)


def check_recording(seen: list[dict[str, Any]]) -> None:
    """The recorded walk-through: a thread with question 1, questions 2 to 9, then a result."""
    texts = [seen[0]["message"].get("content") or ""]
    texts += [(s.get("data") or {}).get("content") or "" for s in seen[1:]]
    for n, text in enumerate(texts[:QUESTIONS]):
        if f"Question {n + 1} of {QUESTIONS}" not in text:
            raise Mismatch(f"recorded step {n} is not question {n + 1}: {text[:200]!r}")
    if RESULT_HEADING not in texts[QUESTIONS]:
        raise Mismatch("the recorded walk-through does not end in a result")


def matches(expected: list[str], n: int, sent: dict[str, Any]) -> None:
    """What the bot sent at step n must be the recorded message, apart from the person's own."""
    got = normalized(sent)
    if got != expected[n]:
        raise Mismatch(f"step {n}: {difference(got, expected[n])} was recorded")


def discord_app(
    name: str, process: AppProcess, fake: FakeDiscord, expected: list[str], baseline: bool = False
) -> App:
    """A started bot, and how a person walks through a conversation with it."""
    token = process.env["DISCORD_TOKEN"]

    async def converse(person: int, number: int, latencies: list[float]) -> None:
        check = partial(matches, expected)
        await walk(fake, token, Person.number(person), ANSWERS, latencies, check)

    return App(name, process, converse, baseline)


async def run(args: argparse.Namespace) -> None:
    print(f"before: {machine()}", flush=True)
    fake = FakeDiscord()
    await fake.start()
    started: list[AppProcess] = []
    apps: list[App] = []
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-discord-")))
        database = None
        if "postgresql" in args.storage:
            database = stack.enter_context(throwaway_postgres())
            print(f"PostgreSQL {postgres_version()} started for the run", flush=True)
        try:
            ours: list[tuple[str, AppProcess]] = []
            for storage in args.storage:
                home = folder / f"ours-{storage}"
                home.mkdir()
                more = {"DATABASE_URL": database} if storage == "postgresql" else {}
                env = discord_env(home, fake, f"ours-{storage}.bench", **more)
                if storage == "postgresql":
                    run_command(["db", "upgrade"], env, home)
                process = AppProcess(f"ours-{storage}", [COMMAND, "discord"], env, home)
                started.append(process)
                await process.start(partial(fake.connected, env["DISCORD_TOKEN"]))
                ours.append((f"ours ({storage})", process))
            first = ours[0][1].env["DISCORD_TOKEN"]
            recording = await walk(fake, first, RECORDER, ANSWERS, [], lambda n, sent: None)
            check_recording(recording)
            expected = [normalized(step) for step in recording]
            home = folder / "bare"
            home.mkdir()
            script = home / "script.json"
            script.write_text(
                json.dumps(
                    {
                        "person": {"id": RECORDER.id, "name": RECORDER.name},
                        **recording[0],
                        "clicks": recording[1:],
                    }
                )
            )
            bare = AppProcess(
                "bare-discord.py",
                [PYTHON, ROOT / "bench" / "discord_bare.py", script],
                discord_env(home, fake, "bare.bench"),
                home,
            )
            started.append(bare)
            await bare.start(partial(fake.connected, "bare.bench"))
            apps = [discord_app(name, process, fake, expected) for name, process in ours]
            apps.append(discord_app("bare discord.py", bare, fake, expected, True))
            print(
                f"recorded walk-through: {len(recording)} steps; the result is "
                f"{len(json.dumps(recording[-1]))} bytes of JSON, "
                f"{len(recording[-1]['data']['content'])} characters of text",
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
            f"Discord: {args.people} people at once, {args.conversations} walk-throughs each "
            f"({args.people * args.conversations * (len(ANSWERS) + 1)} interactions) per round, "
            f"{args.rounds} rounds per app",
            results,
            apps,
            "interactions",
        )
    )
    print()
    print("\n".join(stopped))
    if fake.unexpected:
        print(f"requests the fake did not expect: {sorted(set(fake.unexpected))[:10]}")
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
        default=["sqlite"],
        help="our bot's storage: default SQLite, DATABASE_URL on PostgreSQL, or both",
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

"""One comparison run: our app on each storage against a bare library app, taking turns.

The same for every platform: start the platform's fake; start `coach-or-therapy <platform>` once
per storage (SQLite by default, PostgreSQL on a throwaway server, schema brought up with
`coach-or-therapy db upgrade` as an operator would); record one walk-through from our app; start
the bare app, which replays that recording; alternate rounds; stop everything with SIGTERM;
print the report. A platform says only what differs (see Platform).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

from bench import profiling
from bench.harness import (
    COMMAND,
    PYTHON,
    App,
    AppProcess,
    alternate,
    machine,
    postgres_version,
    process_lines,
    report,
    run_command,
    throwaway_postgres,
)

Ready = Callable[[], Awaitable[bool]]
"""Whether a started app is ready for people."""

STORAGES = ("sqlite", "postgresql")


class Platform(Protocol):
    """What a platform's benchmark supplies."""

    command: str
    """The `coach-or-therapy` subcommand that serves it (slack, discord)."""
    title: str
    unit: str
    """What is counted: events, interactions."""
    steps: int
    """Events in one walk-through."""
    bare: Path
    """The bare library app's script; it is given the recording as a JSON file."""
    baseline: str
    """The bare app's name in the report (bare Bolt, bare discord.py)."""

    async def start(self) -> None:
        """Start the fake platform."""

    async def stop(self) -> None:
        """Stop the fake platform."""

    def environment(self, home: Path, name: str) -> dict[str, str]:
        """The settings an operator would give an app named `name` living in `home`."""

    def ready(self, env: dict[str, str]) -> Ready:
        """How to tell that the app started with `env` is ready."""

    async def record(self, env: dict[str, str]) -> dict[str, Any]:
        """Walk through once with our app started with `env`: the bare app's script."""

    def app(self, name: str, process: AppProcess, baseline: bool) -> App:
        """A started app and how a person walks through a conversation with it."""

    def notes(self) -> list[str]:
        """Anything else the report should say (requests the fake did not expect)."""


def arguments(description: str, storages: list[str]) -> argparse.Namespace:
    """The command line every comparison takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--people", type=int, default=50, help="people at once")
    parser.add_argument("--conversations", type=int, default=4, help="walk-throughs per person")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per app")
    parser.add_argument(
        "--storage",
        nargs="+",
        choices=STORAGES,
        default=storages,
        help=f"our app's storage: default SQLite, DATABASE_URL on PostgreSQL (default: "
        f"{' '.join(storages)})",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="sample our app and the bare one with py-spy during the rounds; profiles go to DIR",
    )
    return parser.parse_args()


async def compare(platform: Platform, args: argparse.Namespace) -> None:
    """Run the comparison and print its report."""
    print(f"before: {machine()}", flush=True)
    await platform.start()
    started: list[AppProcess] = []
    apps: list[App] = []
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        database = None
        if "postgresql" in args.storage:
            database = stack.enter_context(throwaway_postgres())
            print(f"PostgreSQL {postgres_version()} started for the run", flush=True)
        try:
            ours = []
            for storage in args.storage:
                home = folder / f"ours-{storage}"
                home.mkdir()
                env = platform.environment(home, f"ours-{storage}")
                if database is not None and storage == "postgresql":
                    env["DATABASE_URL"] = database
                    run_command(["db", "upgrade"], env, home)
                process = AppProcess(f"ours-{storage}", [COMMAND, platform.command], env, home)
                started.append(process)
                await process.start(platform.ready(env))
                ours.append((f"ours ({storage})", process))
            script = await platform.record(ours[0][1].env)
            home = folder / "bare"
            home.mkdir()
            recorded = home / "script.json"
            recorded.write_text(json.dumps(script))
            env = platform.environment(home, "bare")
            bare = AppProcess("bare", [PYTHON, platform.bare, recorded], env, home)
            started.append(bare)
            await bare.start(platform.ready(env))
            apps = [platform.app(name, process, False) for name, process in ours]
            apps.append(platform.app(platform.baseline, bare, True))
            with profiling.recording([*(p for _, p in ours), bare], args.profile) as profiles:
                results = await alternate(apps, args.rounds, args.people, args.conversations)
        finally:
            for process in started:
                await process.stop()
            stopped = process_lines(apps)  # while their logs are still there
    await platform.stop()
    per_round = args.people * args.conversations * platform.steps
    title = (
        f"{platform.title}: {args.people} people at once, {args.conversations} walk-throughs "
        f"each ({per_round} {platform.unit}) per round, {args.rounds} rounds per app"
    )
    print()
    print(report(title, results, apps, platform.unit))
    print()
    print("\n".join([*stopped, *platform.notes()]))
    for path in profiles:
        print("\n".join(profiling.summary(path)))
    print(f"after: {machine()}")

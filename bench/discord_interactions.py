"""Discord: the real `coach-or-therapy discord` process against a bare discord.py client.

Our bot runs as an operator runs it: the installed command, its settings in the environment only
(DISCORD_TOKEN, DISCORD_API_URL at a loopback fake Discord whose `GET /gateway/bot` names a
loopback fake gateway, a temporary DATA_DIR), with its default storage (SQLite in DATA_DIR), or
DATABASE_URL on a throwaway PostgreSQL server with `--storage postgresql`. The bare client
(bench/discord_bare.py) runs in a process of its own and sends the very messages our bot sent in
a recorded walk-through. Every interaction goes in through the gateway as an INTERACTION_CREATE
payload: the slash command (the bot opens a private thread, adds the person, posts the first
question there and edits its reply to point at it) and a click on each answer. Every answer is
checked against the recorded one, and the two take turns, round by round, in one run. A click's
latency is until its interaction callback reaches the fake REST server; the command's is until
the first question is in the thread and the reply edited.

    .venv/bin/python bench/discord_interactions.py [--people 50] [--conversations 4]
                                                   [--rounds 5] [--storage sqlite] [--profile DIR]
"""

from __future__ import annotations

import asyncio
import sys
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.comparison import Ready, arguments, compare  # noqa: E402
from bench.discord_fake import FakeDiscord, Person, discord_env, normalized, walk  # noqa: E402
from bench.harness import (  # noqa: E402
    ANSWERS,
    App,
    AppProcess,
    Mismatch,
    Timings,
    check_walk_through,
    difference,
)

RECORDER = Person.number(99999)


def check_recording(seen: list[dict[str, Any]]) -> None:
    """The recorded walk-through: a thread with question 1, questions 2 to 9, then a result."""
    texts = [seen[0]["message"].get("content") or ""]
    texts += [(s.get("data") or {}).get("content") or "" for s in seen[1:]]
    check_walk_through(texts, "step")


def matches(expected: list[str], n: int, sent: dict[str, Any]) -> None:
    """What the bot sent at step n must be the recorded message, apart from the person's own."""
    got = normalized(sent)
    if got != expected[n]:
        raise Mismatch(f"step {n}: {difference(got, expected[n])} was recorded")


class Discord:
    """Discord over the gateway and REST, for bench.comparison."""

    command = "discord"
    title = "Discord"
    unit = "interactions"
    steps = len(ANSWERS) + 1
    bare = ROOT / "bench" / "discord_bare.py"
    baseline = "bare discord.py"

    def __init__(self) -> None:
        self.fake = FakeDiscord()
        self.expected: list[str] = []

    async def start(self) -> None:
        await self.fake.start()

    async def stop(self) -> None:
        await self.fake.stop()

    def environment(self, home: Path, name: str) -> dict[str, str]:
        return discord_env(home, self.fake, f"{name}.bench")

    def ready(self, env: dict[str, str]) -> Ready:
        return partial(self.fake.connected, env["DISCORD_TOKEN"])

    async def record(self, env: dict[str, str]) -> dict[str, Any]:
        seen = await walk(
            self.fake, env["DISCORD_TOKEN"], RECORDER, ANSWERS, Timings(), lambda n, sent: None
        )
        check_recording(seen)
        self.expected = [normalized(step) for step in seen]
        result = seen[-1]["data"]["content"]
        print(
            f"recorded walk-through: {len(seen)} steps; the result is {len(result)} characters",
            flush=True,
        )
        person = {"id": RECORDER.id, "name": RECORDER.name}
        return {"person": person, **seen[0], "clicks": seen[1:]}

    def app(self, name: str, process: AppProcess, baseline: bool) -> App:
        token = process.env["DISCORD_TOKEN"]

        async def converse(person: int, number: int, timings: Timings) -> None:
            check = partial(matches, self.expected)
            await walk(self.fake, token, Person.number(person), ANSWERS, timings, check)

        return App(name, process, converse, baseline)

    def notes(self) -> list[str]:
        if not self.fake.unexpected:
            return []
        return [f"requests the fake did not expect: {sorted(set(self.fake.unexpected))[:10]}"]


if __name__ == "__main__":
    args = arguments(__doc__.splitlines()[0], ["sqlite"])
    asyncio.run(compare(Discord(), args))

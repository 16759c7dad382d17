"""Slack over HTTP: the real `coach-or-therapy slack` process against a bare Bolt app.

Our app runs as an operator runs it: the installed command, HTTP mode, its settings in the
environment only (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL at a loopback fake Slack,
HOST, PORT, a temporary DATA_DIR), once with its default storage (SQLite in DATA_DIR) and once
with DATABASE_URL on a throwaway PostgreSQL server started here. The bare Bolt app
(bench/slack_bare.py) runs in a process of its own and sends the very messages our app sent in a
recorded walk-through. Simulated people type the slash command and click through all nine
questions; every reply is checked against the recorded one, and the apps take turns, round by
round, in one run. A command's latency is until its ack (which carries the first question); a
click's is until its reply reaches the fake's response_url.

    .venv/bin/python bench/slack_http.py [--people 50] [--conversations 4] [--rounds 5]
                                         [--storage sqlite postgresql] [--profile DIR]
"""

from __future__ import annotations

import asyncio
import json
import sys
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.comparison import Ready, arguments, compare  # noqa: E402
from bench.harness import (  # noqa: E402
    ANSWERS,
    App,
    AppProcess,
    Mismatch,
    Timings,
    check_walk_through,
    difference,
    port_open,
)
from bench.slack_fake import FakeSlack, events_url, slack_env, walk, without_tokens, words  # noqa: E402
from tests.loopback import free_port  # noqa: E402


def check_recording(messages: list[dict[str, Any]]) -> None:
    """The recorded walk-through: nine questions in order, then a result."""
    check_walk_through([words(message) for message in messages])


def matches(expected: list[dict[str, Any]], n: int, message: dict[str, Any]) -> None:
    """Message n must be the recorded one, apart from each person's own tokens."""
    got = without_tokens(message)
    if got != expected[n]:
        found, recorded = json.dumps(got), json.dumps(expected[n])
        raise Mismatch(f"message {n}: {difference(found, recorded)} was recorded")


class Slack:
    """Slack over HTTP, for bench.comparison."""

    command = "slack"
    title = "Slack over HTTP"
    unit = "events"
    steps = len(ANSWERS) + 1
    bare = ROOT / "bench" / "slack_bare.py"
    baseline = "bare Bolt"

    def __init__(self) -> None:
        self.fake = FakeSlack()
        self.expected: list[dict[str, Any]] = []
        self.http: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        await self.fake.start()
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))

    async def stop(self) -> None:
        if self.http is not None:
            await self.http.close()
        await self.fake.stop()

    def environment(self, home: Path, name: str) -> dict[str, str]:
        return slack_env(home, self.fake, free_port())

    def ready(self, env: dict[str, str]) -> Ready:
        return partial(port_open, int(env["PORT"]))

    async def record(self, env: dict[str, str]) -> dict[str, Any]:
        assert self.http is not None
        url = events_url(int(env["PORT"]))
        messages = await walk(
            self.http, url, self.fake, "URECORD", "record", ANSWERS, Timings(), lambda n, m: None
        )
        check_recording(messages)
        self.expected = [without_tokens(m) for m in messages]
        print(
            f"recorded walk-through: {len(messages)} messages; the result is "
            f"{len(json.dumps(messages[-1]))} bytes of JSON, "
            f"{len(words(messages[-1]))} characters of text",
            flush=True,
        )
        return {"ack": messages[0], "replies": messages[1:]}

    def app(self, name: str, process: AppProcess, baseline: bool) -> App:
        url = events_url(int(process.env["PORT"]))

        async def converse(person: int, number: int, timings: Timings) -> None:
            assert self.http is not None
            await walk(
                self.http,
                url,
                self.fake,
                f"U{person:05d}",
                f"{process.name}-{number}",
                ANSWERS,
                timings,
                partial(matches, self.expected),
            )

        return App(name, process, converse, baseline)

    def notes(self) -> list[str]:
        return []


if __name__ == "__main__":
    args = arguments(__doc__.splitlines()[0], ["sqlite", "postgresql"])
    asyncio.run(compare(Slack(), args))

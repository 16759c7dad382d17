"""Teams over HTTP: the real `coach-or-therapy teams` process against a bare handler of the SDK.

Our bot runs as an operator runs it: the installed command, its settings in the environment only
(TEAMS_APP_ID, TEAMS_APP_PASSWORD, TEAMS_OPENID_URL and TEAMS_TOKEN_URL at a loopback fake of
Microsoft, HOST, PORT, a temporary DATA_DIR), with its default storage (SQLite in DATA_DIR) or
DATABASE_URL on a throwaway PostgreSQL server. The bare handler (bench/teams_bare.py) runs in a
process of its own and sends the very cards our bot sent in a recorded walk-through. Simulated
people message the bot in a personal chat and click through all nine questions; every card is
checked against the recorded one, and the apps take turns, round by round, in one run. A
message's latency is until its card reaches the fake Bot Connector; a click's is until its invoke
is answered with the next card.

    .venv/bin/python bench/teams_http.py [--people 50] [--conversations 4] [--rounds 5]
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
from bench.teams_fake import (  # noqa: E402
    FakeMicrosoft,
    messages_url,
    refuses_forged_tokens,
    teams_env,
    walk,
    without_tokens,
)
from tests.loopback import free_port  # noqa: E402


def _words(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


def check_recording(cards: list[dict[str, Any]]) -> None:
    """The recorded walk-through: nine questions in order, then a result."""
    check_walk_through([_words(card) for card in cards], "card")


def matches(expected: list[dict[str, Any]], n: int, card: dict[str, Any]) -> None:
    """Card n must be the recorded one, apart from each person's own tokens."""
    got = without_tokens(card)
    if got != expected[n]:
        found, recorded = json.dumps(got), json.dumps(expected[n])
        raise Mismatch(f"card {n}: {difference(found, recorded)} was recorded")


class Teams:
    """Teams over HTTP, for bench.comparison."""

    command = "teams"
    title = "Teams over HTTP"
    unit = "activities"
    steps = len(ANSWERS) + 1
    bare = ROOT / "bench" / "teams_bare.py"
    baseline = "bare SDK handler"

    def __init__(self) -> None:
        self.fake = FakeMicrosoft()
        self.expected: list[dict[str, Any]] = []
        self.http: aiohttp.ClientSession | None = None
        self.refusing: set[str] = set()

    async def start(self) -> None:
        await self.fake.start()
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))

    async def stop(self) -> None:
        if self.http is not None:
            await self.http.close()
        await self.fake.stop()

    def environment(self, home: Path, name: str) -> dict[str, str]:
        return teams_env(home, self.fake, free_port())

    def ready(self, env: dict[str, str]) -> Ready:
        return partial(port_open, int(env["PORT"]))

    async def record(self, env: dict[str, str]) -> dict[str, Any]:
        assert self.http is not None
        url = messages_url(int(env["PORT"]))
        cards = await walk(
            self.http, url, self.fake, "record", "record", ANSWERS, Timings(), lambda n, c: None
        )
        check_recording(cards)
        self.expected = [without_tokens(c) for c in cards]
        print(
            f"recorded walk-through: {len(cards)} cards; the result is "
            f"{len(json.dumps(cards[-1]))} bytes of JSON",
            flush=True,
        )
        return {"first": cards[0], "replies": cards[1:]}

    def app(self, name: str, process: AppProcess, baseline: bool) -> App:
        url = messages_url(int(process.env["PORT"]))

        async def converse(person: int, number: int, timings: Timings) -> None:
            assert self.http is not None
            if process.name not in self.refusing:  # once, in the warm-up round
                self.refusing.add(process.name)
                await refuses_forged_tokens(self.http, url, self.fake)
            await walk(
                self.http,
                url,
                self.fake,
                f"p{person:05d}",
                f"{process.name}-{number}",
                ANSWERS,
                timings,
                partial(matches, self.expected),
            )

        return App(name, process, converse, baseline)

    def notes(self) -> list[str]:
        if self.fake.unexpected:
            return [f"the fake had {self.fake.unexpected} requests it did not expect"]
        return []


if __name__ == "__main__":
    args = arguments(__doc__.splitlines()[0], ["sqlite", "postgresql"])
    asyncio.run(compare(Teams(), args))

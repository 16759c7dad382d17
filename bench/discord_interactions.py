"""Discord bot throughput and latency against a bare discord.py client answering the same shape.

N people each walk through a whole conversation (the safety question, then one click per
question) at the same time, each in their own private thread: the messages are not ephemeral,
so the bot also checks that the clicker owns the conversation before editing. Every click is a
gateway INTERACTION_CREATE payload fed to the client's parser; the clock stops when the fake
Discord REST server (127.0.0.1, its own process) has acknowledged the interaction callback. The
bare client is a plain discord.Client with a DynamicItem button that edits the message to a
question-sized text and the same number of buttons, without the engine, token, rendering or
storage: the floor any discord.py bot pays.

Usage: .venv/bin/python bench/discord_interactions.py [--people 50] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import multiprocessing
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import discord  # noqa: E402

from adapters.discord.client import make_client  # noqa: E402
from adapters.discord.render import render  # noqa: E402
from adapters.runtime import build_runtime  # noqa: E402
from bot.engine import step  # noqa: E402
from bot.events import Continue  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.state import State, Who, seal  # noqa: E402
from tests.discord.fake_discord import APP_ID, GUILD_ID, FakeDiscord, Message  # noqa: E402

CHANNEL_ID = "700000000000000001"
ANSWERS = (2, 0, 1, 0, 1, 0, 1, 0, 1)  # safety "no", then one answer per question
_ids = itertools.count(600000000000000000)


class BareButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"bare:(?P<step>[0-9]+):(?P<pad>[A-Za-z0-9_-]*)",
):
    """The least a discord.py bot does for a click: edit the message to the next step."""

    def __init__(self, step: int, pad: str, row: int | None = None) -> None:
        button = discord.ui.Button[Any](
            label=f"Answer {pad[-1]}", custom_id=f"bare:{step}:{pad}", row=row
        )
        super().__init__(button)
        self.step = step

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: Any, match: re.Match[str], /
    ) -> BareButton:
        return cls(int(match["step"]), match["pad"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.edit_message(content=QUESTION, view=bare_view(self.step + 1))


QUESTION = "Q" * 300


def bare_view(step: int) -> discord.ui.View:
    """The same shape as a question: four answers a row each, then three controls."""
    view = discord.ui.View(timeout=None)
    for row in range(4):
        view.add_item(BareButton(step, "A" * 34 + str(row), row=row))
    for control in range(3):
        view.add_item(BareButton(step, "B" * 34 + str(control), row=4))
    return view


class BareClient(discord.Client):
    """A plain discord.py client with one dynamic button."""

    def __init__(self, **options: Any) -> None:
        super().__init__(intents=discord.Intents.default(), **options)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(BareButton)


def payload(user_id: str, message: Message, custom_id: str) -> dict[str, Any]:
    interaction_id = str(next(_ids))
    return {
        "id": interaction_id,
        "application_id": APP_ID,
        "type": 3,
        "token": f"t-{interaction_id}",
        "version": 1,
        "attachment_size_limit": 8388608,
        "locale": "en-GB",
        "guild_id": GUILD_ID,
        "guild_locale": "en-US",
        "channel_id": CHANNEL_ID,
        "channel": {
            "id": CHANNEL_ID,
            "type": 0,
            "guild_id": GUILD_ID,
            "name": "general",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "flags": 0,
        },
        "member": {
            "user": {"id": user_id, "username": "p", "discriminator": "0", "avatar": None},
            "roles": [],
            "permissions": "3072",
            "flags": 0,
            "joined_at": "2025-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
        },
        "app_permissions": "0",
        "entitlements": [],
        "authorizing_integration_owners": {"0": GUILD_ID},
        "context": 0,
        "data": {"custom_id": custom_id, "component_type": 2},
        "message": message.payload(),
    }


class Driver:
    """Feeds clicks to one client; a click is done when Discord acknowledges its callback."""

    def __init__(self, trace: aiohttp.TraceConfig) -> None:
        self.client: discord.Client | None = None
        self.loop = asyncio.get_running_loop()
        self.waiting: dict[str, asyncio.Future[float]] = {}
        trace.on_request_end.append(self._ended)

    async def _ended(
        self, session: Any, context: Any, params: aiohttp.TraceRequestEndParams
    ) -> None:
        parts = params.url.path.split("/")
        if len(parts) > 5 and parts[3] == "interactions" and params.response.status < 300:
            future = self.waiting.get(parts[5])
            if future is not None and not future.done():
                future.set_result(time.perf_counter())

    async def click(self, data: dict[str, Any]) -> float:
        future: asyncio.Future[float] = self.loop.create_future()
        self.waiting[data["token"]] = future
        started = time.perf_counter()
        assert self.client is not None
        self.client._connection.parsers["INTERACTION_CREATE"](data)
        ended = await asyncio.wait_for(future, 30)
        del self.waiting[data["token"]]
        return ended - started


Screen = Callable[[str, int], tuple[Message, str]]
"""For a person and a step: the message they look at and the custom_id they press."""


async def conversation(driver: Driver, clicks: list[dict[str, Any]]) -> list[float]:
    return [await driver.click(data) for data in clicks]


async def run_round(
    driver: Driver, people: int, screen: Screen
) -> tuple[float, list[float], float]:
    """Interactions per second, each one's latency, and this process's CPU per interaction."""
    users = [str(500000000000000000 + i) for i in range(people)]
    # every payload is made before the clock starts, so only the clients are timed
    clicks = [
        [payload(user, *screen(user, number)) for number in range(len(ANSWERS))] for user in users
    ]
    began, cpu = time.perf_counter(), time.process_time()
    results = await asyncio.gather(*(conversation(driver, each) for each in clicks))
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    latencies = [x for r in results for x in r]
    return len(latencies) / elapsed, latencies, cpu / len(latencies)


def serve_fake(pipe: Connection) -> None:
    """Run the fake Discord in its own process, so it never competes with a client for the GIL."""
    fake = FakeDiscord().start()
    pipe.send(fake.base)
    pipe.recv()
    fake.stop()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def main(people: int, rounds: int) -> None:
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve_fake, args=(child,), daemon=True)
    server.start()
    discord.http.Route.BASE = parent.recv()
    runtime = build_runtime(
        Settings(
            state_secret="bench-secret-of-enough-length",
            data_dir=Path(tempfile.mkdtemp()),
            default_region="GB",
        )
    )
    guide = runtime.book.guide()
    ours_trace, bare_trace = aiohttp.TraceConfig(), aiohttp.TraceConfig()
    ours_driver, bare_driver = Driver(ours_trace), Driver(bare_trace)
    ours = make_client(runtime, http_trace=ours_trace)
    bare = BareClient(http_trace=bare_trace)
    ours_driver.client, bare_driver.client = ours, bare
    await ours.login("bench")
    await bare.login("bench")

    def screen_ours(user: str, number: int) -> tuple[Message, str]:
        # the message as the person sees it after `number` answers, sealed like the bot seals it
        who = Who("discord", GUILD_ID, user)
        answers = ANSWERS[:number]
        token = seal(runtime.keyring, who, State(answers), guide.content.fingerprint, time.time())
        (effect,) = step(guide, State(answers), Continue(), 0).effects
        components = render(effect, token).view().to_components()
        message = Message(str(next(_ids)), CHANNEL_ID, "", [], components, ephemeral=False)
        return message, message.buttons()[ANSWERS[number]]["custom_id"]

    def screen_bare(user: str, number: int) -> tuple[Message, str]:
        components = bare_view(number).to_components()
        message = Message(str(next(_ids)), CHANNEL_ID, QUESTION, [], components, ephemeral=False)
        return message, message.buttons()[ANSWERS[number]]["custom_id"]

    drivers = {
        "coach-or-therapy": (ours_driver, screen_ours),
        "bare discord.py": (bare_driver, screen_bare),
    }
    runs: dict[str, list[tuple[float, list[float], float]]] = {name: [] for name in drivers}
    for driver, screen in drivers.values():
        await run_round(driver, people, screen)  # warm-up
    for _ in range(rounds):
        for name, (driver, screen) in drivers.items():
            runs[name].append(await run_round(driver, people, screen))
    await ours.close()
    await bare.close()
    parent.send("stop")
    server.join(5)
    report(runs, people, rounds)


def report(
    runs: dict[str, list[tuple[float, list[float], float]]], people: int, rounds: int
) -> None:
    """Print the table and the ratios against the bare client."""
    print(
        f"{people} concurrent conversations x {len(ANSWERS)} clicks, {rounds} rounds each, "
        f"Python {sys.version.split()[0]}, discord.py {discord.__version__}, "
        f"{os.cpu_count()} CPUs"
    )
    print("| client           | interactions/s | p50 ms | p99 ms | CPU µs each | interactions |")
    print("|------------------|----------------|--------|--------|-------------|--------------|")
    summary = {}
    for name, results in runs.items():
        rate = statistics.median(r[0] for r in results)
        latencies = [x for r in results for x in r[1]]
        cpu = statistics.median(r[2] for r in results) * 1e6
        p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
        summary[name] = (rate, p99, cpu)
        print(
            f"| {name:<16} | {rate:>14.0f} | {p50:>6.2f} | {p99:>6.2f} | {cpu:>11.0f} "
            f"| {len(latencies):>12} |"
        )
    (ours_rate, ours_p99, ours_cpu), (bare_rate, bare_p99, bare_cpu) = summary.values()
    paired = statistics.median(o[0] / b[0] for o, b in zip(*runs.values(), strict=True))
    print(f"throughput ratio (ours / bare): {ours_rate / bare_rate:.2f}x (target >= 0.9x)")
    print(f"median of the paired rounds' throughput ratios: {paired:.2f}x")
    print(f"p99 ratio (ours / bare): {ours_p99 / bare_p99:.2f}x (target <= 1.2x)")
    print(f"CPU per interaction ratio (ours / bare): {ours_cpu / bare_cpu:.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50, help="concurrent conversations")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per client")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(args.people, args.rounds))

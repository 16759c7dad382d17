"""Slack over HTTP: this app against a bare Bolt app answering the same conversation.

Each simulated person types the slash command and clicks through all nine questions; every click
is answered through a response_url on a loopback fake Slack. The bare app sends the same messages
(same blocks, buttons and bytes) but keeps its state in a dict and uses Bolt's own respond().
Each app runs in its own process; the people and the fake Slack share this one.

    .venv/bin/python bench/slack_http.py [--people 50] [--conversations 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.slack_fake import FakeSlack, click_body, command_body, free_port, signed  # noqa: E402

SECRET = "bench-signing-secret"
ANSWERS = (2, 0, 1, 2, 0, 1, 2, 0, 1)
"""The safety "No", then a mix of answers; every conversation takes this path."""


# --- the apps under test (each runs in its own process) -------------------------------------


def _settings(fake: str, data_dir: str) -> Any:
    from bot.settings import Settings

    return Settings(
        slack_bot_token="xoxb-bench",
        slack_signing_secret=SECRET,
        slack_api_url=f"{fake}/api/",
        state_secret="bench-state-secret-0123456789",
        data_dir=Path(data_dir),
        default_region="GB",
        log_level="WARNING",
    )


def _script(runtime: Any) -> list[dict[str, Any]]:
    """The messages of the benchmarked conversation, as this app renders them."""
    from adapters.slack.render import render
    from bot.events import Choose, Start
    from bot.state import Who
    from bot.turn import take_turn

    guide = runtime.book.guide()
    who = Who("slack", "T1", "U1")
    turn = take_turn(guide, runtime.keyring, who, Start(), None, time.time())
    messages = [render(turn.effects[0], turn.token)]
    for answer in ANSWERS:
        turn = take_turn(guide, runtime.keyring, who, Choose(answer), turn.token, time.time())
        messages.append(render(turn.effects[0], turn.token))
    return messages


def _serve(kind: str, port: int, fake: str, data_dir: str) -> None:
    from adapters.runtime import build_runtime

    runtime = build_runtime(_settings(fake, data_dir))

    async def main() -> None:
        if kind == "ours":
            from adapters.slack.app import build_app
            from adapters.slack.server import build_web_app

            web_app = build_web_app(build_app(runtime), SECRET)
        else:
            web_app = _bare_app(fake, _script(runtime))
        runner = web.AppRunner(web_app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        print("ready", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


def _bare_app(fake: str, script: list[dict[str, Any]]) -> web.Application:
    """A plain Bolt app: same messages, state in a dict, Bolt's respond()."""
    from slack_bolt.app.async_server import AsyncSlackAppServer
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    app = AsyncApp(
        name="bare",
        signing_secret=SECRET,
        client=AsyncWebClient(token="xoxb-bench", base_url=f"{fake}/api/"),
    )
    progress: dict[str, int] = {}

    @app.command("/coach-or-therapy")
    async def command(ack: Any, body: dict[str, Any]) -> None:
        progress[body["user_id"]] = 0
        await ack({"response_type": "ephemeral", **script[0]})

    @app.action(re.compile(r"^cot:c[0-9]$"))
    async def click(ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        user = body["user"]["id"]
        progress[user] += 1
        await respond(replace_original=True, **script[progress[user]])

    return AsyncSlackAppServer(port=0, path="/slack/events", app=app).web_app


# --- the people -------------------------------------------------------------------------------


async def _person(
    n: int,
    conversations: int,
    url: str,
    fake: FakeSlack,
    http: aiohttp.ClientSession,
    latencies: list[float],
) -> None:
    user = f"U{n:05d}"
    for c in range(conversations):
        body = command_body(user, fake.url)
        started = time.perf_counter()
        async with http.post(url, data=body, headers=signed(SECRET, body)) as resp:
            message = await resp.json()
        latencies.append(time.perf_counter() - started)
        for step, answer in enumerate(ANSWERS):
            element = next(
                e
                for b in message["blocks"]
                if b["type"] == "actions"
                for e in b["elements"]
                if e["action_id"] == f"cot:c{answer}"
            )
            path = f"/respond/{user}-{c}-{step}"
            future = fake.expect(path)
            action = {
                "action_id": element["action_id"],
                "value": element.get("value", ""),
                "block_id": "b",
                "type": "button",
            }
            body = click_body(user, fake.url + path, action)
            started = time.perf_counter()
            async with http.post(url, data=body, headers=signed(SECRET, body)) as resp:
                if resp.status != 200:
                    raise RuntimeError(f"HTTP {resp.status}: {await resp.text()}")
            message = json.loads(await asyncio.wait_for(future, 30))
            latencies.append(time.perf_counter() - started)


async def _round(
    url: str, fake: FakeSlack, people: int, conversations: int
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        started = time.perf_counter()
        await asyncio.gather(
            *(_person(n, conversations, url, fake, http, latencies) for n in range(people))
        )
        elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, latencies


def _start_server(kind: str, port: int, fake_url: str, data_dir: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            kind,
            "--port",
            str(port),
            "--fake",
            fake_url,
            "--data-dir",
            data_dir,
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    if process.stdout.readline().strip() != "ready":
        raise RuntimeError(f"the {kind} app did not start")
    return process


async def _main(args: argparse.Namespace) -> None:
    import tempfile

    fake = FakeSlack()
    fake_url = await fake.start()
    results: dict[str, list[tuple[float, list[float]]]] = {"ours": [], "bare": []}
    with tempfile.TemporaryDirectory() as data_dir:
        servers = {}
        for kind in ("ours", "bare"):
            port = free_port()
            servers[kind] = (_start_server(kind, port, fake_url, data_dir), port)
        try:
            for _, port in servers.values():  # warm-up
                await _round(f"http://127.0.0.1:{port}/slack/events", fake, 5, 1)
            for _ in range(args.rounds):
                for kind, (_, port) in servers.items():
                    url = f"http://127.0.0.1:{port}/slack/events"
                    results[kind].append(await _round(url, fake, args.people, args.conversations))
        finally:
            for process, _ in servers.values():
                process.terminate()
                process.wait()
    await fake.stop()
    summary = {}
    for kind, rounds in results.items():
        pooled = sorted(lat for _, lats in rounds for lat in lats)
        summary[kind] = (
            statistics.median(rate for rate, _ in rounds),
            pooled[len(pooled) // 2] * 1000,
            pooled[min(len(pooled) - 1, int(len(pooled) * 0.99))] * 1000,
            len(pooled),
        )
    print(
        f"people={args.people} conversations/person={args.conversations} rounds={args.rounds} "
        f"python={sys.version.split()[0]} cpus={os.cpu_count()}"
    )
    print(f"{'app':<6}{'events/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'events':>8}")
    for kind, (rate, p50, p99, n) in summary.items():
        print(f"{kind:<6}{rate:>10.0f}{p50:>9.1f}{p99:>9.1f}{n:>8}")
    ours, bare = summary["ours"], summary["bare"]
    print(
        f"throughput ratio ours/bare = {ours[0] / bare[0]:.2f} (target >= 0.90); "
        f"p99 ratio = {ours[2] / bare[2]:.2f} (target <= 1.20)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--conversations", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--serve", choices=("ours", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--fake", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _serve(args.serve, args.port, args.fake, args.data_dir)
    else:
        asyncio.run(_main(args))


if __name__ == "__main__":
    main()

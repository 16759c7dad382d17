"""What the Slack benchmarks share: a loopback fake Slack, signed bodies, a person's walk-through.

The fake answers every Web API method with ok (users.info says ADMIN is a workspace admin) and
hands each message posted to a response_url, with the time it arrived, to whoever awaits that
path, so a simulated person can wait for the reply to their click.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bench.harness import REPLY_TIMEOUT, Mismatch, Timings, operator_env
from tests.loopback import listen

SECRET = "bench-signing-secret"
TEAM = "T1"
CHANNEL = "C1"
ADMIN = "UADMIN"
"""The one person users.info calls a workspace admin (for `/coach-or-therapy stats`)."""

Arrival = tuple[float, bytes]
"""When a body reached the fake (time.perf_counter) and the body."""

Check = Callable[[int, dict[str, Any]], None]
"""Raises Mismatch when message number n of a walk-through (0: the command's) is not right."""


class FakeSlack:
    """Web API (every method ok) and response_urls that hand each reply to whoever awaits it."""

    def __init__(self) -> None:
        self.waiting: dict[str, asyncio.Future[Arrival]] = {}
        self.url = ""
        self._runner: web.AppRunner | None = None

    def expect(self, path: str) -> asyncio.Future[Arrival]:
        """A future that resolves with the arrival of the body next posted to `path`."""
        future: asyncio.Future[Arrival] = asyncio.get_running_loop().create_future()
        self.waiting[path] = future
        return future

    async def handle(self, request: web.Request) -> web.Response:
        """Answer one request from an app under test."""
        body = await request.read()
        if request.path.startswith("/respond/"):
            future = self.waiting.pop(request.path, None)
            if future is not None and not future.done():
                future.set_result((time.perf_counter(), body))
            return web.Response(text="ok")
        answer: dict[str, Any] = {
            "ok": True,
            "team_id": TEAM,
            "user_id": "UB",
            "bot_id": "B1",
            "team": "t",
        }
        if request.path.endswith("/users.info"):
            user = request.query.get("user") or (await request.post()).get("user")
            answer["user"] = {"id": user, "is_admin": user == ADMIN}
        return web.json_response(answer)

    async def start(self) -> str:
        """Listen on a free loopback port; returns the base URL."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self._runner, self.url = await listen(app)
        return self.url

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()


def slack_env(home: Path, fake: FakeSlack, port: int, **more: object) -> dict[str, str]:
    """The settings an operator gives an HTTP-mode Slack app (the bare one reads them too)."""
    return operator_env(
        home,
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=f"{fake.url}/api/",
        HOST="127.0.0.1",
        PORT=port,
        DATA_DIR=home / "data",
        **more,
    )


def events_url(port: int) -> str:
    """Where an app listening on `port` takes Slack's requests."""
    return f"http://127.0.0.1:{port}/slack/events"


def signed(secret: str, body: str) -> dict[str, str]:
    """Headers Slack would send with `body`, signed with `secret` now."""
    ts = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body) or ""
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }


def command_body(user: str, fake_url: str, text: str = "") -> str:
    """The form body of `/coach-or-therapy [text]` typed by `user` in channel C1 of workspace T1."""
    return urlencode(
        {
            "command": "/coach-or-therapy",
            "text": text,
            "user_id": user,
            "team_id": TEAM,
            "channel_id": CHANNEL,
            "response_url": f"{fake_url}/respond/cmd",
            "trigger_id": "1",
        }
    )


def click_body(user: str, response_url: str, action: dict[str, Any]) -> str:
    """The form body of a block_actions click by `user` on an ephemeral message in C1."""
    payload = {
        "type": "block_actions",
        "user": {"id": user, "team_id": TEAM},
        "team": {"id": TEAM},
        "container": {"type": "message", "is_ephemeral": True, "channel_id": CHANNEL},
        "channel": {"id": CHANNEL},
        "response_url": response_url,
        "actions": [action],
    }
    return urlencode({"payload": json.dumps(payload)})


def answer_button(message: dict[str, Any], index: int) -> dict[str, Any]:
    """Answer button number `index` (its action_id is ``cot:c<index>``) of a message."""
    code = f"cot:c{index}"
    for block in message.get("blocks", []):
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("action_id") == code:
                return dict(element)
    raise Mismatch(f"no answer {index} on the message")


def words(value: Any) -> str:
    """Every text a person would read in a message, in order."""
    if isinstance(value, dict):
        return " ".join(words(v) for k, v in value.items() if k in ("text", "blocks", "elements"))
    if isinstance(value, list):
        return " ".join(words(v) for v in value)
    return value if isinstance(value, str) else ""


def without_tokens(message: dict[str, Any]) -> dict[str, Any]:
    """The message with its buttons' values (each person's signed token) left out."""
    blocks = []
    for block in message.get("blocks", []):
        if block.get("type") == "actions":
            elements = [{k: v for k, v in e.items() if k != "value"} for e in block["elements"]]
            block = {**block, "elements": elements}
        blocks.append(block)
    return {**message, "blocks": blocks}


async def post(http: aiohttp.ClientSession, url: str, body: str) -> bytes:
    """POST a signed form body; the response body, or Mismatch when it is not a 200."""
    async with http.post(url, data=body, headers=signed(SECRET, body)) as response:
        answer = await response.read()
        if response.status != 200:
            raise Mismatch(f"HTTP {response.status}: {answer[:200]!r}")
        return answer


async def command(
    http: aiohttp.ClientSession, url: str, fake: FakeSlack, user: str, text: str = ""
) -> dict[str, Any]:
    """`/coach-or-therapy [text]` typed by `user`: the message its ack carries."""
    answer: dict[str, Any] = json.loads(await post(http, url, command_body(user, fake.url, text)))
    return answer


async def walk(
    http: aiohttp.ClientSession,
    url: str,
    fake: FakeSlack,
    user: str,
    tag: str,
    answers: tuple[int, ...],
    timings: Timings,
    check: Check,
) -> list[dict[str, Any]]:
    """One walk-through: the slash command, then a click on each answer in turn.

    A command's latency is until its ack (which carries the first question); a click's is until
    its reply reaches the fake's response_url. Every message goes through `check`; the
    messages are returned in order.
    """
    started = time.perf_counter()
    message = await command(http, url, fake, user)
    timings.commands.append(time.perf_counter() - started)
    check(0, message)
    messages = [message]
    for step, answer in enumerate(answers, start=1):
        pressed = answer_button(message, answer)
        path = f"/respond/{user}-{tag}-{step}"
        reply = fake.expect(path)
        action = {
            "type": "button",
            "action_id": pressed["action_id"],
            "value": pressed.get("value", ""),
            "block_id": "b",
            "text": pressed["text"],
        }
        body = click_body(user, fake.url + path, action)
        try:
            started = time.perf_counter()
            await post(http, url, body)
            arrived, raw = await asyncio.wait_for(reply, REPLY_TIMEOUT)
        finally:
            fake.waiting.pop(path, None)
        timings.clicks.append(arrived - started)
        message = json.loads(raw)
        check(step, message)
        messages.append(message)
    return messages

"""What the Discord benchmarks share: a loopback fake Discord and a person's walk-through.

The fake serves just enough of Discord's REST API for a bot to log in, open private threads,
post in them and answer interactions, and a gateway websocket (as `GET /gateway/bot` names it)
that every bot connects to with its own token. It runs in the benchmark's own event loop and
hands each arrival, with the time it arrived, to whoever awaits it, so a simulated person can
send an INTERACTION_CREATE through the gateway and wait for the bot's answer.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from bench.harness import REPLY_TIMEOUT, Mismatch, Timings, operator_env
from tests.discord.fake_discord import APP_ID, BOT_ID, GUILD_ID, TIMESTAMP, Message
from tests.loopback import listen

CHANNEL_ID = "700000000000000001"
COMMAND_ID = "710000000000000001"
PERMISSIONS = str((1 << 10) | (1 << 11) | (1 << 14) | (1 << 16) | (1 << 36) | (1 << 38))
"""View, send, embed, read history, create private threads, send in threads: what the bot asks."""

Check = Callable[[int, dict[str, Any]], None]
"""Raises Mismatch when what the bot sent for step n of a walk-through (0: the command) is wrong."""


@dataclass(frozen=True)
class Arrival:
    """A request from a bot: when it arrived (time.perf_counter), its body, and what it made."""

    at: float
    body: dict[str, Any]
    made: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Person:
    """A member of the server."""

    id: str
    name: str

    @classmethod
    def number(cls, n: int) -> Person:
        """Person n: ids and names of the same length for everyone."""
        return cls(f"5{n:017d}", f"Person {n:05d}")

    def member(self) -> dict[str, Any]:
        """The member object an interaction carries."""
        return {
            "user": {
                "id": self.id,
                "username": self.name.lower().replace(" ", ""),
                "discriminator": "0",
                "avatar": None,
                "global_name": self.name,
            },
            "roles": [],
            "permissions": "3072",
            "flags": 0,
            "joined_at": TIMESTAMP,
            "deaf": False,
            "mute": False,
        }


def discord_env(home: Path, fake: FakeDiscord, token: str, **more: object) -> dict[str, str]:
    """The settings an operator gives the Discord bot (the bare one reads them too)."""
    return operator_env(
        home, DISCORD_TOKEN=token, DISCORD_API_URL=fake.base, DATA_DIR=home / "data", **more
    )


class FakeDiscord:
    """Discord's REST API and gateway, enough of them, on a free loopback port."""

    def __init__(self) -> None:
        self.base = ""
        self.sockets: dict[str, web.WebSocketResponse] = {}
        self.unexpected: list[str] = []
        self._waiting: dict[str, asyncio.Future[Arrival]] = {}
        self._thread_members: dict[str, str] = {}
        self._threads: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(920000000000000000)
        self._sequence = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._gateway_url = ""

    async def start(self) -> str:
        """Listen on a free loopback port; returns the REST base (DISCORD_API_URL)."""
        app = web.Application(middlewares=[_rate_limit_headers])
        app.router.add_get("/gateway", self._gateway)
        api = "/api/v10"
        app.router.add_get(f"{api}/users/@me", self._me)
        app.router.add_get(f"{api}/oauth2/applications/@me", self._application)
        app.router.add_get(f"{api}/gateway/bot", self._gateway_bot)
        app.router.add_post(
            f"{api}/interactions/{{interaction}}/{{token}}/callback", self._interaction_callback
        )
        app.router.add_patch(
            f"{api}/webhooks/{{app}}/{{token}}/messages/@original", self._edit_original
        )
        app.router.add_post(f"{api}/channels/{{channel}}/threads", self._new_thread)
        app.router.add_put(f"{api}/channels/{{channel}}/thread-members/{{user}}", self._add_member)
        app.router.add_post(f"{api}/channels/{{channel}}/messages", self._post_message)
        app.router.add_route("*", f"{api}/{{tail:.*}}", self._unknown)
        self._runner, url = await listen(app)
        self.base = f"{url}/api/v10"
        self._gateway_url = f"{url.replace('http://', 'ws://')}/gateway"
        return self.base

    async def stop(self) -> None:
        """Close every gateway connection and stop listening."""
        for socket in list(self.sockets.values()):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def connected(self, token: str) -> bool:
        """Whether the bot with this token has identified on the gateway."""
        return token in self.sockets

    def expect(self, key: str) -> asyncio.Future[Arrival]:
        """A future for the next arrival under `key`: callback:, original: or thread:<user>."""
        future: asyncio.Future[Arrival] = asyncio.get_running_loop().create_future()
        self._waiting[key] = future
        return future

    def forget(self, *keys: str) -> None:
        """Stop waiting for these arrivals."""
        for key in keys:
            self._waiting.pop(key, None)

    async def dispatch(self, token: str, event: str, data: dict[str, Any]) -> None:
        """Send one gateway event to the bot that identified with `token`."""
        frame = {"op": 0, "t": event, "s": next(self._sequence), "d": data}
        await self.sockets[token].send_str(json.dumps(frame))

    def _arrived(self, key: str, body: dict[str, Any], made: dict[str, Any] | None = None) -> None:
        future = self._waiting.pop(key, None)
        if future is not None and not future.done():
            future.set_result(Arrival(time.perf_counter(), body, made or {}))

    def _new_id(self) -> str:
        return str(next(self._ids))

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45000}}))
        token = None
        async for frame in socket:
            if frame.type != WSMsgType.TEXT:
                continue
            message = json.loads(frame.data)
            if message["op"] == 1:
                await socket.send_str(json.dumps({"op": 11}))
            elif message["op"] == 2:
                token = message["d"]["token"]
                await socket.send_str(json.dumps(self._ready(message["d"].get("shard"))))
                self.sockets[token] = socket
        if token is not None and self.sockets.get(token) is socket:
            del self.sockets[token]
        return socket

    def _ready(self, shard: list[int] | None) -> dict[str, Any]:
        return {
            "op": 0,
            "t": "READY",
            "s": next(self._sequence),
            "d": {
                "v": 10,
                "user": _bot_user(),
                "guilds": [],
                "session_id": "bench-session",
                "resume_gateway_url": self._gateway_url,
                "application": {"id": APP_ID, "flags": 0},
                "private_channels": [],
                "relationships": [],
                "shard": shard or [0, 1],
            },
        }

    async def _me(self, request: web.Request) -> web.Response:
        return _json(_bot_user())

    async def _application(self, request: web.Request) -> web.Response:
        return _json(
            {
                "id": APP_ID,
                "name": "bench",
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "verify_key": "00",
                "owner": {**_bot_user(), "id": "900000000000000003", "bot": False},
                "flags": 0,
            }
        )

    async def _gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return _json({"url": self._gateway_url, "shards": 1, "session_start_limit": limit})

    async def _interaction_callback(self, request: web.Request) -> web.Response:
        body = await _body(request)
        info = request.match_info
        return _json(self._callback(info["interaction"], info["token"], body))

    async def _edit_original(self, request: web.Request) -> web.Response:
        body = await _body(request)
        self._arrived(f"original:{request.match_info['token']}", body)
        return _json(_message(self._new_id(), CHANNEL_ID, body))

    async def _new_thread(self, request: web.Request) -> web.Response:
        body = await _body(request)
        thread = _thread(self._new_id(), request.match_info["channel"], body)
        self._threads[thread["id"]] = body
        return _json(thread, 201)

    async def _add_member(self, request: web.Request) -> web.Response:
        self._thread_members[request.match_info["channel"]] = request.match_info["user"]
        return web.Response(status=204)

    async def _post_message(self, request: web.Request) -> web.Response:
        body = await _body(request)
        channel = request.match_info["channel"]
        message = _message(self._new_id(), channel, body)
        made = {"thread_id": channel, "message_id": message["id"]}
        made["thread"] = self._threads.get(channel, {})
        self._arrived(f"thread:{self._thread_members.get(channel)}", body, made)
        return _json(message)

    async def _unknown(self, request: web.Request) -> web.Response:
        self.unexpected.append(f"{request.method} {request.path}")
        return _json({"message": "Unknown route", "code": 0}, 404)

    def _callback(self, interaction_id: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
        kind = body.get("type")
        if kind != 5:  # a deferral is not an answer the person sees
            self._arrived(f"callback:{token}", body)
        flags = (body.get("data") or {}).get("flags", 0)
        return {
            "interaction": {
                "id": interaction_id,
                "type": 2 if kind in (4, 5) else 3,
                "response_message_id": self._new_id(),
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(flags & 64),
            }
        }


def interaction(
    person: Person,
    kind: int,
    data: dict[str, Any],
    channel: dict[str, Any],
    message: Message | None = None,
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload as Discord sends it: 2 a slash command, 3 a button."""
    interaction_id = str(next(_interaction_ids))
    payload: dict[str, Any] = {
        "id": interaction_id,
        "application_id": APP_ID,
        "type": kind,
        "token": f"t-{interaction_id}",
        "version": 1,
        "attachment_size_limit": 8388608,
        "locale": "en-GB",
        "guild_id": GUILD_ID,
        "guild_locale": "en-US",
        "channel_id": channel["id"],
        "channel": channel,
        "member": person.member(),
        "app_permissions": PERMISSIONS,
        "entitlements": [],
        "authorizing_integration_owners": {"0": GUILD_ID},
        "context": 0,
        "data": data,
    }
    if message is not None:
        payload["message"] = message.payload()
    return payload


_interaction_ids = itertools.count(600000000000000000)


def text_channel() -> dict[str, Any]:
    """The server's #general, where people type the command."""
    return {
        "id": CHANNEL_ID,
        "type": 0,
        "guild_id": GUILD_ID,
        "name": "general",
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "rate_limit_per_user": 0,
        "last_message_id": None,
        "flags": 0,
    }


def _thread(thread_id: str, parent_id: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": thread_id,
        "type": body.get("type", 12),
        "guild_id": GUILD_ID,
        "parent_id": parent_id,
        "owner_id": BOT_ID,
        "name": body.get("name", "thread"),
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": body.get("auto_archive_duration", 1440),
            "archive_timestamp": TIMESTAMP,
            "locked": False,
            "invitable": body.get("invitable", True),
        },
        "member_count": 1,
        "message_count": 0,
        "rate_limit_per_user": 0,
        "flags": 0,
    }


def _message(message_id: str, channel_id: str, body: dict[str, Any]) -> dict[str, Any]:
    return Message(
        message_id,
        channel_id,
        body.get("content"),
        body.get("embeds") or [],
        body.get("components") or [],
    ).payload()


def _bot_user() -> dict[str, Any]:
    return {"id": BOT_ID, "username": "bench", "discriminator": "0", "avatar": None, "bot": True}


async def _body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw or request.content_type != "application/json":
        return {}
    body: dict[str, Any] = json.loads(raw)
    return body


RATE_LIMIT = {
    "X-RateLimit-Limit": "10000",
    "X-RateLimit-Remaining": "9999",
    "X-RateLimit-Reset-After": "1.000",
    "X-RateLimit-Bucket": "bench",
}
"""What Discord says of a route's limit on every answer, here one no run reaches. Without these
headers discord.py sends one request of a route at a time (the 50 people's private threads in
one channel would queue behind each other), which Discord's answers never make it do."""


@web.middleware
async def _rate_limit_headers(request: web.Request, handler: Any) -> web.StreamResponse:
    response: web.StreamResponse = await handler(request)
    if request.path.startswith("/api/"):
        response.headers.update(RATE_LIMIT)
        response.headers["X-RateLimit-Reset"] = f"{time.time() + 1:.3f}"
    return response


def _json(value: Any, status: int = 200) -> web.Response:
    # discord.py decodes a body only when its Content-Type is exactly application/json
    return web.Response(
        body=json.dumps(value).encode(), status=status, headers={"Content-Type": "application/json"}
    )


_TOKEN_IN_CUSTOM_ID = re.compile(r'"(cot:[^:"]*):[^"]*"')
_SNOWFLAKE = re.compile(r"\d{17,20}")
_NONCE = re.compile(r'"nonce": "[^"]*"')
_PERSON = re.compile(r"Person \d{5}")


def normalized(value: dict[str, Any]) -> str:
    """A bot's message without each person's own parts (tokens, ids, names) or the nonce."""
    text = json.dumps(value, sort_keys=True)
    text = _NONCE.sub('"nonce": ""', _TOKEN_IN_CUSTOM_ID.sub(r'"\1:"', text))
    return _PERSON.sub("Person", _SNOWFLAKE.sub("ID", text))


async def walk(
    fake: FakeDiscord,
    bot: str,
    person: Person,
    answers: tuple[int, ...],
    timings: Timings,
    check: Check,
) -> list[dict[str, Any]]:
    """One walk-through: the slash command, then a click on each answer in turn.

    The command's latency is until the bot has posted the first question in the private thread
    and edited its reply to point there; a click's is until its interaction callback reaches the
    fake. Step 0 checked is {"thread", "message", "original"}: the thread's creation, the first
    question and the edited reply; step n is click n's callback. Everything is returned in order.
    """
    payload = interaction(
        person, 2, {"id": COMMAND_ID, "name": "coach-or-therapy", "type": 1}, text_channel()
    )
    keys = (f"thread:{person.id}", f"original:{payload['token']}")
    first, original = fake.expect(keys[0]), fake.expect(keys[1])
    try:
        started = time.perf_counter()
        await fake.dispatch(bot, "INTERACTION_CREATE", payload)
        posted = await asyncio.wait_for(first, REPLY_TIMEOUT)
        edited = await asyncio.wait_for(original, REPLY_TIMEOUT)
    finally:
        fake.forget(*keys)
    timings.commands.append(max(posted.at, edited.at) - started)
    opened = {"thread": posted.made["thread"], "message": posted.body, "original": edited.body}
    check(0, opened)
    seen = [opened]
    thread = _thread(posted.made["thread_id"], CHANNEL_ID, posted.made["thread"])
    shown = posted.body
    for step, answer in enumerate(answers, start=1):
        message = Message(
            posted.made["message_id"],
            thread["id"],
            shown.get("content"),
            shown.get("embeds") or [],
            shown.get("components") or [],
        )
        buttons = message.buttons()
        if answer >= len(buttons):
            raise Mismatch(f"step {step}: no button {answer} among {len(buttons)}")
        data = {"custom_id": buttons[answer]["custom_id"], "component_type": 2}
        payload = interaction(person, 3, data, thread, message)
        key = f"callback:{payload['token']}"
        reply = fake.expect(key)
        try:
            started = time.perf_counter()
            await fake.dispatch(bot, "INTERACTION_CREATE", payload)
            answered = await asyncio.wait_for(reply, REPLY_TIMEOUT)
        finally:
            fake.forget(key)
        timings.clicks.append(answered.at - started)
        check(step, answered.body)
        seen.append(answered.body)
        shown = answered.body.get("data") or {}
    return seen

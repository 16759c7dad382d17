"""A small stand-in for Discord's REST API on 127.0.0.1, recording every call it receives.

It runs on its own thread and event loop, so both async tests and the synchronous command line
functions (which call asyncio.run) can talk to it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_ID = "900000000000000001"
APP_ID = "900000000000000002"
TIMESTAMP = "2026-01-01T00:00:00+00:00"
EPHEMERAL = 64


@dataclass
class Call:
    """One request the fake received."""

    method: str
    path: str
    body: Any
    query: dict[str, str]
    status: int = 200
    at: float = field(default_factory=time.perf_counter)


@dataclass
class Failure:
    """Answer `status` to matching requests, `times` times."""

    method: str
    pattern: re.Pattern[str]
    status: int
    times: int
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Message:
    """A message as a person would see it."""

    id: str
    channel_id: str
    content: str | None = None
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    ephemeral: bool = False

    def payload(self) -> dict[str, Any]:
        """The message as Discord sends it inside an interaction."""
        return {
            "id": self.id,
            "channel_id": self.channel_id,
            "type": 0,
            "content": self.content or "",
            "author": {
                "id": BOT_ID,
                "username": "coach-or-therapy",
                "discriminator": "0",
                "avatar": None,
                "bot": True,
            },
            "attachments": [],
            "embeds": self.embeds,
            "mentions": [],
            "mention_roles": [],
            "pinned": False,
            "mention_everyone": False,
            "tts": False,
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "flags": EPHEMERAL if self.ephemeral else 0,
            "components": self.components,
        }

    def buttons(self) -> list[dict[str, Any]]:
        """Every button, in order."""
        return [c for row in self.components for c in row.get("components", [])]

    def labels(self) -> list[str]:
        """Every button's label, in order."""
        return [b["label"] for b in self.buttons()]

    def button(self, label: str) -> dict[str, Any]:
        """The button with this label."""
        for button in self.buttons():
            if button["label"] == label:
                return button
        raise AssertionError(f"no button {label!r} among {self.labels()}")


@dataclass
class InteractionRecord:
    """What the fake knows about an interaction the test fed to the client."""

    source: str | None
    channel_id: str
    original: str | None = None


class FakeDiscord:
    """Discord's REST API, just enough of it, on a random loopback port."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: dict[str, Message] = {}
        self.threads: dict[str, dict[str, Any]] = {}
        self.thread_members: list[tuple[str, str]] = []
        self.interactions: dict[str, InteractionRecord] = {}
        self.failures: list[Failure] = []
        self.on_call: Callable[[Call], None] | None = None
        self.gateway_received: list[dict[str, Any]] = []
        self.gateway_closed = threading.Event()
        self._socket: web.WebSocketResponse | None = None
        self._sequence = 0
        self._ids = itertools.count(910000000000000000)
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base(self) -> str:
        """The REST base URL, as DISCORD_API_URL."""
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        """The gateway's websocket URL, as GET /gateway/bot gives it."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send one gateway event to the connected bot."""
        asyncio.run_coroutine_threadsafe(self._send_event(event, data), self._loop).result(5)

    async def _send_event(self, event: str, data: dict[str, Any]) -> None:
        assert self._socket is not None, "no bot is connected to the gateway"
        self._sequence += 1
        await self._socket.send_str(
            json.dumps({"op": 0, "t": event, "s": self._sequence, "d": data})
        )

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._socket = socket
        await socket.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45000}}))
        async for frame in socket:
            message = json.loads(frame.data)
            with self._lock:
                self.gateway_received.append(message)
            if message["op"] == 1:
                await socket.send_str(json.dumps({"op": 11}))
            elif message["op"] == 2:
                await self._send_event(
                    "READY",
                    {
                        "v": 10,
                        "user": _user(BOT_ID, "coach-or-therapy", bot=True),
                        "guilds": [],
                        "session_id": "fake-session",
                        "resume_gateway_url": self.gateway_url,
                        "application": {"id": APP_ID, "flags": 0},
                        "private_channels": [],
                        "relationships": [],
                        "shard": message["d"].get("shard", [0, 1]),
                    },
                )
        self._socket = None
        self.gateway_closed.set()
        return socket

    def start(self) -> FakeDiscord:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(5)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/v10/{tail:.*}", self._handle)
        app.router.add_get("/gateway", self._gateway)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def new_id(self) -> str:
        with self._lock:
            return str(next(self._ids))

    def fail(
        self,
        method: str,
        pattern: str,
        status: int,
        times: int = 1,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Make the next `times` matching requests answer `status`."""
        self.failures.append(
            Failure(
                method,
                re.compile(pattern),
                status,
                times,
                body or {"message": "fake failure", "code": 0},
                headers or {},
            )
        )

    def expect_interaction(self, token: str, source: str | None, channel_id: str) -> None:
        self.interactions[token] = InteractionRecord(source, channel_id)

    def calls_for(self, method: str, pattern: str) -> list[Call]:
        """The successful calls matching method and path pattern."""
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method == method and re.search(pattern, c.path) and c.status < 300
            ]

    async def wait_for(
        self, method: str, pattern: str, count: int = 1, timeout: float = 10
    ) -> list[Call]:
        """Wait until `count` successful calls match; fail the test when they never come."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.calls_for(method, pattern)
            if len(found) >= count:
                return found
            await asyncio.sleep(0.002)
        raise AssertionError(f"no {method} {pattern} within {timeout}s; got {self.summary()}")

    async def wait_for_gateway(self, op: int, timeout: float = 10) -> dict[str, Any]:
        """The first gateway message with opcode `op` the bot sent (2 is IDENTIFY)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = [m for m in self.gateway_received if m["op"] == op]
            if found:
                return found[0]
            await asyncio.sleep(0.002)
        raise AssertionError(f"the bot never sent op {op} to the gateway")

    def summary(self) -> list[str]:
        with self._lock:
            return [f"{c.status} {c.method} {c.path}" for c in self.calls]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        raw = await request.read()
        body = json.loads(raw) if raw and request.content_type == "application/json" else None
        call = Call(request.method, path, body, dict(request.query))
        with self._lock:
            self.calls.append(call)
            failure = next(
                (
                    f
                    for f in self.failures
                    if f.times > 0 and f.method == request.method and f.pattern.search(path)
                ),
                None,
            )
            if failure is not None:
                failure.times -= 1
        if failure is not None:
            call.status = failure.status
            return _json(failure.body, failure.status, failure.headers)
        status, answer = self._answer(request.method, path, body)
        call.status = status
        if self.on_call is not None:
            self.on_call(call)
        if answer is None:
            return web.Response(status=status)
        return _json(answer, status)

    def _answer(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        if method == "GET" and path == "/users/@me":
            return 200, _user(BOT_ID, "coach-or-therapy", bot=True)
        if method == "GET" and path == "/oauth2/applications/@me":
            return 200, {
                "id": APP_ID,
                "name": "coach-or-therapy",
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "verify_key": "00",
                "owner": _user("900000000000000003", "owner"),
                "flags": 0,
            }
        if method == "GET" and path == "/gateway/bot":
            return 200, {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 1000,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        if method == "PUT" and re.fullmatch(r"/applications/\d+(/guilds/\d+)?/commands", path):
            return 200, [
                {
                    **command,
                    "id": self.new_id(),
                    "application_id": APP_ID,
                    "version": "1",
                    "default_member_permissions": None,
                    "dm_permission": True,
                }
                for command in body
            ]
        match = re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", path)
        if method == "POST" and match:
            return 200, self._callback(match.group(1), match.group(2), body)
        match = re.fullmatch(r"/webhooks/\d+/([^/]+)/messages/@original", path)
        if method == "PATCH" and match:
            return 200, self._edit_original(match.group(1), body)
        match = re.fullmatch(r"/webhooks/\d+/([^/]+)", path)
        if method == "POST" and match:
            return 200, self._followup(match.group(1), body)
        match = re.fullmatch(r"/channels/(\d+)/threads", path)
        if method == "POST" and match:
            return 201, self._new_thread(match.group(1), body)
        match = re.fullmatch(r"/channels/(\d+)/thread-members/(\d+)", path)
        if method == "PUT" and match:
            with self._lock:
                self.thread_members.append((match.group(1), match.group(2)))
            return 204, None
        match = re.fullmatch(r"/channels/(\d+)/messages", path)
        if method == "POST" and match:
            message = self._store(match.group(1), body, ephemeral=False)
            return 200, message.payload()
        match = re.fullmatch(r"/channels/(\d+)", path)
        if method == "DELETE" and match:
            return 200, self.threads.pop(match.group(1), {"id": match.group(1), "type": 12})
        return 404, {"message": "Unknown route", "code": 0}

    def _store(
        self, channel_id: str, body: dict[str, Any], ephemeral: bool, message_id: str | None = None
    ) -> Message:
        message = Message(
            id=message_id or self.new_id(),
            channel_id=channel_id,
            content=body.get("content"),
            embeds=body.get("embeds") or [],
            components=body.get("components") or [],
            ephemeral=ephemeral or bool(body.get("flags", 0) & EPHEMERAL),
        )
        with self._lock:
            self.messages[message.id] = message
        return message

    def _callback(self, interaction_id: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
        record = self.interactions.get(token)
        kind = body["type"]
        data = body.get("data") or {}
        answer: dict[str, Any] = {"interaction": {"id": interaction_id, "type": 2}}
        if record is None:
            return answer
        if kind in (4, 5):
            message = self._store(
                record.channel_id,
                data if kind == 4 else {"flags": data.get("flags", 0)},
                ephemeral=False,
            )
            record.original = message.id
            answer["interaction"].update(
                response_message_id=message.id,
                response_message_loading=kind == 5,
                response_message_ephemeral=message.ephemeral,
            )
        elif kind == 7 and record.source is not None:
            old = self.messages[record.source]
            self._update(old, data)
            record.original = old.id
        return answer

    def _update(self, message: Message, data: dict[str, Any]) -> None:
        with self._lock:
            if "content" in data:
                message.content = data["content"]
            if "embeds" in data:
                message.embeds = data["embeds"] or []
            if "components" in data:
                message.components = data["components"] or []

    def _edit_original(self, token: str, body: dict[str, Any]) -> dict[str, Any]:
        record = self.interactions[token]
        if record.original is None:
            message = self._store(record.channel_id, body, ephemeral=False)
            record.original = message.id
        message = self.messages[record.original]
        self._update(message, body)
        return message.payload()

    def _followup(self, token: str, body: dict[str, Any]) -> dict[str, Any]:
        record = self.interactions[token]
        return self._store(record.channel_id, body, ephemeral=False).payload()

    def _new_thread(self, parent_id: str, body: dict[str, Any]) -> dict[str, Any]:
        thread = {
            "id": self.new_id(),
            "type": body.get("type", 12),
            "guild_id": GUILD_ID,
            "parent_id": parent_id,
            "owner_id": BOT_ID,
            "name": body["name"],
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
        with self._lock:
            self.threads[thread["id"]] = thread
        return thread


GUILD_ID = "800000000000000001"


def _json(value: Any, status: int, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py only decodes a body whose Content-Type is exactly application/json
    return web.Response(
        body=json.dumps(value).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


def _user(user_id: str, name: str, bot: bool = False) -> dict[str, Any]:
    return {
        "id": user_id,
        "username": name,
        "discriminator": "0",
        "avatar": None,
        "global_name": name.title(),
        "bot": bot,
    }

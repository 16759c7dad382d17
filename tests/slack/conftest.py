"""A fake Slack on loopback, signed requests, and the real app served over real HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier

from adapters.runtime import Runtime, build_runtime
from adapters.settings import Settings
from adapters.slack.app import build_app
from adapters.slack.respond import Replier
from adapters.slack.server import EVENTS_PATH, build_web_app
from adapters.storage.interface import NoStorage, Storage
from tests.configured import settings_of
from tests.loopback import listen

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"


@dataclass
class Call:
    """One request the fake Slack received."""

    path: str
    body: dict[str, Any]


@dataclass
class FakeSlack:
    """Slack's Web API (/api/<method>) and response_urls (/respond/<n>) on 127.0.0.1."""

    base: str = ""
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[tuple[int, dict[str, str], Any]]] = field(default_factory=dict)
    api_errors: dict[str, str] = field(default_factory=dict)
    api_answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    stalls: dict[str, float] = field(default_factory=dict)
    locales: dict[str, str] = field(default_factory=dict)
    """What users.info says each person's language is (``de-DE``); others have none."""
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)
    _next: int = 1

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self) -> str:
        """A fresh response_url, as Slack gives one per interaction."""
        url = f"{self.base}/respond/{self._next}"
        self._next += 1
        return url

    def fail(self, path: str, status: int, times: int = 1, **headers: str) -> None:
        """Answer the next `times` requests to `path` with `status` (and headers)."""
        self.failures.setdefault(path, []).extend([(status, headers, None)] * times)

    def stall_next_response(self, seconds: float) -> None:
        """Make the next response_url handed out answer only after `seconds`, once."""
        self.stalls[f"/respond/{self._next}"] = seconds

    def fail_next_response(self, status: int, times: int = 1, **headers: str) -> None:
        """Answer the next response_url handed out (the next click's) with `status`."""
        upcoming = f"/respond/{self._next}"
        self.fail(upcoming, status, times, **headers)

    def api_method(self, name: str) -> list[dict[str, Any]]:
        return [c.body for c in self.calls if c.path == f"/api/{name}"]

    def at(self, url: str) -> list[dict[str, Any]]:
        path = url.removeprefix(self.base)
        return [c.body for c in self.calls if c.path == path]

    async def wait_for(self, url: str, n: int = 1, timeout: float = 10) -> list[dict[str, Any]]:
        """The bodies posted to `url`, once at least `n` have arrived."""
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: len(self.at(url)) >= n), timeout)
        return self.at(url)

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.text()
        if request.content_type == "application/json":
            body = json.loads(raw) if raw else {}
        else:
            body = {k: v[0] for k, v in parse_qs(raw).items()}
        body.update(request.query)
        stall = self.stalls.pop(request.path, None)
        if stall:
            await asyncio.sleep(stall)
        queued = self.failures.get(request.path)
        async with self._arrived:
            self.calls.append(Call(request.path, body))
            self._arrived.notify_all()
        if queued:
            status, headers, _ = queued.pop(0)
            return web.Response(status=status, headers=headers, text="trouble")
        return await self.answer(request, body)

    async def answer(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        """What Slack answers a request that neither stalls nor fails."""
        if request.path.startswith("/respond/"):
            return web.Response(text="ok")
        method = request.path.removeprefix("/api/")
        if method in self.api_answers:
            return web.json_response({"ok": True, **self.api_answers[method]})
        if method in self.api_errors:
            return web.json_response({"ok": False, "error": self.api_errors[method]})
        if method == "auth.test":
            return web.json_response(
                {
                    "ok": True,
                    "url": "https://test.slack.com/",
                    "team": "Test",
                    "user": "coach-or-therapy",
                    "team_id": "T1",
                    "user_id": "UBOT",
                    "bot_id": "BBOT",
                }
            )
        if method == "users.info":
            user = body.get("user", "")
            member = {"id": user, "team_id": "T1", "is_admin": False}
            if user in self.locales:
                member["locale"] = self.locales[user]
            return web.json_response({"ok": True, "user": member})
        if method == "chat.postMessage":
            return web.json_response({"ok": True, "channel": body.get("channel"), "ts": "1.0"})
        return web.json_response({"ok": True})


@contextlib.asynccontextmanager
async def serving_fake_slack() -> AsyncIterator[FakeSlack]:
    """Slack's Web API on loopback while the block runs."""
    fake = FakeSlack()
    app = web.Application()
    # some Web API methods (users.info) are sent as GET
    app.router.add_route("*", "/{tail:.*}", fake.handle)
    runner, fake.base = await listen(app)
    try:
        yield fake
    finally:
        await runner.cleanup()


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with serving_fake_slack() as fake:
        yield fake


def slack_settings(fake: FakeSlack, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": fake.api_url,
        "state_secret": "state-secret-for-tests",
        "data_dir": tmp_path,
        "default_region": "GB",
        "eap_contact": "https://eap.example.com",
        "coaching_contact": "coaching@example.com",
    }
    values.update(overrides)
    return settings_of(**values)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def sign(body: str, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature or ""}


@dataclass
class SlackServer:
    """The real app, served over HTTP, and a way to send it signed requests."""

    url: str
    fake: FakeSlack
    http: aiohttp.ClientSession

    async def post(
        self, body: str, content_type: str, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        all_headers = {"Content-Type": content_type, **(sign(body) if headers is None else headers)}
        async with self.http.post(self.url, data=body.encode(), headers=all_headers) as resp:
            return resp.status, await resp.text()

    async def command(
        self, text: str = "", user: str = "U1", team: str = "T1", channel: str = "C1"
    ) -> dict[str, Any]:
        """Type `/coach-or-therapy <text>`; the reply Slack shows (the ack body)."""
        body = urlencode(
            {
                "token": "legacy",
                "team_id": team,
                "team_domain": "test",
                "channel_id": channel,
                "channel_name": "general",
                "user_id": user,
                "user_name": "someone",
                "command": "/coach-or-therapy",
                "text": text,
                "api_app_id": "A1",
                "response_url": self.fake.response_url(),
                "trigger_id": "1.2.3",
            }
        )
        status, reply = await self.post(body, "application/x-www-form-urlencoded")
        assert status == 200, reply
        return json.loads(reply)

    async def click(
        self,
        button: dict[str, Any],
        user: str = "U1",
        team: str = "T1",
        ephemeral: bool = True,
        channel: str | None = "C1",
        view: bool = False,
        response_url: str | None = None,
    ) -> str:
        """Click `button` as `user`; returns the response_url the app must answer on."""
        response_url = response_url or self.fake.response_url()
        action = {
            "type": "button",
            "action_id": button["action_id"],
            "block_id": "b",
            "text": button["text"],
            "action_ts": "1.1",
        }
        if "value" in button:
            action["value"] = button["value"]
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "team_id": team, "username": "someone"},
            "team": {"id": team, "domain": "test"},
            "api_app_id": "A1",
            "trigger_id": "1.2.3",
            "actions": [action],
        }
        if view:
            payload["container"] = {"type": "view", "view_id": "V1"}
            payload["view"] = {"id": "V1", "type": "home"}
        else:
            payload["container"] = {
                "type": "message",
                "message_ts": "1.0",
                "channel_id": channel,
                "is_ephemeral": ephemeral,
            }
            payload["channel"] = {"id": channel, "name": "general"}
            payload["response_url"] = response_url
        body = urlencode({"payload": json.dumps(payload)})
        status, reply = await self.post(body, "application/x-www-form-urlencoded")
        assert status == 200, reply
        return response_url

    async def event(self, event: dict[str, Any], team: str = "T1") -> int:
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": team,
                "api_app_id": "A1",
                "type": "event_callback",
                "event_id": "Ev1",
                "event_time": int(time.time()),
                "event": event,
            }
        )
        status, _ = await self.post(body, "application/json")
        return status


class Servers:
    """Real Slack apps served over HTTP during one test, one client to reach them, and clean-up."""

    def __init__(self) -> None:
        self.http = aiohttp.ClientSession()
        self._runners: list[web.AppRunner] = []
        self._repliers: list[Replier] = []

    def replier(self, timeout: float) -> Replier:
        """A Replier that is closed with the servers."""
        replier = Replier(timeout=timeout)
        self._repliers.append(replier)
        return replier

    async def serve(self, app: AsyncApp, fake: FakeSlack) -> SlackServer:
        """Serve a Bolt app on loopback as `coach-or-therapy slack` does."""
        runner, base = await listen(build_web_app(app, SIGNING_SECRET))
        self._runners.append(runner)
        return SlackServer(base + EVENTS_PATH, fake, self.http)

    async def close(self) -> None:
        """Close the client, the repliers and the servers."""
        await self.http.close()
        for replier in self._repliers:
            await replier.close()
        for runner in self._runners:
            await runner.cleanup()


ServeFactory = Callable[..., Any]


@pytest.fixture
async def serve(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    """Start the real app for a runtime; several may run at once (replicas, new content)."""
    servers = Servers()

    async def start(
        runtime: Runtime | None = None,
        workspaces: Storage | None = None,
        clock: Callable[[], float] = time.time,
        reply_timeout: float = 3,
        commands: dict[str, Any] | None = None,
        **settings: Any,
    ) -> SlackServer:
        runtime = runtime or build_runtime(slack_settings(fake_slack, tmp_path, **settings))
        replier = servers.replier(reply_timeout)
        app = build_app(
            runtime, workspaces or NoStorage(), replier=replier, clock=clock, commands=commands
        )
        return await servers.serve(app, fake_slack)

    yield start
    await servers.close()


@pytest.fixture
async def slack(serve: Callable[..., Any]) -> SlackServer:
    return await serve()


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button in a message, in order."""
    return [
        element
        for block in message.get("blocks", [])
        if block.get("type") == "actions"
        for element in block["elements"]
    ]


def button(message: dict[str, Any], label: str) -> dict[str, Any]:
    """The button a person would click by its label."""
    for element in buttons(message):
        if element["text"]["text"] == label:
            return element
    labels = [b["text"]["text"] for b in buttons(message)]
    raise AssertionError(f"no button {label!r}; the message has {labels}")


def shown_text(message: dict[str, Any]) -> str:
    """All the words a person sees in a message's blocks."""
    parts: list[str] = []
    for block in message.get("blocks", []):
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        parts.extend(f["text"] for f in block.get("fields", []))
        if block.get("type") == "context":
            parts.extend(e["text"] for e in block["elements"])
    return "\n".join(parts)


class Person:
    """Someone using the app: what they see now, and clicking by label."""

    def __init__(self, server: SlackServer, user: str = "U1", team: str = "T1") -> None:
        self.server = server
        self.user = user
        self.team = team
        self.message: dict[str, Any] = {}
        self.replies: list[dict[str, Any]] = []

    async def start(self, text: str = "") -> dict[str, Any]:
        self.message = await self.server.command(text, user=self.user, team=self.team)
        return self.message

    async def click(
        self, label: str, on: dict[str, Any] | None = None, ephemeral: bool = True
    ) -> dict[str, Any]:
        """Click the button with this label on the current message; returns the reply."""
        url = await self.server.click(
            button(on or self.message, label), self.user, self.team, ephemeral=ephemeral
        )
        reply = (await self.server.fake.wait_for(url))[0]
        self.replies.append(reply)
        if reply.get("replace_original"):
            self.message = reply
        return reply

"""What the Slack benchmarks share: a loopback fake Slack and signed slash-command and click bodies.

The fake answers every Web API method with ok and hands each message posted to a response_url
to whoever awaits that path, so a simulated person can wait for the reply to their click.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from slack_sdk.signature import SignatureVerifier


class FakeSlack:
    """Web API (every method ok) and response_urls that hand each reply to whoever awaits it."""

    def __init__(self) -> None:
        self.waiting: dict[str, asyncio.Future[bytes]] = {}
        self.url = ""
        self._runner: web.AppRunner | None = None

    def expect(self, path: str) -> asyncio.Future[bytes]:
        """A future that resolves with the body next posted to `path`."""
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self.waiting[path] = future
        return future

    async def handle(self, request: web.Request) -> web.Response:
        """Answer one request from the app under test."""
        body = await request.read()
        if request.path.startswith("/respond/"):
            future = self.waiting.pop(request.path, None)
            if future is not None and not future.done():
                future.set_result(body)
            return web.Response(text="ok")
        return web.json_response(
            {"ok": True, "team_id": "T1", "user_id": "UB", "bot_id": "B1", "team": "t"}
        )

    async def start(self) -> str:
        """Listen on a free loopback port; returns the base URL."""
        app = web.Application()
        app.router.add_post("/{tail:.*}", self.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def signed(secret: str, body: str) -> dict[str, str]:
    """Headers Slack would send with `body`, signed with `secret` now."""
    ts = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body) or ""
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }


def command_body(user: str, fake_url: str) -> str:
    """The form body of `/coach-or-therapy` typed by `user` in channel C1 of workspace T1."""
    return urlencode(
        {
            "command": "/coach-or-therapy",
            "text": "",
            "user_id": user,
            "team_id": "T1",
            "channel_id": "C1",
            "response_url": f"{fake_url}/respond/cmd",
            "trigger_id": "1",
        }
    )


def click_body(user: str, response_url: str, action: dict[str, Any]) -> str:
    """The form body of a block_actions click by `user` on an ephemeral message in C1."""
    payload = {
        "type": "block_actions",
        "user": {"id": user, "team_id": "T1"},
        "team": {"id": "T1"},
        "container": {"type": "message", "is_ephemeral": True, "channel_id": "C1"},
        "channel": {"id": "C1"},
        "response_url": response_url,
        "actions": [action],
    }
    return urlencode({"payload": json.dumps(payload)})

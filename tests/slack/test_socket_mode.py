"""Socket Mode: the same app over a WebSocket, as `coach-or-therapy slack` runs it."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from aiohttp import WSMsgType, web

from adapters.runtime import build_runtime
from adapters.slack.runner import serve_slack
from tests.loopback import listen
from tests.slack.conftest import shown_text, slack_settings


async def test_socket_mode_answers_the_slash_command_in_its_ack(fake_slack, tmp_path):
    acks: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def socket(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1})
        await ws.send_json(
            {
                "envelope_id": "env-1",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": {
                    "command": "/coach-or-therapy",
                    "text": "",
                    "user_id": "U1",
                    "team_id": "T1",
                    "channel_id": "C1",
                    "response_url": fake_slack.response_url(),
                    "trigger_id": "1.2",
                },
            }
        )
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                await acks.put(json.loads(message.data))
        return ws

    app = web.Application()
    app.router.add_get("/socket", socket)
    runner, base = await listen(app)
    fake_slack.api_answers["apps.connections.open"] = {
        "url": base.replace("http://", "ws://") + "/socket"
    }

    settings = slack_settings(fake_slack, tmp_path, slack_app_token="xapp-test")
    serving = asyncio.create_task(serve_slack(build_runtime(settings)))
    try:
        ack = await asyncio.wait_for(acks.get(), 15)
    finally:
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving
        await runner.cleanup()
    assert ack["envelope_id"] == "env-1"
    assert ack["payload"]["response_type"] == "ephemeral"
    assert "Question 1 of 9" in shown_text(ack["payload"])

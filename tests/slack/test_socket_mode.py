"""Socket Mode: the same app over a WebSocket, as `coach-or-therapy slack` runs it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from aiohttp import WSMsgType, web

from adapters.runtime import build_runtime
from adapters.slack.app import build_app
from adapters.slack.runner import serve_slack
from adapters.slack.socket_mode import (
    CHECK_SECONDS,
    FIRST_RETRY_SECONDS,
    LONGEST_RETRY_SECONDS,
    SocketModeConnection,
    retry_delays,
)
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


def test_retry_waits_double_from_a_second_up_to_a_minute():
    next_delay = retry_delays()
    waits = [next_delay() for _ in range(12)]
    later = [next_delay() for _ in range(5000)]  # an outage of days
    assert all(0.8 * LONGEST_RETRY_SECONDS <= wait <= 1.2 * LONGEST_RETRY_SECONDS for wait in later)
    for n, wait in enumerate(waits):
        expected = min(LONGEST_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2**n)
        assert 0.8 * expected <= wait <= 1.2 * expected
    assert max(waits) <= 1.2 * LONGEST_RETRY_SECONDS


async def test_each_outage_is_one_warning_and_backoff_starts_again_after_it(
    fake_slack, tmp_path, caplog
):
    """Slack refuses three attempts, lets one connection in, drops it, then refuses two more."""
    caplog.set_level(logging.INFO)
    connected = asyncio.Event()
    drop = asyncio.Event()

    async def socket(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1})
        connected.set()
        await drop.wait()
        await ws.close()
        return ws

    app = web.Application()
    app.router.add_get("/socket", socket)
    runner, base = await listen(app)
    script = ["refuse"] * 3 + ["connect"] + ["refuse"] * 2
    opened = 0
    waits: list[float] = []
    stop = asyncio.Event()

    def next_answer() -> None:
        nonlocal opened
        answer = script[opened] if opened < len(script) else "refuse"
        opened += 1
        fake_slack.api_answers.pop("apps.connections.open", None)
        if answer == "connect":
            ws_url = base.replace("http://", "ws://") + "/socket"
            fake_slack.api_answers["apps.connections.open"] = {"url": ws_url}
        else:
            fake_slack.api_errors["apps.connections.open"] = "internal_error"

    async def pause(seconds: float, stopping: asyncio.Event) -> None:
        waits.append(seconds)
        if connected.is_set() and not drop.is_set():
            drop.set()
        elif opened >= len(script):
            stop.set()
        next_answer()
        await asyncio.sleep(0.05)

    next_answer()
    settings = slack_settings(fake_slack, tmp_path, slack_app_token="xapp-test")
    bolt = build_app(build_runtime(settings))
    try:
        await asyncio.wait_for(SocketModeConnection(bolt, "xapp-test", pause=pause).hold(stop), 30)
    finally:
        await runner.cleanup()
    messages = [r.getMessage() for r in caplog.records]
    outages = [m for m in messages if m.startswith("Slack cannot be reached for Socket Mode")]
    assert len(outages) == 2, messages
    assert "reached Slack again after 3 failed attempts" in messages
    backoff = [w for w in waits if w != CHECK_SECONDS]
    assert 0.8 <= backoff[0] <= 1.2 and 1.6 <= backoff[1] <= 2.4 and 3.2 <= backoff[2] <= 4.8
    assert 0.8 <= backoff[3] <= 1.2, "a new outage starts from a second again"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_in_socket_mode_only_the_apps_own_kinds_reach_bolt(fake_slack, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    others = [
        ("interactive", {"type": "workflow_step_edit", "callback_id": "x"}),
        ("interactive", {"type": "view_submission", "view": {"callback_id": "cot_settings"}}),
        ("interactive", {"type": "shortcut", "callback_id": "x", "trigger_id": "1"}),
        ("events_api", {"type": "event_callback", "team_id": "T1", "event": {"type": "message"}}),
        ("slash_commands", {"command": "/another", "text": "", "user_id": "U1", "team_id": "T1"}),
        ("hello_again", {}),
    ]
    acks: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def socket(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1})
        for n, (kind, payload) in enumerate(others):
            await ws.send_json({"envelope_id": f"other-{n}", "type": kind, "payload": payload})
        await ws.send_json(
            {
                "envelope_id": "command",
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
    received: dict[str, dict[str, Any]] = {}
    try:
        while "command" not in received or len(received) < len(others) + 1:
            ack = await asyncio.wait_for(acks.get(), 15)
            received[ack["envelope_id"]] = ack
    finally:
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving
        await runner.cleanup()
    for n in range(len(others)):
        assert received[f"other-{n}"] == {"envelope_id": f"other-{n}"}
    assert "Question 1 of 9" in shown_text(received["command"]["payload"])
    assert "Unhandled request" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

"""Socket Mode: one WebSocket to Slack, held open with backoff and closed within seconds of a stop.

slack_sdk's client retries a failed connection forever inside `connect()`, logging a traceback
each time, so a process whose Slack is unreachable can neither start nor be stopped. Here each
connection attempt is a single try; this module decides when to try again (backoff up to a
minute, one warning per outage) and gives up on an attempt the moment the process is told to stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_bolt.adapter.socket_mode.async_internals import (
    run_async_bolt_app,
    send_async_response,
)
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from adapters.platform import CannotStart
from adapters.slack.deliveries import Deliveries
from adapters.slack.quiet import failure, platform_logger
from adapters.slack.shape import Refused, judge_command, judge_payload

log = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 1.0
LONGEST_RETRY_SECONDS = 60.0
CHECK_SECONDS = 5.0
"""How often a connection that is up is checked (slack_sdk pings it every 10 seconds)."""
CLOSE_SECONDS = 3.0
"""The longest closing the connection may take once the process is stopping."""
REFUSED = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "not_allowed_token_type",
        "missing_scope",
    }
)
"""apps.connections.open errors that no retry will mend: SLACK_APP_TOKEN must change."""

Pause = Callable[[float, asyncio.Event], Awaitable[None]]


async def pause_unless_stopped(seconds: float, stop: asyncio.Event) -> None:
    """Wait `seconds`, or less when `stop` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


def retry_delays() -> Callable[[], float]:
    """Successive waits between failed attempts: doubling from 1 s up to a minute, +/-20%."""
    attempt = 0

    def next_delay() -> float:
        nonlocal attempt
        base = min(LONGEST_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2.0**attempt)
        attempt = min(attempt + 1, 32)  # a day-long outage must not overflow the doubling
        return base * random.uniform(0.8, 1.2)

    return next_delay


class OneAttemptClient(SocketModeClient):
    """slack_sdk's Socket Mode client with its own retrying and reconnecting switched off.

    `connect()` makes one attempt and raises when it fails; when Slack asks for a new connection
    or the session goes stale the client only marks itself so, and SocketModeConnection connects
    again.
    """

    def __init__(self, app_token: str, **options: Any) -> None:
        super().__init__(app_token, auto_reconnect_enabled=False, **options)

    async def issue_new_wss_url(self) -> str:
        """A WebSocket URL from apps.connections.open (raises, unlogged, when there is none)."""
        response = await self.web_client.apps_connections_open(app_token=self.app_token)
        url = response.get("url")
        if not isinstance(url, str):
            raise SlackClientError("apps.connections.open gave no url")
        return url

    async def connect(self) -> None:
        """Open a fresh WebSocket once (a new URL from apps.connections.open first)."""
        old, self.current_session = self.current_session, None
        if old is not None and not old.closed:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(old.close(), CLOSE_SECONDS)
        if self.aiohttp_client_session.closed:
            self.aiohttp_client_session = aiohttp.ClientSession()
        self.wss_uri = await self.issue_new_wss_url()
        session = await self.aiohttp_client_session.ws_connect(
            self.wss_uri,
            autoping=False,
            heartbeat=self.ping_interval,
            proxy=self.proxy,
            ssl=self.web_client.ssl if self.web_client.ssl is not None else True,
        )
        self.current_session, self.stale, self.last_ping_pong_time = session, False, None
        for task in (self.current_session_monitor, self.message_receiver):
            if task is not None:
                task.cancel()
        self.current_session_monitor = asyncio.ensure_future(self.monitor_current_session())
        self.message_receiver = asyncio.ensure_future(self.receive_messages())

    async def connect_to_new_endpoint(self, force: bool = False) -> None:
        """Slack asked for a new connection: SocketModeConnection makes it on its next check."""
        self.stale = True

    async def close(self) -> None:
        """Close the WebSocket and the HTTP session, within a few seconds whatever the network."""
        self.closed = True
        tasks = (self.message_processor, self.current_session_monitor, self.message_receiver)
        for task in tasks:
            if task is not None:
                task.cancel()
        session = self.current_session
        if session is not None and not session.closed:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(session.close(), CLOSE_SECONDS)
        await self.aiohttp_client_session.close()


class SocketModeConnection:
    """The Bolt app over Socket Mode, held open until the process stops."""

    def __init__(
        self, app: AsyncApp, app_token: str, *, pause: Pause = pause_unless_stopped
    ) -> None:
        self.app = app
        self.app_token = app_token
        self.pause = pause
        self.deliveries = Deliveries()
        self.client: OneAttemptClient | None = None

    def for_bolt(self, req: SocketModeRequest) -> bool:
        """Whether an envelope goes on to Bolt: one of the app's own kinds, not delivered before.

        The same judgement as for HTTP requests (shape.py, deliveries.py); Socket Mode has no
        status codes, so anything else is simply acknowledged.
        """
        payload = req.payload
        if req.type == "slash_commands":
            verdict = judge_command(payload)
        elif req.type in ("interactive", "events_api"):
            verdict = judge_payload(payload)
        else:
            verdict = "ignore"
        if isinstance(verdict, Refused):
            log.info("refused a Socket Mode request: %s", verdict.reason)
            return False
        if verdict == "ignore":
            return False
        if req.type == "events_api":
            event_id = payload.get("event_id")
            retry = req.retry_attempt if isinstance(req.retry_attempt, int) else 0
            if not self.deliveries.first_time(
                event_id if isinstance(event_id, str) else None, retry, req.retry_reason
            ):
                log.info("ignored a retried event that was delivered before")
                return False
        return True

    async def handle(self, client: Any, req: SocketModeRequest) -> None:
        """Answer one envelope: through Bolt, or with a bare acknowledgement."""
        if not self.for_bolt(req):
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        started = time.time()
        response = await run_async_bolt_app(self.app, req)
        await send_async_response(client, req, response, started)

    async def hold(self, stop: asyncio.Event) -> None:
        """Stay connected until `stop` is set: reconnect with backoff, one warning per outage.

        Raises CannotStart when Slack refuses SLACK_APP_TOKEN, since no retry would help.
        """
        client = OneAttemptClient(
            self.app_token, logger=platform_logger(), web_client=self.app.client
        )
        client.socket_mode_request_listeners.append(self.handle)
        self.client = client
        delays = retry_delays()
        failures = 0
        try:
            while not stop.is_set():
                if await client.is_connected():
                    await self.pause(CHECK_SECONDS, stop)
                    continue
                error = await self._attempt(client, stop)
                if stop.is_set():
                    return
                if error is None:
                    if failures:
                        log.info("reached Slack again after %d failed attempts", failures)
                    else:
                        log.info("Slack app connected in Socket Mode")
                    failures, delays = 0, retry_delays()
                    continue
                failures += 1
                if failures == 1:
                    log.warning(
                        "Slack cannot be reached for Socket Mode (%s); trying again, at "
                        "longest every %d seconds, until it answers (check the network and "
                        "SLACK_API_URL)",
                        error,
                        LONGEST_RETRY_SECONDS,
                    )
                await self.pause(delays(), stop)
        finally:
            await client.close()

    async def _attempt(self, client: OneAttemptClient, stop: asyncio.Event) -> str | None:
        """One connection attempt, abandoned when `stop` is set; why it failed, or None."""
        attempt = asyncio.ensure_future(client.connect())
        stopping = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({attempt, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            if not attempt.done():
                attempt.cancel()
                with contextlib.suppress(BaseException):
                    await attempt
        if attempt.cancelled():
            return None
        exc = attempt.exception()
        if exc is None:
            return None
        if isinstance(exc, SlackApiError) and failure(exc) in REFUSED:
            raise CannotStart(
                f"Slack refused to connect ({failure(exc)}); check SLACK_APP_TOKEN (an "
                "app-level token with connections:write) and SLACK_BOT_TOKEN in your Slack "
                "app's settings",
                exit_code=2,
            )
        return _reason(exc)


def _reason(exc: BaseException) -> str:
    """Why an attempt failed, safe to log: Slack's error, the system's words, or the kind."""
    strerror = getattr(exc, "strerror", None)
    if isinstance(strerror, str) and strerror:
        return f"{type(exc).__name__}: {strerror.lower()}"
    if isinstance(exc, TimeoutError):
        return "timed out"
    return failure(exc)

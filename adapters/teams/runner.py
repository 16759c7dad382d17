"""Running the Teams bot: POST /api/messages on HOST:PORT until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time

import aiohttp

from adapters.conversation import ConversationService
from adapters.platform import CannotStart
from adapters.runtime import Runtime
from adapters.storage.interface import Storage
from adapters.teams.auth import KeysUnavailable, MicrosoftKeys, TokenCheck
from adapters.teams.connector import BadCredentials, BotToken, Connector, ConnectorTrouble
from adapters.teams.conversations import TeamsConversations
from adapters.teams.server import MESSAGES_PATH, build_web_app
from adapters.teams.settings import TeamsSettings
from adapters.web_server import WebServer

log = logging.getLogger(__name__)

SDK_LOGGER = "microsoft_agents"
CONNECTOR_LOGGER = "microsoft_agents.hosting.core.connector"
ACTIVITY_LOGGER = "microsoft_agents.activity"
SHUTDOWN_GRACE_SECONDS = 20.0
"""How long walk-throughs still being opened may take after SIGTERM (within a 30 s grace)."""
TROUBLE_REPEAT_SECONDS = 60.0
"""The same trouble is logged again at most this often, however many requests meet it."""


class _OncePerMinute:
    """Logs a warning line, but the same one at most once a minute."""

    def __init__(self) -> None:
        self._last: dict[str, float] = {}

    def __call__(self, line: str) -> None:
        now = time.monotonic()
        if now - self._last.get(line, -TROUBLE_REPEAT_SECONDS) >= TROUBLE_REPEAT_SECONDS:
            self._last[line] = now
            log.warning("%s", line)


def _quiet_sdk() -> None:
    # the SDK logs every call it makes at INFO, with conversation ids; its warnings stay
    sdk = logging.getLogger(SDK_LOGGER)
    if sdk.level < logging.WARNING:
        sdk.setLevel(max(logging.WARNING, logging.getLogger().level))
    # each failed Bot Connector call comes back to us as an exception and is logged once, in
    # one line saying what was not delivered; the SDK's own line per try would only repeat it
    logging.getLogger(CONNECTOR_LOGGER).setLevel(logging.CRITICAL)
    # an activity the schema refuses gets a 400; the SDK's error line for it quotes the
    # activity's fields (a person's words among them) with a traceback
    logging.getLogger(ACTIVITY_LOGGER).setLevel(logging.CRITICAL)


async def serve_teams(runtime: Runtime, storage: Storage, web: WebServer | None = None) -> None:
    """Serve until SIGINT/SIGTERM (through `web` when the process shares HOST:PORT);
    CannotStart when the address is taken or the credentials are refused. Microsoft away at
    start is one warning: requests are checked once it is back."""
    settings = runtime.settings
    teams = settings.section(TeamsSettings)
    assert teams.app_id is not None
    _quiet_sdk()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with aiohttp.ClientSession() as session:
        keys = MicrosoftKeys(teams.openid_url_or_default, lambda: session)
        token = BotToken(teams, lambda: session)
        connector = Connector(teams, token)
        await _check_microsoft(keys, token)
        service = ConversationService(runtime, storage)
        conversations = TeamsConversations(service, connector, teams.admins)
        trouble = _OncePerMinute()
        web_app = build_web_app(conversations, TokenCheck(keys, teams.app_id), trouble)
        try:
            async with (web or WebServer(settings)).serving(web_app, "Teams bot", MESSAGES_PATH):
                await stop.wait()
            await conversations.finish(SHUTDOWN_GRACE_SECONDS)
        finally:
            await connector.close()


async def _check_microsoft(keys: MicrosoftKeys, token: BotToken) -> None:
    """Fetch the signing keys and the bot's token once, so that a wrong setting shows now.

    Refused credentials stop the bot; Microsoft out of reach is one warning line.
    """
    away: list[str] = []
    try:
        await keys.refresh()
    except KeysUnavailable as exc:
        away.append(f"{exc}, so requests are refused until it can be reached")
    try:
        await token.get()
    except BadCredentials as exc:
        raise CannotStart(str(exc), exit_code=2) from None
    except ConnectorTrouble as exc:
        away.append(f"{exc}, so replies wait until it can be reached")
    if away:
        log.warning("%s", "; ".join(away))

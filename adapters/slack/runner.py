"""Running the Slack app (Socket Mode or HTTP) and posting the card from the command line."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from typing import TextIO

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.conversation import ConversationService
from adapters.runtime import Runtime, chosen_locale
from adapters.slack.app import build_app, web_client
from adapters.slack.render import card_payload
from adapters.slack.respond import Replier
from adapters.slack.server import EVENTS_PATH, build_web_app
from adapters.slack.settings import SlackSettings
from adapters.slack.socket_mode import SocketModeConnection
from adapters.storage.interface import NoStorage, Storage
from adapters.web_server import WebServer
from bot.effects import ShowCard as ShowCardEffect
from bot.events import ShowCard
from bot.state import Who

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 20.0
"""How long replies in flight may take to finish after SIGTERM (within a typical 30 s grace)."""

_INVITE = (
    "invite the app with /invite @coach-or-therapy in that channel, "
    "or add the chat:write.public scope"
)
POST_ERRORS = {
    "not_in_channel": f"the app is not in that channel; {_INVITE}",
    "channel_not_found": (
        "no channel with that id is visible to the app; check the id (channel details, bottom) "
        f"and, for a private channel, {_INVITE.split(', or')[0]}"
    ),
    "is_archived": "that channel is archived; unarchive it or pick another",
    "restricted_action": "the workspace does not let apps post there; ask an admin",
    "invalid_auth": "SLACK_BOT_TOKEN was not accepted; copy the Bot User OAuth Token again",
    "not_authed": "SLACK_BOT_TOKEN was not sent; set it in the environment or .env",
    "account_inactive": "the app's token was revoked; reinstall the app and copy the new token",
    "token_revoked": "the app's token was revoked; reinstall the app and copy the new token",
    "missing_scope": "the app lacks the chat:write scope; add it and reinstall the app",
    "ratelimited": "Slack is rate limiting the app; wait a minute and try again",
    "msg_too_long": "the card is too long for Slack; check it with coach-or-therapy validate",
    "invalid_blocks": "Slack refused the card's layout; check it with coach-or-therapy validate",
}


async def serve_slack(
    runtime: Runtime, storage: Storage | None = None, web: WebServer | None = None
) -> None:
    """Serve until SIGINT/SIGTERM: Socket Mode with SLACK_APP_TOKEN, else HTTP on HOST:PORT
    (through `web` when the process shares it)."""
    settings = runtime.settings
    slack = settings.section(SlackSettings)
    already_running = asyncio.all_tasks()
    replier = Replier()
    app = build_app(runtime, storage, replier=replier)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        if slack.app_token:
            await SocketModeConnection(app, slack.app_token).hold(stop)
        else:
            assert slack.signing_secret is not None
            web_app = build_web_app(app, slack.signing_secret)
            async with (web or WebServer(settings)).serving(web_app, "Slack app", EVENTS_PATH):
                await stop.wait()
    finally:
        await _finish_replies(already_running)
        await replier.close()


async def _finish_replies(already_running: set[asyncio.Task[object]]) -> None:
    """Let replies still on their way finish (up to a grace period) before the process exits.

    Bolt answers a click's HTTP request at once and sends the reply from a task of its own, so
    stopping the server alone would cut those replies off mid-conversation.
    """
    started = [
        task
        for task in asyncio.all_tasks() - already_running
        if "slack_bolt" in getattr(getattr(task.get_coro(), "cr_code", None), "co_filename", "")
    ]
    if started:
        log.info("finishing %d replies before stopping", len(started))
        await asyncio.wait(started, timeout=SHUTDOWN_GRACE_SECONDS)


def post_card(
    runtime: Runtime,
    channel: str,
    out: TextIO,
    locale: str | None = None,
    storage: Storage | None = None,
) -> int:
    """Post the comparison card to `channel` with chat.postMessage; 0 when posted, else 1.

    In `locale` when given (SettingsError when the content has no such language), else in the
    workspace's language as `storage` holds it, else in DEFAULT_LOCALE.
    """
    chosen = chosen_locale(runtime.book, locale) if locale is not None else None
    token = runtime.settings.section(SlackSettings).bot_token
    if not token:
        print(
            "coach-or-therapy: SLACK_BOT_TOKEN is missing; copy the Bot User OAuth Token from "
            "your Slack app's OAuth & Permissions page",
            file=sys.stderr,
        )
        return 2
    channel = channel.strip().lstrip("#")
    if not channel or any(c.isspace() for c in channel):
        print(
            f"coach-or-therapy: {channel!r} is not a channel id (like C0123ABCD)", file=sys.stderr
        )
        return 2
    return asyncio.run(_post_card(runtime, token, channel, out, chosen, storage or NoStorage()))


async def _post_card(
    runtime: Runtime, token: str, channel: str, out: TextIO, locale: str | None, storage: Storage
) -> int:
    client = web_client(runtime, token)
    try:
        workspace = "-" if locale else await _workspace_of(client)
        reply = await ConversationService(runtime, storage).take(
            Who("slack", workspace, "-"), ShowCard(), None, locale
        )
        effect = reply.effects[0]
        assert isinstance(effect, ShowCardEffect)
        response = await client.chat_postMessage(channel=channel, **card_payload(effect))
    except SlackApiError as exc:
        error = str(exc.response.get("error", "unknown_error"))
        fix = POST_ERRORS.get(error, "see https://api.slack.com/methods/chat.postMessage#errors")
        print(f"coach-or-therapy: could not post to {channel}: {error}: {fix}", file=sys.stderr)
        return 1
    except (SlackClientError, OSError, TimeoutError) as exc:
        print(
            f"coach-or-therapy: could not reach Slack ({type(exc).__name__}); check the network "
            "and SLACK_API_URL, then try again",
            file=sys.stderr,
        )
        return 1
    finally:
        session = getattr(client, "session", None)
        if session is not None:
            await session.close()
    print(f"Posted the comparison card to {response.get('channel', channel)}.", file=out)
    return 0


async def _workspace_of(client: AsyncWebClient) -> str:
    """The workspace the bot token belongs to, for its language ("-" when Slack cannot say)."""
    try:
        team = (await client.auth_test()).get("team_id")
    except (SlackApiError, SlackClientError, OSError, TimeoutError) as exc:
        log.info("auth.test failed (%s); the card is in the default language", type(exc).__name__)
        return "-"
    return team if isinstance(team, str) and team else "-"

"""The Slack app: Bolt listeners that turn payloads into turns and turns into replies."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters import log_privacy
from adapters.runtime import Runtime
from adapters.slack.authorize import bot_token_authorize
from adapters.slack.parse import (
    ACTION_ID_PATTERN,
    Click,
    Command,
    parse_click,
    parse_command,
    parse_home_opened,
)
from adapters.slack.quiet import failure, platform_logger
from adapters.slack.render import Message, home_view, render, text_message
from adapters.slack.respond import Replier, retry_handlers
from adapters.workspaces import NoStorage, WorkspacePrefs, Workspaces
from bot.effects import Action, Effect, Refuse
from bot.effects import ShowCard as ShowCardEffect
from bot.engine import Guide
from bot.events import Event, ShowCard, Start
from bot.state import Who
from bot.tally import counters_for
from bot.turn import Turn, take_turn

APP_NAME = "coach-or-therapy"
COMMAND = "/coach-or-therapy"
DEFAULT_API_URL = "https://slack.com/api/"
_SLACK_HOSTS = (".slack.com", ".slack-gov.com")

log = logging.getLogger(__name__)

Ack = Callable[..., Awaitable[Any]]
CommandHandler = Callable[["SlackBot", Command, Ack, AsyncWebClient], Awaitable[None]]
"""Answers one `/coach-or-therapy <word>`; it must call ack() within Slack's 3 seconds."""

_SLACK_TROUBLE = (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError, OSError)


@dataclass
class SlackBot:
    """What the listeners share: the runtime, workspace storage and the response_url replier."""

    runtime: Runtime
    workspaces: Workspaces = field(default_factory=NoStorage)
    replier: Replier = field(default_factory=Replier)
    clock: Callable[[], float] = time.time
    commands: dict[str, CommandHandler] = field(default_factory=dict)

    async def prefs(self, team: str) -> WorkspacePrefs:
        """This workspace's preferences; the defaults when storage cannot say."""
        try:
            return await self.workspaces.prefs("slack", team)
        except Exception:
            log.warning("workspace preferences unavailable; using the defaults", exc_info=True)
            return WorkspacePrefs()

    def guide(self, prefs: WorkspacePrefs) -> Guide:
        """The guide for a workspace with these preferences."""
        return self.runtime.book.guide(
            locale=prefs.locale,
            region=prefs.region,
            eap_contact=prefs.eap_contact,
            coaching_contact=prefs.coaching_contact,
        )

    async def take(self, who: Who, event: Event, token: str | None) -> tuple[Turn, Guide]:
        """One turn of this person's conversation, counted anonymously for their workspace."""
        guide = self.guide(await self.prefs(who.workspace))
        turn = take_turn(
            guide,
            self.runtime.keyring,
            who,
            event,
            token,
            now=self.clock(),
            ttl=self.runtime.settings.state_ttl_seconds,
        )
        counters = counters_for(event, turn.effects)
        if counters:
            try:
                await self.workspaces.count("slack", who.workspace, counters)
            except Exception:
                log.warning("counting failed; the conversation goes on", exc_info=False)
        return turn, guide

    def card_channels(self, prefs: WorkspacePrefs) -> tuple[str, ...]:
        """Channels the card may be posted in; empty means anywhere."""
        return prefs.card_channels or self.runtime.settings.slack_card_channels

    async def on_command(self, ack: Ack, body: dict[str, Any], client: AsyncWebClient) -> None:
        """`/coach-or-therapy [start|card|help]`, answered inside ack(); never left unanswered."""
        answered = False

        async def ack_once(*args: Any, **kwargs: Any) -> Any:
            nonlocal answered
            answered = True
            return await ack(*args, **kwargs)

        try:
            await self._command(ack_once, body, client)
        except Exception as exc:
            log.error("slash command failed: %s", type(exc).__name__)
            if not answered:
                notice = self.runtime.book.content().messages["notices.reply_failed"]
                await ack(self._ephemeral(text_message(notice)))

    async def _command(self, ack: Ack, body: dict[str, Any], client: AsyncWebClient) -> None:
        command = parse_command(body)
        if command is None:
            await ack(self._ephemeral(text_message(self.runtime.book.content().messages["usage"])))
            return
        extra = self.commands.get(command.word)
        if extra is not None:
            await extra(self, command, ack, client)
            return
        match command.subcommand:
            case "start":
                turn, _ = await self.take(command.who, Start(), None)
                await ack(self._ephemeral(render(turn.effects[0], turn.token)))
            case "card":
                await ack(await self._card_reply(command))
            case _:
                prefs = await self.prefs(command.who.workspace)
                usage = self.guide(prefs).content.messages["usage"]
                await ack(self._ephemeral(text_message(usage)))

    async def _card_reply(self, command: Command) -> Message:
        prefs = await self.prefs(command.who.workspace)
        allowed = self.card_channels(prefs)
        if allowed and command.channel not in allowed:
            notice = self.guide(prefs).content.messages["notices.card_not_here"]
            return self._ephemeral(text_message(notice))
        turn, _ = await self.take(command.who, ShowCard(), None)
        return {"response_type": "in_channel", **render(turn.effects[0], None)}

    @staticmethod
    def _ephemeral(message: Message) -> Message:
        return {"response_type": "ephemeral", **message}

    async def on_click(self, ack: Ack, body: dict[str, Any], client: AsyncWebClient) -> None:
        """A button: ack at once, then answer through the click's response_url."""
        await ack()
        click = parse_click(body)
        if click is None:
            log.info("ignored a click that is not shaped like ours")
            return
        try:
            turn, guide = await self.take(click.who, click.event, click.token)
            for n, effect in enumerate(turn.effects):
                message = render(effect, turn.token)
                replace = n == 0 and _replaces(click, effect)
                await self._deliver(click, message, replace, guide, client)
        except Exception as exc:
            log.error("click failed: %s", type(exc).__name__)
            await self._tell_failure(click, self.guide(WorkspacePrefs()), client)

    async def _deliver(
        self, click: Click, message: Message, replace: bool, guide: Guide, client: AsyncWebClient
    ) -> None:
        if click.response_url and self._is_slacks(click.response_url):
            if await self.replier.send(click.response_url, message, replace_original=replace):
                return
        elif click.in_view:
            try:
                await client.chat_postMessage(channel=click.who.user, **message)
                return
            except _SLACK_TROUBLE as exc:
                log.warning("could not open the walk-through in a DM: %s", failure(exc))
        await self._tell_failure(click, guide, client)

    def _is_slacks(self, url: str) -> bool:
        """Whether a response_url points at Slack (or at SLACK_API_URL's host), never elsewhere."""
        host = urlparse(url).hostname or ""
        api_host = urlparse(self.runtime.settings.slack_api_url or DEFAULT_API_URL).hostname
        return host == api_host or host.endswith(_SLACK_HOSTS)

    async def _tell_failure(self, click: Click, guide: Guide, client: AsyncWebClient) -> None:
        notice = guide.content.messages["notices.reply_failed"]
        try:
            if click.channel:
                await client.chat_postEphemeral(
                    channel=click.channel, user=click.who.user, **text_message(notice)
                )
            else:
                await client.chat_postMessage(channel=click.who.user, **text_message(notice))
        except _SLACK_TROUBLE as exc:
            log.warning("could not tell the person their reply failed: %s", failure(exc))

    async def on_home_opened(self, body: dict[str, Any], client: AsyncWebClient) -> None:
        """Publish the App Home tab: what this is, a Start button and the card."""
        opened = parse_home_opened(body)
        if opened is None:
            return
        team, user = opened
        turn, guide = await self.take(Who("slack", team, user), ShowCard(), None)
        card = turn.effects[0]
        if not isinstance(card, ShowCardEffect):
            return
        words = guide.content.messages
        start = Action(Start(), words["buttons.start"], "primary")
        view = home_view(guide.content.intro, words["usage"], start, card)
        try:
            await client.views_publish(user_id=user, view=view)
        except _SLACK_TROUBLE as exc:
            log.warning("could not publish the Home tab: %s", failure(exc))


def _replaces(click: Click, effect: Effect) -> bool:
    """Whether the reply takes the clicked message's place or comes as a new private message.

    A refusal changes nothing, the full card keeps the result in view, and a Start clicked on a
    message everyone sees (the channel card) must leave that message for everyone else.
    """
    if isinstance(effect, Refuse):
        return False
    if isinstance(effect, ShowCardEffect):
        return False
    return not (isinstance(click.event, Start) and not click.in_ephemeral)


def web_client(
    runtime: Runtime, token: str | None = None, base_url: str | None = None
) -> AsyncWebClient:
    """A Web API client at SLACK_API_URL (or Slack's), retrying 5xx, 429 and connection trouble."""
    return AsyncWebClient(
        token=token,
        base_url=base_url or runtime.settings.slack_api_url or DEFAULT_API_URL,
        logger=platform_logger(),
        retry_handlers=retry_handlers(),
    )


def build_app(
    runtime: Runtime,
    workspaces: Workspaces | None = None,
    *,
    client: AsyncWebClient | None = None,
    replier: Replier | None = None,
    clock: Callable[[], float] = time.time,
    installation_store: AsyncInstallationStore | None = None,
    oauth_settings: AsyncOAuthSettings | None = None,
    before_authorize: AsyncMiddleware | None = None,
    commands: Mapping[str, CommandHandler] | None = None,
) -> AsyncApp:
    """The Bolt app with every listener attached.

    Bot-token mode with SLACK_BOT_TOKEN; multi-workspace when given an installation store or
    OAuth settings. `commands` adds `/coach-or-therapy <word>` handlers. Pass your own `replier`
    to close its HTTP session on shutdown.
    """
    settings = runtime.settings
    oauth = installation_store is not None or oauth_settings is not None
    bot_token = None if oauth else settings.slack_bot_token
    app = AsyncApp(
        name=APP_NAME,
        logger=platform_logger(),
        signing_secret=settings.slack_signing_secret,
        # the token comes with each request from `authorize` (or from the installation)
        client=client or web_client(runtime),
        installation_store=installation_store,
        oauth_settings=oauth_settings,
        before_authorize=before_authorize,
        authorize=bot_token_authorize(bot_token) if bot_token else None,
        # a Socket Mode app may run without a signing secret; HTTP requests are checked
        # in server.py before they reach Bolt
        request_verification_enabled=bool(settings.slack_signing_secret),
    )
    bot = SlackBot(
        runtime,
        workspaces or NoStorage(),
        replier or Replier(),
        clock,
        dict(commands or {}),
    )
    register_listeners(app, bot)
    log_privacy.install()
    return app


def register_listeners(app: AsyncApp, bot: SlackBot) -> None:
    """Attach the slash command, every button and the Home tab to `app`."""
    register_command(app, bot)
    register_buttons(app, bot)
    register_home(app, bot)


def register_command(app: AsyncApp, bot: SlackBot) -> None:
    """`/coach-or-therapy` and its words."""
    app.command(COMMAND)(bot.on_command)


def register_buttons(app: AsyncApp, bot: SlackBot) -> None:
    """Every `cot:<code>` button."""
    app.action(ACTION_ID_PATTERN)(bot.on_click)


def register_home(app: AsyncApp, bot: SlackBot) -> None:
    """The App Home tab."""
    app.event("app_home_opened")(bot.on_home_opened)

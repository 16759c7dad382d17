"""The Slack app: Bolt listeners that turn payloads into turns and turns into replies."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from adapters import log_privacy
from adapters.conversation import ConversationService, TurnReply
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
from adapters.slack.people import PersonLocales
from adapters.slack.quiet import SLACK_TROUBLE, failure, platform_logger
from adapters.slack.render import Message, home_view, render, text_message
from adapters.slack.respond import Replier, retry_handlers
from adapters.slack.settings import SlackSettings
from adapters.storage.interface import NoStorage, Storage, WorkspacePrefs
from bot.effects import Action, Effect, Refuse
from bot.effects import ShowCard as ShowCardEffect
from bot.engine import Guide
from bot.events import Event, ShowCard, Start
from bot.model import Messages
from bot.state import Who, token_locale

APP_NAME = "coach-or-therapy"
COMMAND = "/coach-or-therapy"
DEFAULT_API_URL = "https://slack.com/api/"
_SLACK_HOSTS = (".slack.com", ".slack-gov.com")

log = logging.getLogger(__name__)

Ack = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class CommandCall:
    """One `/coach-or-therapy <word>` as a handler receives it."""

    command: Command
    ack: Ack
    client: AsyncWebClient
    authorized_team: str | None
    """The workspace Bolt authorized this request for (None when it could not say)."""


CommandHandler = Callable[["SlackBot", CommandCall], Awaitable[None]]
"""Answers one `/coach-or-therapy <word>`; it must call ack() within Slack's 3 seconds."""


COMMAND_WAIT = 1.0
"""How long a slash command waits for users.info to say the person's language: its reply is sent
inside ack(), within Slack's 3 seconds, in the workspace's language when Slack is slower."""
CLICK_WAIT = 2.5
"""How long a reply sent after ack() (a click, the Home tab) waits for the person's language."""


@dataclass
class SlackBot:
    """What the listeners share: the conversation service, the response_url replier and what
    Slack has said of each person's language."""

    conversations: ConversationService
    replier: Replier = field(default_factory=Replier)
    commands: dict[str, CommandHandler] = field(default_factory=dict)
    people: PersonLocales = field(default_factory=PersonLocales)

    @property
    def runtime(self) -> Runtime:
        """Settings, content and keys."""
        return self.conversations.runtime

    async def prefs(self, team: str) -> WorkspacePrefs:
        """This workspace's settings (the defaults when storage cannot say)."""
        return await self.conversations.prefs("slack", team)

    async def take(
        self, who: Who, event: Event, token: str | None, locale: str | None = None
    ) -> TurnReply:
        """One turn of this person's conversation, in `locale` when it has not begun yet."""
        return await self.conversations.take(who, event, token, locale)

    async def locale(self, client: AsyncWebClient, who: Who, wait: float) -> str | None:
        """The person's Slack language, waiting at most `wait` seconds to hear it."""
        return await self.people.of(client, who.workspace, who.user, wait)

    def known_words(self, who: Who | None) -> Messages:
        """Words for a one-line fault notice: the person's language if known, else the default."""
        known = self.people.known(who.workspace, who.user) if who is not None else None
        return self.runtime.book.content(known).messages

    def card_channels(self, prefs: WorkspacePrefs) -> tuple[str, ...]:
        """Channels the card may be posted in; empty means anywhere."""
        return prefs.card_channels or self.runtime.settings.section(SlackSettings).card_channels

    async def on_command(
        self, ack: Ack, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """`/coach-or-therapy [start|card|help]`, answered inside ack(); never left unanswered."""
        answered = False

        async def ack_once(*args: Any, **kwargs: Any) -> Any:
            nonlocal answered
            answered = True
            return await ack(*args, **kwargs)

        try:
            await self._command(ack_once, body, client, authorized_team(context))
        except Exception as exc:
            log.error("slash command failed: %s", type(exc).__name__)
            if not answered:
                command = parse_command(body)
                words = self.known_words(command.who if command else None)
                await ack(self._ephemeral(text_message(words["notices.reply_failed"])))

    async def _command(
        self, ack: Ack, body: dict[str, Any], client: AsyncWebClient, authorized: str | None
    ) -> None:
        command = parse_command(body)
        if command is None:
            await ack(self._ephemeral(text_message(self.runtime.book.content().messages["usage"])))
            return
        extra = self.commands.get(command.word)
        if extra is not None:
            await extra(self, CommandCall(command, ack, client, authorized))
            return
        match command.subcommand:
            case "start":
                locale = await self.locale(client, command.who, COMMAND_WAIT)
                reply = await self.take(command.who, Start(), None, locale)
                await ack(self._ephemeral(render(reply.effects[0], reply.token)))
            case "card":
                # the channel's card is in the workspace's language, whoever asks for it
                await ack(await self._card_reply(command))
            case _:
                locale = await self.locale(client, command.who, COMMAND_WAIT)
                guide = await self.conversations.guide(command.who, locale)
                await ack(self._ephemeral(text_message(guide.content.messages["usage"])))

    async def _card_reply(self, command: Command) -> Message:
        prefs = await self.prefs(command.who.workspace)
        allowed = self.card_channels(prefs)
        if allowed and command.channel not in allowed:
            notice = self.conversations.guide_for(prefs).content.messages["notices.card_not_here"]
            return self._ephemeral(text_message(notice))
        reply = await self.take(command.who, ShowCard(), None)
        return {"response_type": "in_channel", **render(reply.effects[0], None)}

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
            locale = None
            if not self.runtime.book.has(token_locale(click.token) if click.token else None):
                # nothing begun yet (the channel card's Start, the Home tab): the person's own
                locale = await self.locale(client, click.who, CLICK_WAIT)
            reply = await self.take(click.who, click.event, click.token, locale)
            for n, effect in enumerate(reply.effects):
                message = render(effect, reply.token)
                replace = n == 0 and _replaces(click, effect)
                await self._deliver(click, message, replace, reply.guide, client)
        except Exception as exc:
            log.error("click failed: %s", type(exc).__name__)
            await self._tell_failure(click, self.known_words(click.who), client)

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
            except SLACK_TROUBLE as exc:
                log.warning("could not open the walk-through in a DM: %s", failure(exc))
        await self._tell_failure(click, guide.content.messages, client)

    def _is_slacks(self, url: str) -> bool:
        """Whether a response_url points at Slack (or at SLACK_API_URL's host), never elsewhere."""
        host = urlparse(url).hostname or ""
        api_url = self.runtime.settings.section(SlackSettings).api_url
        api_host = urlparse(api_url or DEFAULT_API_URL).hostname
        return host == api_host or host.endswith(_SLACK_HOSTS)

    async def _tell_failure(self, click: Click, words: Messages, client: AsyncWebClient) -> None:
        notice = words["notices.reply_failed"]
        try:
            if click.channel:
                await client.chat_postEphemeral(
                    channel=click.channel, user=click.who.user, **text_message(notice)
                )
            else:
                await client.chat_postMessage(channel=click.who.user, **text_message(notice))
        except SLACK_TROUBLE as exc:
            log.warning("could not tell the person their reply failed: %s", failure(exc))

    async def on_home_opened(self, body: dict[str, Any], client: AsyncWebClient) -> None:
        """Publish the App Home tab: what this is, a Start button and the card."""
        opened = parse_home_opened(body)
        if opened is None:
            return
        team, user = opened
        who = Who("slack", team, user)
        # the Home tab is the person's own: in their language
        reply = await self.take(who, ShowCard(), None, await self.locale(client, who, CLICK_WAIT))
        card = reply.effects[0]
        if not isinstance(card, ShowCardEffect):
            return
        words = reply.guide.content.messages
        start = Action(Start(), words["buttons.start"], "primary")
        view = home_view(reply.guide.intro, words["usage"], start, card)
        try:
            await client.views_publish(user_id=user, view=view)
        except SLACK_TROUBLE as exc:
            log.warning("could not publish the Home tab: %s", failure(exc))


def authorized_team(context: AsyncBoltContext) -> str | None:
    """The workspace Bolt authorized a request for (its installation, or the bot token's)."""
    result = context.authorize_result
    return result.team_id if result is not None else None


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
        base_url=base_url or runtime.settings.section(SlackSettings).api_url or DEFAULT_API_URL,
        logger=platform_logger(),
        retry_handlers=retry_handlers(),
    )


def build_app(
    runtime: Runtime,
    storage: Storage | None = None,
    *,
    client: AsyncWebClient | None = None,
    replier: Replier | None = None,
    clock: Callable[[], float] = time.time,
    commands: Mapping[str, CommandHandler] | None = None,
) -> AsyncApp:
    """The Bolt app with every listener attached: walk-throughs, card, Home, admins, uninstall.

    One workspace with SLACK_BOT_TOKEN; many, through OAuth, with SLACK_CLIENT_ID and
    SLACK_CLIENT_SECRET (which need a database). `commands` adds `/coach-or-therapy <word>`
    handlers. Pass your own `replier` to close its HTTP session on shutdown.
    """
    from adapters.slack.admin import admin_commands, register_settings_form
    from adapters.slack.install import NotInstalledHere, oauth_settings, register_uninstall

    settings = runtime.settings
    slack = settings.section(SlackSettings)
    storage = storage or NoStorage()
    oauth = oauth_settings(settings, storage)
    app = AsyncApp(
        name=APP_NAME,
        logger=platform_logger(),
        signing_secret=slack.signing_secret,
        # the token comes with each request from `authorize` (or from the installation)
        client=client or web_client(runtime),
        oauth_settings=oauth,
        before_authorize=NotInstalledHere(oauth.installation_store) if oauth else None,
        authorize=(
            bot_token_authorize(slack.bot_token) if slack.bot_token and oauth is None else None
        ),
        # server.py checks every HTTP request's signature before Bolt sees it (and Socket Mode
        # requests carry none), so Bolt need not check it a second time
        request_verification_enabled=False,
    )
    conversations = ConversationService(runtime, storage, clock)
    bot = SlackBot(
        conversations,
        replier or Replier(),
        {**admin_commands(runtime, storage), **(commands or {})},
    )
    register_listeners(app, bot)
    register_settings_form(app, bot)
    register_uninstall(app, storage)
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

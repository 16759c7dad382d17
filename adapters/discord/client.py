"""The Discord client: the /coach-or-therapy command, button routing, intents and shards."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from adapters import log_privacy
from adapters.admin import WorkspaceAdmin
from adapters.conversation import ConversationService
from adapters.discord.admin import build_admin_command
from adapters.discord.buttons import TEMPLATE
from adapters.discord.conversations import TROUBLE, Conversations
from adapters.discord.settings import DiscordSettings
from adapters.discord.shape import interaction_problem
from adapters.discord.translator import ContentTranslator, command_text
from adapters.runtime import Runtime
from adapters.storage.interface import NoStorage, Storage

_log = logging.getLogger(__name__)

COMMAND_NAME = "coach-or-therapy"
SHOW_CHOICES = ("quiz", "card", "help")
"""The `show` option's values; each one's name is ``discord.command.<value>`` in the content."""


def build_command(conversations: Conversations) -> app_commands.Command[Any, Any, None]:
    """The one slash command, with its optional `show` choice."""
    book = conversations.runtime.book

    @app_commands.command(
        name=COMMAND_NAME, description=command_text(book, "discord.command.description")
    )
    @app_commands.describe(show=command_text(book, "discord.command.show"))
    @app_commands.choices(
        show=[
            app_commands.Choice(name=command_text(book, f"discord.command.{value}"), value=value)
            for value in SHOW_CHOICES
        ]
    )
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    @app_commands.allowed_installs(guilds=True, users=False)
    async def coach_or_therapy(interaction: discord.Interaction[Any], show: str = "quiz") -> None:
        await conversations.on_command(interaction, show)

    return coach_or_therapy


def _refusing_unreadable(parse: Callable[[Any], None]) -> Callable[[Any], None]:
    """The interaction parser, made to refuse quietly a payload it cannot read or act on.

    discord.py lets a parser's exception escape into the gateway connection, which would end
    the process; one odd interaction is not worth that, and the person can simply try again.
    A payload the bot does not handle, or one that does not say who sent it, is dropped before
    anything reads it.
    """

    def parse_or_drop(data: Any) -> None:
        problem = interaction_problem(data)
        if problem is not None:
            _log.info("Ignored %s", problem)
            return
        try:
            parse(data)
        except Exception as exc:
            _log.warning("Dropped an interaction that could not be read (%s)", type(exc).__name__)

    return parse_or_drop


class CommandTree(app_commands.CommandTree[Any]):
    """The app command tree; a command that fails before it starts still gets a kind answer."""

    def __init__(self, client: discord.Client, conversations: Conversations) -> None:
        super().__init__(client)
        self.conversations = conversations

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        """Log what went wrong (never the options given) and tell the person in one line."""
        _log.warning("The command could not run (%s)", type(error).__name__)
        await self.conversations.tell(interaction, TROUBLE)


class CoachOrTherapyClient(discord.Client):
    """The bot: default intents, one slash command, buttons rebuilt from their custom_ids."""

    def __init__(self, runtime: Runtime, storage: Storage | None = None, **options: Any) -> None:
        # the bot never joins voice, so discord.py's start-up warnings about voice libraries
        # would only worry whoever reads the logs
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(intents=discord.Intents.default(), **options)
        # discord.py says so at every start when a bot logs in with its token: nothing to act on
        log_privacy.leave_out("logging in using static token")
        self.runtime = runtime
        storage = storage or NoStorage()
        self.conversations = Conversations(ConversationService(runtime, storage))
        self.tree: app_commands.CommandTree[Any] = CommandTree(self, self.conversations)
        self.tree.add_command(build_command(self.conversations))
        self.tree.add_command(build_admin_command(WorkspaceAdmin(runtime, storage, "discord")))
        parsers = self._connection.parsers
        parsers["INTERACTION_CREATE"] = _refusing_unreadable(parsers["INTERACTION_CREATE"])

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Answer a press of any conversation button, whoever's message it is on.

        The button's custom_id carries everything, so the click goes straight to the
        conversation; discord.py's DynamicItem would first rebuild every button of the message
        as a view, which costs more than the turn itself.
        """
        if interaction.type is not discord.InteractionType.component or interaction.data is None:
            return
        custom_id = interaction.data.get("custom_id")
        if isinstance(custom_id, str) and TEMPLATE.fullmatch(custom_id):
            await self.conversations.on_click(interaction, custom_id)

    async def setup_hook(self) -> None:
        """Follow a REST proxy's gateway when one is set."""
        await self.tree.set_translator(ContentTranslator(self.runtime.book))
        if self.runtime.settings.section(DiscordSettings).api_url:
            _, url, _ = await self.http.get_bot_gateway()
            DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)


class ShardedCoachOrTherapyClient(CoachOrTherapyClient, discord.AutoShardedClient):
    """The same bot over several gateway shards, for large installs."""


def make_client(
    runtime: Runtime, storage: Storage | None = None, **options: Any
) -> CoachOrTherapyClient:
    """The bot, on as many gateway shards as Discord recommends unless DISCORD_SHARD_COUNT says.

    Discord requires shards from 2,500 servers on; asking at every start means a growing bot
    needs no change, and a small one runs a single shard.
    """
    settings = runtime.settings
    return ShardedCoachOrTherapyClient(
        runtime,
        storage,
        shard_count=settings.section(DiscordSettings).shard_count,
        shard_ids=list(settings.section(DiscordSettings).shard_ids) or None,
        **options,
    )

"""Answering /coach-or-therapy and every conversation button: threads, fallbacks, turns.

Nothing about a conversation is kept here between interactions; each one carries its own state.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final

import aiohttp
import discord

from adapters.conversation import ConversationService, TurnReply
from adapters.discord.access import Poster, card_refusal
from adapters.discord.buttons import parse_custom_id
from adapters.discord.render import Reply, render
from adapters.discord.settings import DiscordSettings
from adapters.runtime import Runtime
from bot.effects import ShowCard as ShowCardEffect
from bot.engine import Guide, refusal
from bot.events import Event, ShowCard, Start
from bot.model import Messages
from bot.state import Who

_log = logging.getLogger(__name__)

THREAD_ARCHIVE_MINUTES: Final = 1440
THREAD_NAME_LIMIT = 100
TROUBLE = "notices.reply_failed"
"""What a person is told when their reply could not be made or sent."""

Interaction = discord.Interaction[Any]
Handler = Callable[[Interaction], Awaitable[None]]


def workspace_of(interaction: Interaction) -> str:
    """The workspace a conversation belongs to: the server id, or "dm"."""
    return str(interaction.guild_id) if interaction.guild_id else "dm"


def who_of(interaction: Interaction) -> Who:
    """The person behind an interaction, as the conversation token binds it."""
    return Who("discord", workspace_of(interaction), str(interaction.user.id))


def thread_obstacle(interaction: Interaction) -> str | None:
    """Why no private thread can be opened for this interaction (the message key that says so),
    or None when one can."""
    channel = interaction.channel
    if interaction.guild_id is None or isinstance(channel, discord.DMChannel):
        return "discord.no_thread_dm"
    if isinstance(channel, discord.Thread):
        return "discord.no_thread_in_thread"
    if not isinstance(channel, discord.TextChannel) or channel.is_news():
        return "discord.no_thread_kind"
    allowed = interaction.app_permissions
    if not (allowed.create_private_threads and allowed.send_messages_in_threads):
        return "discord.no_thread_permission"
    return None


def poster_of(interaction: Interaction) -> Poster:
    """The facts the card permission needs, read from the interaction."""
    user = interaction.user
    role_ids: tuple[int, ...] = ()
    role_names: tuple[str, ...] = ()
    if isinstance(user, discord.Member):
        # the payload's role ids are there even when the server's roles are not cached yet
        role_ids = tuple(getattr(user, "_roles", ()))
        role_names = tuple(role.name for role in user.roles if not role.is_default())
    channel = interaction.channel
    name = None if isinstance(channel, discord.Thread) else getattr(channel, "name", None)
    return Poster(
        in_server=interaction.guild_id is not None,
        role_ids=role_ids,
        role_names=role_names,
        can_manage_messages=interaction.permissions.manage_messages,
        channel_id=interaction.channel_id,
        # a thread counts by its own id only: anyone may give a thread a channel's name
        channel_name=name,
    )


class Conversations:
    """Answers the command and every button press; holds no conversation state."""

    def __init__(self, service: ConversationService) -> None:
        self.service = service
        self.shows: dict[str, Handler] = {
            "quiz": self.start_private,
            "card": self.post_card,
            "help": self.show_help,
        }

    async def on_command(self, interaction: Interaction, show: str = "quiz") -> None:
        """Answer /coach-or-therapy with the chosen `show` (quiz when none or unknown)."""
        await self._guarded(interaction, self.shows.get(show, self.start_private))

    async def on_click(self, interaction: Interaction, custom_id: str) -> None:
        """Answer one press of a conversation button."""

        async def click(interaction: Interaction) -> None:
            await self._click(interaction, custom_id)

        await self._guarded(interaction, click)

    @property
    def runtime(self) -> Runtime:
        """Settings, content and keys."""
        return self.service.runtime

    async def start_private(self, interaction: Interaction) -> None:
        """Begin a walk-through in a new private thread, else in messages only the person sees."""
        obstacle = thread_obstacle(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        turn = await self._take(interaction, Start(), None)
        words = turn.guide.content.messages
        reply = render(turn.effects[0], turn.token)
        thread = None
        if obstacle is None:
            thread, obstacle = await self._open_thread(interaction, words, reply)
        if thread is not None:
            await interaction.edit_original_response(
                content=words.format("discord.thread_opened", thread=thread.mention)
            )
        else:
            await _edit_original(interaction, reply.with_line(words[obstacle or ""]))

    async def post_card(self, interaction: Interaction) -> None:
        """Post the comparison card in the channel, for those allowed to, in the server's
        language (the setting, else the server's own); in a DM, in the person's."""
        prefs = await self.service.prefs("discord", workspace_of(interaction))
        person, place = _locale_of(interaction), _server_locale_of(interaction)
        settings = self.runtime.settings
        why = card_refusal(
            poster_of(interaction),
            prefs.card_roles or settings.section(DiscordSettings).card_roles,
            prefs.card_channels or settings.section(DiscordSettings).card_channels,
        )
        if why is not None:
            words = self.service.guide_for(prefs, person, place).content.messages
            await interaction.response.send_message(words[f"discord.{why}"], ephemeral=True)
            return
        in_server = interaction.guild_id is not None
        turn = await self.service.take(
            who_of(interaction), ShowCard(), None, None if in_server else person, place
        )
        reply = render(turn.effects[0], turn.token)
        await interaction.response.send_message(
            content=reply.content or "", embeds=list(reply.embeds), view=reply.view()
        )

    async def show_help(self, interaction: Interaction) -> None:
        """How the command works, to the person only."""
        words = (await self._guide(interaction)).content.messages
        await interaction.response.send_message(words["discord.usage"], ephemeral=True)

    async def _click(self, interaction: Interaction, custom_id: str) -> None:
        click = parse_custom_id(custom_id)
        message = interaction.message
        # others can see (and press) a message only when it is not ephemeral
        on_public_message = message is None or not message.flags.ephemeral
        if click is not None and isinstance(click.event, Start) and on_public_message:
            await self.start_private(interaction)
            return
        if click is None:
            guide = await self._guide(interaction)
            await _send_new(interaction, render(refusal(guide.content, "tampered"), None))
            return
        turn = await self._take(interaction, click.event, click.token)
        guide = turn.guide
        first, *more = (render(effect, turn.token) for effect in turn.effects)
        channel_card = isinstance(turn.effects[0], ShowCardEffect) and turn.effects[0].for_channel
        if channel_card:
            # the channel's card, asked for by a click, goes to the clicker alone
            first = first.with_line(guide.content.messages["discord.card_for_you"])
        if first.ephemeral or channel_card or (on_public_message and turn.unusable == "foreign"):
            # never change a message someone else's conversation lives in
            await _send_new(interaction, first)
        else:
            await interaction.response.edit_message(
                content=first.content, embeds=list(first.embeds), view=first.view()
            )
        for reply in more:
            await _send_new(interaction, reply)

    async def _open_thread(
        self, interaction: Interaction, words: Messages, reply: Reply
    ) -> tuple[discord.Thread | None, str | None]:
        channel = interaction.channel
        assert isinstance(channel, discord.TextChannel)
        user = interaction.user
        name = words.format("discord.thread_name", name=user.display_name)[:THREAD_NAME_LIMIT]
        try:
            thread = await channel.create_thread(
                name=name,
                type=discord.ChannelType.private_thread,
                invitable=False,
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
            )
        except discord.HTTPException as exc:
            _log.warning("Could not open a private thread (HTTP %s)", exc.status)
            return None, _thread_trouble(exc)
        try:
            await thread.add_user(user)
            welcome = words.format("discord.thread_welcome", mention=user.mention)
            first = reply.with_line(welcome)
            await thread.send(
                content=first.content or "",
                embeds=list(first.embeds),
                view=first.view(),
                allowed_mentions=discord.AllowedMentions(users=[user], roles=False, everyone=False),
            )
        except discord.HTTPException as exc:
            _log.warning("Could not start in the private thread (HTTP %s)", exc.status)
            with contextlib.suppress(discord.HTTPException):
                await thread.delete()
            return None, _thread_trouble(exc)
        return thread, None

    async def _take(self, interaction: Interaction, event: Event, token: str | None) -> TurnReply:
        return await self.service.take(
            who_of(interaction),
            event,
            token,
            _locale_of(interaction),
            _server_locale_of(interaction),
        )

    async def _guide(self, interaction: Interaction) -> Guide:
        """The guide for this person here: their language, else the server's."""
        return await self.service.guide(
            who_of(interaction), _locale_of(interaction), _server_locale_of(interaction)
        )

    async def _guarded(self, interaction: Interaction, handler: Handler) -> None:
        try:
            await handler(interaction)
        except discord.NotFound as exc:
            # 10062: the first answer came after Discord's 3 seconds; nothing can reach the person
            _log.warning("Interaction could not be answered (HTTP 404, code %s)", exc.code)
        except discord.HTTPException as exc:
            _log.warning("Discord refused a reply (HTTP %s, code %s)", exc.status, exc.code)
            await self.tell(interaction, _trouble_key(exc))
        except _UNREACHABLE as exc:
            _log.warning("Discord could not be reached (%s)", type(exc).__name__)
            await self.tell(interaction, TROUBLE)
        except Exception:
            _log.exception("Unexpected error while answering an interaction")
            await self.tell(interaction, TROUBLE)

    async def tell(self, interaction: Interaction, key: str) -> None:
        """One line about a problem (the message `key`), to the person only, in their language
        (else the server's; settings are not read, since they may be what failed)."""
        book = self.runtime.book
        locale = book.locale_for(_locale_of(interaction), _server_locale_of(interaction))
        text = book.content(locale).messages[key]
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True)
            else:
                await interaction.response.send_message(text, ephemeral=True)
        except discord.HTTPException as exc:
            _log.warning("Could not tell the person about a problem (HTTP %s)", exc.status)
        except _UNREACHABLE as exc:
            _log.warning("Could not tell the person about a problem (%s)", type(exc).__name__)


def _locale_of(interaction: Interaction) -> str:
    """The person's Discord client language (``de``, ``es-ES``, ``en-GB`` ...)."""
    return str(interaction.locale)


def _server_locale_of(interaction: Interaction) -> str | None:
    """The server's own language (its "primary language"), None in a DM.

    Discord sends en-US for every server that is not a Community server, which is why a server's
    setting (/coach-or-therapy-admin settings) is looked at before this.
    """
    return str(interaction.guild_locale) if interaction.guild_locale is not None else None


_UNREACHABLE = (aiohttp.ClientError, OSError, TimeoutError)
"""Discord's REST API not answering at all (refused, reset, timed out)."""


def _trouble_key(exc: discord.HTTPException) -> str:
    if exc.status == 429:
        return "discord.busy"
    if exc.status == 403:
        return "discord.not_allowed_here"
    return TROUBLE


def _thread_trouble(exc: discord.HTTPException) -> str:
    return "discord.no_thread_permission" if exc.status == 403 else "discord.no_thread_trouble"


async def _edit_original(interaction: Interaction, reply: Reply) -> None:
    await interaction.edit_original_response(
        content=reply.content, embeds=list(reply.embeds), view=reply.view()
    )


async def _send_new(interaction: Interaction, reply: Reply) -> None:
    """A new message only the person sees (a reply when none was given yet, else a follow-up)."""
    content, embeds, view = reply.content or "", list(reply.embeds), reply.view()
    if interaction.response.is_done():
        await interaction.followup.send(content, embeds=embeds, view=view, ephemeral=True)
    else:
        await interaction.response.send_message(content, embeds=embeds, view=view, ephemeral=True)

"""Answering /coach-or-therapy and every conversation button: threads, fallbacks, turns.

Nothing about a conversation is kept here between interactions; each one carries its own state.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final

import aiohttp
import discord

from adapters.discord.access import Poster, card_refusal
from adapters.discord.buttons import parse_custom_id
from adapters.discord.render import Reply, render
from adapters.discord.words import say
from adapters.runtime import Runtime
from adapters.workspaces import NoStorage, WorkspacePrefs, Workspaces
from bot.effects import ShowCard as ShowCardEffect
from bot.engine import Guide, refusal
from bot.events import Event, ShowCard, Start
from bot.guides import GuideBook
from bot.state import Who, open_token
from bot.tally import counters_for
from bot.turn import Turn, take_turn

_log = logging.getLogger(__name__)

PREFS_TIMEOUT_SECONDS = 1.0
PREFS_CACHE_SECONDS = 30.0
PREFS_CACHE_SIZE = 10_000
THREAD_ARCHIVE_MINUTES: Final = 1440
THREAD_NAME_LIMIT = 100

Interaction = discord.Interaction[Any]
Handler = Callable[[Interaction], Awaitable[None]]


def content_locale(book: GuideBook, discord_locale: str | None, fallback: str | None) -> str:
    """The person's Discord locale when the content has it (or its language), else `fallback`."""
    if discord_locale:
        language = discord_locale.split("-")[0].lower()
        if discord_locale in book.contents or language in book.contents:
            return book.pick_locale(discord_locale)
    return book.pick_locale(fallback)


def workspace_of(interaction: Interaction) -> str:
    """The workspace a conversation belongs to: the server id, or "dm"."""
    return str(interaction.guild_id) if interaction.guild_id else "dm"


def who_of(interaction: Interaction) -> Who:
    """The person behind an interaction, as the conversation token binds it."""
    return Who("discord", workspace_of(interaction), str(interaction.user.id))


def thread_obstacle(interaction: Interaction) -> str | None:
    """Why no private thread can be opened for this interaction, or None when one can."""
    channel = interaction.channel
    if interaction.guild_id is None or isinstance(channel, discord.DMChannel):
        return "no_thread_dm"
    if isinstance(channel, discord.Thread):
        return "no_thread_in_thread"
    if not isinstance(channel, discord.TextChannel) or channel.is_news():
        return "no_thread_kind"
    allowed = interaction.app_permissions
    if not (allowed.create_private_threads and allowed.send_messages_in_threads):
        return "no_thread_permission"
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

    def __init__(
        self,
        runtime: Runtime,
        workspaces: Workspaces | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.runtime = runtime
        self.workspaces: Workspaces = workspaces or NoStorage()
        self.clock = clock
        self._prefs_cache: dict[str, tuple[float, WorkspacePrefs]] = {}
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

    async def start_private(self, interaction: Interaction) -> None:
        """Begin a walk-through in a new private thread, else in messages only the person sees."""
        obstacle = thread_obstacle(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        guide = await self._guide(interaction)
        turn = self._turn(interaction, guide, Start(), None)
        reply = render(turn.effects[0], turn.token)
        thread = None
        if obstacle is None:
            thread, obstacle = await self._open_thread(interaction, guide, reply)
        if thread is not None:
            await interaction.edit_original_response(
                content=say(guide.content, "thread_opened", thread=thread.mention)
            )
        else:
            await _edit_original(interaction, reply.with_line(say(guide.content, obstacle or "")))
        await self._count(interaction, Start(), turn)

    async def post_card(self, interaction: Interaction) -> None:
        """Post the comparison card in the channel, for those allowed to."""
        prefs = await self._prefs(interaction)
        guide = self._guide_for(interaction, prefs)
        settings = self.runtime.settings
        why = card_refusal(
            poster_of(interaction),
            prefs.card_roles or settings.discord_card_roles,
            prefs.card_channels or settings.discord_card_channels,
        )
        if why is not None:
            await interaction.response.send_message(say(guide.content, why), ephemeral=True)
            return
        turn = self._turn(interaction, guide, ShowCard(), None)
        reply = render(turn.effects[0], turn.token)
        await interaction.response.send_message(
            content=reply.content or "", embeds=list(reply.embeds), view=reply.view()
        )

    async def show_help(self, interaction: Interaction) -> None:
        """How the command works, to the person only."""
        guide = await self._guide(interaction)
        await interaction.response.send_message(say(guide.content, "usage"), ephemeral=True)

    async def _click(self, interaction: Interaction, custom_id: str) -> None:
        click = parse_custom_id(custom_id)
        message = interaction.message
        # others can see (and press) a message only when it is not ephemeral
        on_public_message = message is None or not message.flags.ephemeral
        if click is not None and isinstance(click.event, Start) and on_public_message:
            await self.start_private(interaction)
            return
        guide = await self._guide(interaction)
        if click is None:
            await _send_new(interaction, render(refusal(guide.content, "tampered"), None))
            return
        turn = self._turn(interaction, guide, click.event, click.token)
        first, *more = (render(effect, turn.token) for effect in turn.effects)
        channel_card = isinstance(turn.effects[0], ShowCardEffect) and turn.effects[0].for_channel
        if channel_card:
            # the channel's card, asked for by a click, goes to the clicker alone
            first = first.with_line(say(guide.content, "card_for_you"))
        if (
            first.ephemeral
            or channel_card
            or (on_public_message and self._is_foreign(interaction, guide, click.token))
        ):
            # never change a message someone else's conversation lives in
            await _send_new(interaction, first)
        else:
            await interaction.response.edit_message(
                content=first.content, embeds=list(first.embeds), view=first.view()
            )
        for reply in more:
            await _send_new(interaction, reply)
        await self._count(interaction, click.event, turn)

    def _is_foreign(self, interaction: Interaction, guide: Guide, token: str | None) -> bool:
        if token is None:
            return False
        opened = open_token(
            self.runtime.keyring,
            who_of(interaction),
            token,
            guide.content.fingerprint,
            self.clock(),
            self.runtime.settings.state_ttl_seconds,
        )
        return opened == "foreign"

    async def _open_thread(
        self, interaction: Interaction, guide: Guide, reply: Reply
    ) -> tuple[discord.Thread | None, str | None]:
        channel = interaction.channel
        assert isinstance(channel, discord.TextChannel)
        user = interaction.user
        name = say(guide.content, "thread_name", name=user.display_name)[:THREAD_NAME_LIMIT]
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
            welcome = say(guide.content, "thread_welcome", mention=user.mention)
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

    def _turn(
        self, interaction: Interaction, guide: Guide, event: Event, token: str | None
    ) -> Turn:
        return take_turn(
            guide,
            self.runtime.keyring,
            who_of(interaction),
            event,
            token,
            now=self.clock(),
            ttl=self.runtime.settings.state_ttl_seconds,
        )

    def forget_prefs(self, workspace: str | None = None) -> None:
        """Read a workspace's preferences (or every one's) afresh on the next interaction."""
        if workspace is None:
            self._prefs_cache.clear()
        else:
            self._prefs_cache.pop(workspace, None)

    async def _prefs(self, interaction: Interaction) -> WorkspacePrefs:
        # kept briefly, so a busy server's clicks do not each wait on storage
        workspace = workspace_of(interaction)
        now = time.monotonic()
        cached = self._prefs_cache.get(workspace)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            async with asyncio.timeout(PREFS_TIMEOUT_SECONDS):
                prefs = await self.workspaces.prefs("discord", workspace)
        except Exception as exc:
            _log.warning("Workspace preferences unavailable (%s)", type(exc).__name__)
            return WorkspacePrefs()
        if len(self._prefs_cache) >= PREFS_CACHE_SIZE:
            self._prefs_cache.clear()
        self._prefs_cache[workspace] = (now + PREFS_CACHE_SECONDS, prefs)
        return prefs

    def _locale(self, interaction: Interaction, fallback: str | None) -> str:
        return content_locale(self.runtime.book, str(interaction.locale), fallback)

    def _guide_for(self, interaction: Interaction, prefs: WorkspacePrefs) -> Guide:
        return self.runtime.book.guide(
            locale=self._locale(interaction, prefs.locale),
            region=prefs.region,
            eap_contact=prefs.eap_contact,
            coaching_contact=prefs.coaching_contact,
        )

    async def _guide(self, interaction: Interaction) -> Guide:
        return self._guide_for(interaction, await self._prefs(interaction))

    async def _count(self, interaction: Interaction, event: Event, turn: Turn) -> None:
        counters = counters_for(event, turn.effects)
        if not counters:
            return
        try:
            await self.workspaces.count("discord", workspace_of(interaction), counters)
        except Exception as exc:
            _log.warning("Could not count a finished turn (%s)", type(exc).__name__)

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
            await self.tell(interaction, "trouble")
        except Exception:
            _log.exception("Unexpected error while answering an interaction")
            await self.tell(interaction, "trouble")

    async def tell(self, interaction: Interaction, key: str) -> None:
        """One line about a problem, to the person only (see words.py for the keys)."""
        content = self.runtime.book.content(self._locale(interaction, None))
        text = say(content, key)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True)
            else:
                await interaction.response.send_message(text, ephemeral=True)
        except discord.HTTPException as exc:
            _log.warning("Could not tell the person about a problem (HTTP %s)", exc.status)
        except _UNREACHABLE as exc:
            _log.warning("Could not tell the person about a problem (%s)", type(exc).__name__)


_UNREACHABLE = (aiohttp.ClientError, OSError, TimeoutError)
"""Discord's REST API not answering at all (refused, reset, timed out)."""


def _trouble_key(exc: discord.HTTPException) -> str:
    if exc.status == 429:
        return "busy"
    if exc.status == 403:
        return "not_allowed_here"
    return "trouble"


def _thread_trouble(exc: discord.HTTPException) -> str:
    return "no_thread_permission" if exc.status == 403 else "no_thread_trouble"


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

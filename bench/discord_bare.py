"""The bare discord.py client the Discord benchmark compares against, run as a process of its own.

A plain `discord.Client` with a command tree and one `DynamicItem` button, as discord.py's
documentation builds them. It does what coach-or-therapy does for a walk-through, with the
messages of one recorded from coach-or-therapy itself: the slash command defers, opens a private
thread, adds the person, posts the first question there and edits its reply to point at the
thread; each click edits the message to the next step. It keeps each person's step in a dict
and imports nothing of coach-or-therapy.

    DISCORD_TOKEN=... DISCORD_API_URL=... .venv/bin/python bench/discord_bare.py SCRIPT.json

SCRIPT.json is {"person": {"id", "name"}, "thread", "message", "original": the bodies the bot
sent for the command, "clicks": [each click's interaction callback body]}.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from pathlib import Path
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket


class Rows(discord.ui.View):
    """Component rows sent as given; clicks reach the DynamicItem by custom_id."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        super().__init__(timeout=None)
        self._rows = rows

    def to_components(self) -> list[dict[str, Any]]:
        return self._rows

    def is_dispatchable(self) -> bool:
        return False


class Answer(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.compile(r"cot:(?P<code>[^:]{0,8}):(?P<token>.{0,90})", re.DOTALL),
):
    """Any button of the walk-through."""

    def __init__(self, button: discord.ui.Button[Any]) -> None:
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: Any, match: re.Match[str], /
    ) -> Answer:
        if isinstance(item, discord.ui.Button):
            return cls(item)
        return cls(discord.ui.Button(custom_id=match.group(0)))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: BareBot = interaction.client
        await bot.next_step(interaction)


class BareBot(discord.Client):
    """The walk-through's messages, one step per click."""

    def __init__(self, script: dict[str, Any]) -> None:
        super().__init__(intents=discord.Intents.default())
        self.script = script
        self.progress: dict[int, int] = {}
        self.tree = app_commands.CommandTree(self)

        @self.tree.command(name="coach-or-therapy", description="A private walk-through")
        async def start(interaction: discord.Interaction[Any]) -> None:
            await self.start_walk(interaction)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(Answer)
        # behind a REST base of its own, the gateway is the one that base names
        _, url, _ = await self.http.get_bot_gateway()
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)

    def personal(self, text: str, user: discord.abc.User) -> str:
        """The recorded text, addressed to this person."""
        recorded = self.script["person"]
        return text.replace(recorded["id"], str(user.id)).replace(
            recorded["name"], user.display_name
        )

    async def start_walk(self, interaction: discord.Interaction[Any]) -> None:
        thread_body, first = self.script["thread"], self.script["message"]
        await interaction.response.defer(ephemeral=True, thinking=True)
        channel = interaction.channel
        assert isinstance(channel, discord.TextChannel)
        thread = await channel.create_thread(
            name=self.personal(thread_body["name"], interaction.user),
            type=discord.ChannelType(thread_body["type"]),
            invitable=thread_body["invitable"],
            auto_archive_duration=thread_body["auto_archive_duration"],
        )
        await thread.add_user(interaction.user)
        await thread.send(
            content=self.personal(first["content"], interaction.user),
            embeds=[discord.Embed.from_dict(e) for e in first.get("embeds") or []],
            view=Rows(first["components"]),
            allowed_mentions=discord.AllowedMentions(
                users=[interaction.user], roles=False, everyone=False
            ),
        )
        self.progress[interaction.user.id] = 0
        recorded_thread = re.search(r"<#(\d+)>", self.script["original"]["content"])
        content = self.script["original"]["content"]
        if recorded_thread:
            content = content.replace(recorded_thread.group(0), thread.mention)
        await interaction.edit_original_response(content=content)

    async def next_step(self, interaction: discord.Interaction[Any]) -> None:
        step = self.progress[interaction.user.id]
        self.progress[interaction.user.id] = step + 1
        data = self.script["clicks"][step]["data"]
        await interaction.response.edit_message(
            content=data.get("content"),
            embeds=[discord.Embed.from_dict(e) for e in data.get("embeds") or []],
            view=Rows(data.get("components") or []),
        )


async def serve(script: dict[str, Any]) -> None:
    discord.http.Route.BASE = os.environ["DISCORD_API_URL"].rstrip("/")
    bot = BareBot(script)
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    async with bot:
        running = asyncio.ensure_future(bot.start(os.environ["DISCORD_TOKEN"]))
        stopped = asyncio.ensure_future(stopping.wait())
        await asyncio.wait({running, stopped}, return_when=asyncio.FIRST_COMPLETED)
        await bot.close()
        stopped.cancel()
        await asyncio.gather(running, return_exceptions=True)


if __name__ == "__main__":
    asyncio.run(serve(json.loads(Path(sys.argv[1]).read_text())))

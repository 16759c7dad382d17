"""Running the bot, registering its command, and printing the install link."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any, TextIO

import discord

from adapters.discord.client import make_client
from adapters.runtime import Runtime
from adapters.storage.interface import Storage
from bot.settings import Settings

_log = logging.getLogger(__name__)

INVITE_URL = "https://discord.com/oauth2/authorize"
PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_private_threads=True,
    embed_links=True,
    read_message_history=True,
)
"""Exactly what the bot needs: post in channels and private threads, with embeds."""

_NO_TOKEN = (
    "DISCORD_TOKEN is not set; create a bot at https://discord.com/developers/applications "
    "and put its token in DISCORD_TOKEN"
)
_BAD_TOKEN = "DISCORD_TOKEN was refused by Discord; reset the bot's token and copy it again"


def use_api_base(settings: Settings) -> None:
    """Send every REST call (interaction replies included) to DISCORD_API_URL when it is set."""
    if settings.discord_api_url:
        discord.http.Route.BASE = settings.discord_api_url.rstrip("/")


def invite_url(application_id: int) -> str:
    """The install link: the bot and its slash command, with only the permissions it needs."""
    return (
        f"{INVITE_URL}?client_id={application_id}"
        f"&scope=bot+applications.commands&permissions={PERMISSIONS.value}"
    )


async def serve_discord(runtime: Runtime, storage: Storage | None = None) -> None:
    """Connect to Discord and answer until stopped."""
    settings = runtime.settings
    if not settings.discord_token:
        raise discord.LoginFailure(_NO_TOKEN)
    use_api_base(settings)
    client = make_client(runtime, storage)
    _log.info("Connecting to Discord")
    async with client:
        await client.start(settings.discord_token)


async def _sync(runtime: Runtime, guild_id: int | None) -> list[Any]:
    settings = runtime.settings
    use_api_base(settings)
    client = make_client(runtime)
    async with client:
        await client.login(settings.discord_token or "")
        if guild_id is None:
            return await client.tree.sync()
        guild = discord.Object(guild_id)
        client.tree.copy_global_to(guild=guild)
        return await client.tree.sync(guild=guild)


def sync_commands(runtime: Runtime, guild_id: int | None, out: TextIO) -> int:
    """`coach-or-therapy discord sync [--guild ID]`: register the slash command with Discord.

    A server (from --guild or DISCORD_GUILD_ID) sees it at once; a global command can take a
    while to reach every server.
    """
    settings = runtime.settings
    if not settings.discord_token:
        return _fail(_NO_TOKEN)
    guild_id = guild_id or settings.discord_guild_id
    try:
        commands = asyncio.run(_sync(runtime, guild_id))
    except discord.LoginFailure:
        return _fail(_BAD_TOKEN)
    except discord.HTTPException as exc:
        return _fail(f"Discord refused the command (HTTP {exc.status}): {exc.text or 'no detail'}")
    names = ", ".join(f"/{command.name}" for command in commands)
    where = f"server {guild_id}" if guild_id else "every server (this can take up to an hour)"
    print(f"Registered {names} for {where}.", file=out)
    return 0


async def _application_id(token: str) -> int:
    http = discord.http.HTTPClient(asyncio.get_running_loop())
    try:
        await http.static_login(token)
        info = await http.application_info()
    finally:
        await http.close()
    return int(info["id"])


def print_invite(settings: Settings, out: TextIO) -> int:
    """`coach-or-therapy invite discord`: print the install URL (asks Discord for the app id)."""
    if not settings.discord_token:
        return _fail(_NO_TOKEN)
    use_api_base(settings)
    try:
        application_id = asyncio.run(_application_id(settings.discord_token))
    except discord.LoginFailure:
        return _fail(_BAD_TOKEN)
    except (discord.HTTPException, OSError) as exc:
        return _fail(f"Could not ask Discord for the application id ({exc})")
    print(invite_url(application_id), file=out)
    return 0


def _fail(message: str) -> int:
    print(f"coach-or-therapy: {message}", file=sys.stderr)
    return 2

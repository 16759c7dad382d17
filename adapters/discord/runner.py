"""Running the bot, registering its command, and printing the install link."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator
from typing import Any, TextIO

import aiohttp
import discord

from adapters.discord.client import make_client
from adapters.discord.settings import DiscordSettings
from adapters.platform import CannotStart
from adapters.runtime import Runtime
from adapters.settings import Settings
from adapters.storage.interface import Storage

_log = logging.getLogger(__name__)

INVITE_URL = "https://discord.com/oauth2/authorize"
DEFAULT_API_URL = "https://discord.com/api/v10"
"""Discord's REST base, where every call goes unless DISCORD_API_URL says otherwise."""
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
    api_url = settings.section(DiscordSettings).api_url
    if api_url:
        discord.http.Route.BASE = api_url.rstrip("/")


def invite_url(application_id: int) -> str:
    """The install link: the bot and its slash command, with only the permissions it needs."""
    return (
        f"{INVITE_URL}?client_id={application_id}"
        f"&scope=bot+applications.commands&permissions={PERMISSIONS.value}"
    )


def cannot_start(exc: BaseException, settings: Settings) -> CannotStart | None:
    """The one line for a way Discord commonly fails at start-up, or None for anything else."""
    where = settings.section(DiscordSettings).api_url or DEFAULT_API_URL
    if isinstance(exc, discord.LoginFailure):
        return CannotStart(_BAD_TOKEN, exit_code=2)
    if isinstance(exc, discord.GatewayNotFound):
        return CannotStart(
            f"Discord's gateway could not be found through {where}; check DISCORD_API_URL",
            exit_code=2,
        )
    if isinstance(exc, discord.HTTPException):
        return CannotStart(
            f"Discord answered HTTP {exc.status} at {where}; check DISCORD_API_URL, or try "
            "again in a few minutes if Discord is having trouble (https://discordstatus.com)"
        )
    if isinstance(exc, aiohttp.ClientError | OSError | TimeoutError):
        return CannotStart(
            f"could not reach Discord at {where} ({_reason(exc)}); check the network "
            "connection, any proxy or firewall, and DISCORD_API_URL"
        )
    return None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "it did not answer in time"
    strerror = getattr(exc, "strerror", None)
    return strerror.lower() if isinstance(strerror, str) and strerror else type(exc).__name__


@contextlib.asynccontextmanager
async def _starting(settings: Settings) -> AsyncIterator[None]:
    """Turn a start-up failure into CannotStart with its one line."""
    try:
        yield
    except Exception as exc:
        failure = cannot_start(exc, settings)
        if failure is None:
            raise
        raise failure from None


async def serve_discord(runtime: Runtime, storage: Storage | None = None) -> None:
    """Connect to Discord and answer until stopped; CannotStart says why it could not."""
    settings = runtime.settings
    token = settings.section(DiscordSettings).token
    if not token:
        raise CannotStart(_NO_TOKEN, exit_code=2)
    use_api_base(settings)
    client = make_client(runtime, storage)
    _log.info("Connecting to Discord")
    async with client:
        async with _starting(settings):
            await client.login(token)
        async with _starting(settings):
            await client.connect()


async def _sync(runtime: Runtime, guild_id: int | None) -> list[Any]:
    settings = runtime.settings
    use_api_base(settings)
    client = make_client(runtime)
    async with client:
        async with _starting(settings):
            await client.login(settings.section(DiscordSettings).token or "")
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
    if not settings.section(DiscordSettings).token:
        return _fail(_NO_TOKEN)
    guild_id = guild_id or settings.section(DiscordSettings).guild_id
    try:
        commands = asyncio.run(_sync(runtime, guild_id))
    except CannotStart as exc:
        return _fail(str(exc), exc.exit_code)
    except discord.HTTPException as exc:
        return _fail(f"Discord refused the command (HTTP {exc.status}): {exc.text or 'no detail'}")
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        return _fail(str(cannot_start(exc, settings)), 1)
    names = ", ".join(f"/{command.name}" for command in commands)
    where = f"server {guild_id}" if guild_id else "every server (this can take up to an hour)"
    print(f"Registered {names} for {where}.", file=out)
    return 0


async def _application_id(settings: Settings) -> int:
    http = discord.http.HTTPClient(asyncio.get_running_loop())
    try:
        async with _starting(settings):
            await http.static_login(settings.section(DiscordSettings).token or "")
            info = await http.application_info()
    finally:
        await http.close()
    return int(info["id"])


def print_invite(settings: Settings, out: TextIO) -> int:
    """`coach-or-therapy invite discord`: print the install URL (asks Discord for the app id)."""
    if not settings.section(DiscordSettings).token:
        return _fail(_NO_TOKEN)
    use_api_base(settings)
    try:
        application_id = asyncio.run(_application_id(settings))
    except CannotStart as exc:
        return _fail(str(exc), exc.exit_code)
    print(invite_url(application_id), file=out)
    return 0


def _fail(message: str, exit_code: int = 2) -> int:
    print(f"coach-or-therapy: {message}", file=sys.stderr)
    return exit_code

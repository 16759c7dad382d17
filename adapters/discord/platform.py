"""Discord, as the rest of the program sees it (see adapters/platform.py)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from adapters.discord.limits import NEEDS, limit_problems
from adapters.discord.settings import DiscordSettings
from adapters.platform import Commands, Context, Handler, Platform
from adapters.runtime import Runtime
from adapters.storage.interface import Storage
from bot.effects import ShowCard

if TYPE_CHECKING:
    from adapters.web_server import WebServer


async def _serve(runtime: Runtime, storage: Storage, web: WebServer) -> None:
    from adapters.discord.runner import serve_discord

    await serve_discord(runtime, storage)


def _card_payload(effect: ShowCard) -> dict[str, Any]:
    from adapters.discord.render import card_payload

    return card_payload(effect)


def _sync(args: argparse.Namespace, context: Context) -> int:
    from adapters.discord.runner import sync_commands

    runtime = context.runtime()
    runtime.settings.section(DiscordSettings).require()
    return sync_commands(runtime, args.guild, sys.stdout)


def _invite(args: argparse.Namespace, context: Context) -> int:
    from adapters.discord.runner import print_invite

    return print_invite(context.settings(), sys.stdout)


def _add_commands(commands: Commands, serving: Callable[[], Handler]) -> None:
    serve = commands.top.add_parser("discord", help="run the Discord bot")
    serve.set_defaults(handler=serving())
    actions = serve.add_subparsers(dest="discord_command", metavar="ACTION")
    sync = actions.add_parser("sync", help="register the slash command with Discord")
    sync.add_argument("--guild", type=int, metavar="ID", help="one server only (instant)")
    sync.set_defaults(handler=_sync)
    invite = commands.invite.add_parser("discord", help="the install URL for a server")
    invite.set_defaults(handler=_invite)


PLATFORM = Platform(
    name="discord",
    title="Discord",
    needs=NEEDS,
    settings=DiscordSettings,
    serve=_serve,
    card_payload=_card_payload,
    limit_problems=limit_problems,
    add_commands=_add_commands,
)

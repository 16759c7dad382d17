"""Microsoft Teams, as the rest of the program sees it (see adapters/platform.py)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adapters.platform import Commands, Context, Handler, Platform
from adapters.runtime import Runtime
from adapters.storage.interface import Storage
from adapters.teams.limits import NEEDS, limit_problems
from adapters.teams.settings import TeamsSettings
from bot.effects import ShowCard

if TYPE_CHECKING:
    from adapters.web_server import WebServer


async def _serve(runtime: Runtime, storage: Storage, web: WebServer) -> None:
    from adapters.teams.runner import serve_teams

    await serve_teams(runtime, storage, web)


def _card_payload(effect: ShowCard) -> dict[str, Any]:
    from adapters.teams.render import card_payload

    return card_payload(effect)


def _manifest(args: argparse.Namespace, context: Context) -> int:
    from adapters.teams.manifest import write_package

    return write_package(
        context.settings(), args.app_id, args.out, sys.stdout, args.url, args.website
    )


def _add_commands(commands: Commands, serving: Callable[[], Handler]) -> None:
    serve = commands.top.add_parser(
        "teams", help="run the Microsoft Teams bot (POST /api/messages)"
    )
    serve.set_defaults(handler=serving())
    manifest = commands.manifest.add_parser(
        "teams", help="the Teams app package (a zip of manifest.json and two icons)"
    )
    manifest.add_argument(
        "--app-id", metavar="ID", help="the bot's Microsoft App ID (default: TEAMS_APP_ID)"
    )
    manifest.add_argument(
        "--out",
        type=Path,
        default=Path("coach-or-therapy-teams.zip"),
        metavar="FILE.zip",
        help="where to write it (default: coach-or-therapy-teams.zip)",
    )
    manifest.add_argument(
        "--url",
        metavar="https://...",
        help="the bot's public address, for validDomains (default: none)",
    )
    manifest.add_argument(
        "--website",
        metavar="https://...",
        help="your page about the bot; its /privacy and /terms are linked too",
    )
    manifest.set_defaults(handler=_manifest)


PLATFORM = Platform(
    name="teams",
    title="Teams",
    needs=NEEDS,
    settings=TeamsSettings,
    serve=_serve,
    card_payload=_card_payload,
    limit_problems=limit_problems,
    add_commands=_add_commands,
    serves_http=lambda settings: True,
)

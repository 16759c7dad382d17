"""Slack, as the rest of the program sees it (see adapters/platform.py)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from adapters.platform import Commands, Context, Handler, Platform, locale_option
from adapters.runtime import Runtime
from adapters.settings import Settings
from adapters.slack.limits import NEEDS, limit_problems
from adapters.slack.settings import SlackSettings
from adapters.storage.interface import Storage
from bot.effects import ShowCard

if TYPE_CHECKING:
    from adapters.web_server import WebServer


async def _serve(runtime: Runtime, storage: Storage, web: WebServer) -> None:
    from adapters.slack.runner import serve_slack

    await serve_slack(runtime, storage, web)


def _serves_http(settings: Settings) -> bool:
    # without an app token there is no Socket Mode: Slack calls the app over HTTP
    return not settings.section(SlackSettings).app_token


def _card_payload(effect: ShowCard) -> dict[str, Any]:
    from adapters.slack.render import card_payload

    return card_payload(effect)


def _post_card(args: argparse.Namespace, context: Context) -> int:
    from adapters.slack.runner import post_card
    from adapters.storage.startup import database_exists

    runtime = context.runtime()
    if args.locale is not None or not database_exists(runtime.settings):
        return post_card(runtime, args.slack_channel, sys.stdout, args.locale)
    # the workspace's language, when it has chosen one
    return post_card(runtime, args.slack_channel, sys.stdout, storage=context.storage())


def _manifest(args: argparse.Namespace, context: Context) -> int:
    from adapters.slack.manifest import print_manifest

    return print_manifest(socket=args.socket, url=args.url, out=sys.stdout)


def _add_commands(commands: Commands, serving: Callable[[], Handler]) -> None:
    serve = commands.top.add_parser(
        "slack", help="run the Slack app (Socket Mode with SLACK_APP_TOKEN, else HTTP)"
    )
    serve.set_defaults(handler=serving())
    post = commands.top.add_parser("post-card", help="post the card to a Slack channel")
    post.add_argument("--slack-channel", required=True, metavar="ID", help="channel id, like C0123")
    locale_option(post, "the language (default: the workspace's, else DEFAULT_LOCALE)")
    post.set_defaults(handler=_post_card)
    manifest = commands.manifest.add_parser("slack", help="the Slack app manifest (YAML)")
    mode = manifest.add_mutually_exclusive_group()
    mode.add_argument("--socket", action="store_true", help="for Socket Mode (no public URL)")
    mode.add_argument("--url", metavar="https://...", help="public base URL for HTTP mode")
    manifest.set_defaults(handler=_manifest)


PLATFORM = Platform(
    name="slack",
    title="Slack",
    needs=NEEDS,
    settings=SlackSettings,
    serve=_serve,
    card_payload=_card_payload,
    limit_problems=limit_problems,
    add_commands=_add_commands,
    serves_http=_serves_http,
)

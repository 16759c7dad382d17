"""The `coach-or-therapy` command: the one place that picks adapters and stores."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

from bot import __version__
from bot.errors import ContentError, SettingsError
from bot.settings import Settings, load_settings, unknown_dotenv_names

if TYPE_CHECKING:
    from adapters.storage.store import DatabaseStorage


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coach-or-therapy",
        description=(
            "A private walk-through: might coaching, therapy or both be worth exploring? "
            "With no command, runs every configured platform, else the terminal chat."
        ),
    )
    parser.add_argument("--version", action="version", version=f"coach-or-therapy {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    chat = commands.add_parser("chat", help="talk it through in this terminal (typed or piped)")
    _locale_option(chat, "the language (default: the one LC_ALL, LC_MESSAGES or LANG sets)")

    card = commands.add_parser("card", help="print the comparison card")
    card.add_argument(
        "--format",
        choices=("text", "markdown", "json", "slack", "discord"),
        default="text",
        help="how to print it (default: text)",
    )
    _locale_option(card, "the language (default: the one LC_ALL, LC_MESSAGES or LANG sets)")

    validate = commands.add_parser("validate", help="check content files; exit 1 on any problem")
    validate.add_argument(
        "path", nargs="?", type=Path, help="content folder (default: CONTENT_DIR)"
    )
    validate.add_argument(
        "--report", action="store_true", help="also print the outcome split over every answer"
    )

    commands.add_parser(
        "slack", help="run the Slack app (Socket Mode with SLACK_APP_TOKEN, else HTTP)"
    )
    post = commands.add_parser("post-card", help="post the card to a Slack channel")
    post.add_argument("--slack-channel", required=True, metavar="ID", help="channel id, like C0123")
    _locale_option(post, "the language (default: the workspace's, else DEFAULT_LOCALE)")

    manifest = commands.add_parser("manifest", help="print an app manifest")
    manifest.add_argument("platform", choices=("slack",))
    mode = manifest.add_mutually_exclusive_group()
    mode.add_argument("--socket", action="store_true", help="for Socket Mode (no public URL)")
    mode.add_argument("--url", metavar="https://...", help="public base URL for HTTP mode")

    discord = commands.add_parser("discord", help="run the Discord bot")
    discord_commands = discord.add_subparsers(dest="discord_command", metavar="ACTION")
    sync = discord_commands.add_parser("sync", help="register the slash command with Discord")
    sync.add_argument("--guild", type=int, metavar="ID", help="one server only (instant)")

    invite = commands.add_parser("invite", help="print the install URL")
    invite.add_argument("platform", choices=("discord",))

    db = commands.add_parser("db", help="database schema")
    db.add_argument("action", choices=("upgrade", "current"))
    return parser


def _locale_option(parser: argparse.ArgumentParser, text: str) -> None:
    parser.add_argument("--locale", metavar="LANG", help=f"{text}; for example de, fr, es")


def _load_settings() -> Settings:
    dotenv = Path(".env")
    settings = load_settings(os.environ, dotenv)
    for name in unknown_dotenv_names(dotenv):
        print(
            f"coach-or-therapy: warning: .env sets {name}, which is not a setting "
            "(see .env.example for the names)",
            file=sys.stderr,
        )
    return settings


def _forgiving_text_streams() -> None:
    """Undecodable input or unencodable output becomes a replacement mark, never a crash."""
    for stream in (sys.stdin, sys.stdout):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def _storage(settings: Settings) -> DatabaseStorage:
    """The database for a running platform (schema checked; SettingsError when behind)."""
    from adapters.storage.startup import open_storage

    return open_storage(settings)


def _has_database(settings: Settings) -> bool:
    """Whether there is a database to read from (one named, or the default one made already)."""
    return settings.database_url is not None or (settings.data_dir / "coach-or-therapy.db").exists()


def _dispatch(args: argparse.Namespace) -> int:
    command = args.command
    if command == "validate":
        from adapters.console.validate import run_validate

        path = args.path or _load_settings().content_root
        return run_validate(path, args.report, sys.stdout)
    if command == "manifest":
        from adapters.slack.manifest import print_manifest

        return print_manifest(socket=args.socket, url=args.url, out=sys.stdout)

    settings = _load_settings()
    from adapters.runtime import build_runtime, configure_logging

    configure_logging(settings.log_level)
    if command == "invite":
        from adapters.discord.runner import print_invite

        return print_invite(settings, sys.stdout)
    if command == "db":
        from adapters.storage.cli import run_db

        return run_db(settings, args.action, sys.stdout)

    if command == "slack":
        settings.require_slack()
    if command == "discord":
        settings.require_discord()
    runtime = build_runtime(settings)
    _forgiving_text_streams()
    if command == "card":
        from adapters.console.card import print_card

        return print_card(runtime, args.format, sys.stdout, args.locale)
    if command == "chat":
        from adapters.console.chat import run_chat

        return run_chat(runtime, sys.stdin, sys.stdout, locale=args.locale)
    if command == "slack":
        from adapters.slack.runner import run_slack

        with closing(_storage(settings)) as storage:
            return run_slack(runtime, storage)
    if command == "post-card":
        from adapters.slack.runner import post_card

        if args.locale is not None or not _has_database(settings):
            return post_card(runtime, args.slack_channel, sys.stdout, args.locale)
        with closing(_storage(settings)) as storage:  # for the workspace's language
            return post_card(runtime, args.slack_channel, sys.stdout, storage=storage)
    if command == "discord":
        from adapters.discord.runner import run_discord, sync_commands

        if args.discord_command == "sync":
            return sync_commands(runtime, args.guild, sys.stdout)
        with closing(_storage(settings)) as storage:
            return run_discord(runtime, storage)

    from adapters.platforms import run_configured

    if settings.slack_configured or settings.discord_configured:
        with closing(_storage(settings)) as storage:
            return run_configured(runtime, storage)
    return run_configured(runtime)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; a bad setting prints one line and exits 2, broken content exits 1."""
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except SettingsError as exc:
        print(f"coach-or-therapy: {exc}", file=sys.stderr)
        return 2
    except ContentError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `coach-or-therapy card | head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())

"""The `coach-or-therapy` command: its own commands, and each platform's from the registry."""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Sequence
from contextlib import ExitStack, closing
from pathlib import Path
from typing import TYPE_CHECKING

from adapters.platform import Commands, Context, Handler, Platform, locale_option
from adapters.settings import Settings, load_settings, unknown_dotenv_names
from bot import __version__
from bot.errors import ContentError, SettingsError

if TYPE_CHECKING:
    from adapters.runtime import Runtime
    from adapters.storage.interface import Storage


def _parser() -> argparse.ArgumentParser:
    from adapters.console.card import formats
    from adapters.registry import PLATFORMS

    parser = argparse.ArgumentParser(
        prog="coach-or-therapy",
        description=(
            "A private walk-through: might coaching, therapy or both be worth exploring? "
            "With no command, runs every configured platform, else the terminal chat."
        ),
    )
    parser.add_argument("--version", action="version", version=f"coach-or-therapy {__version__}")
    parser.set_defaults(handler=_serve_configured)
    top = parser.add_subparsers(dest="command", metavar="COMMAND")

    chat = top.add_parser("chat", help="talk it through in this terminal (typed or piped)")
    locale_option(chat, "the language (default: the one LC_ALL, LC_MESSAGES or LANG sets)")
    chat.set_defaults(handler=_chat)

    card = top.add_parser("card", help="print the comparison card")
    card.add_argument(
        "--format", choices=formats(), default="text", help="how to print it (default: text)"
    )
    locale_option(card, "the language (default: the one LC_ALL, LC_MESSAGES or LANG sets)")
    card.set_defaults(handler=_card)

    validate = top.add_parser("validate", help="check content files; exit 1 on any problem")
    validate.add_argument(
        "path", nargs="?", type=Path, help="content folder (default: CONTENT_DIR)"
    )
    validate.add_argument(
        "--report", action="store_true", help="also print the outcome split over every answer"
    )
    validate.set_defaults(handler=_validate)

    manifest = top.add_parser("manifest", help="print an app manifest")
    invite = top.add_parser("invite", help="print the install URL")
    commands = Commands(
        top,
        manifest.add_subparsers(dest="platform", metavar="PLATFORM", required=True),
        invite.add_subparsers(dest="platform", metavar="PLATFORM", required=True),
    )
    for platform in PLATFORMS:
        if platform.add_commands is not None:
            platform.add_commands(commands, functools.partial(_serving, platform))

    db = top.add_parser("db", help="database schema")
    db.add_argument("action", choices=("upgrade", "current"))
    db.set_defaults(handler=_db)
    return parser


class _Context(Context):
    """Settings, runtime and storage, each made when a command first asks for it."""

    def __init__(self, stack: ExitStack) -> None:
        self._stack = stack
        self._settings: Settings | None = None
        self._runtime: Runtime | None = None
        self._storage: Storage | None = None

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = _load_settings()
        return self._settings

    def runtime(self) -> Runtime:
        if self._runtime is None:
            from adapters.runtime import build_runtime

            settings = self.settings()
            _start_logging(settings)
            self._runtime = build_runtime(settings)
            _forgiving_text_streams()
        return self._runtime

    def storage(self) -> Storage:
        if self._storage is None:
            from adapters.storage.startup import open_storage

            self._storage = self._stack.enter_context(closing(open_storage(self.settings())))
        return self._storage


def _load_settings() -> Settings:
    dotenv = Path(".env")
    settings = load_settings(os.environ, dotenv)
    from adapters.registry import setting_names

    for name in unknown_dotenv_names(setting_names(), dotenv):
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


def _chat(args: argparse.Namespace, context: Context) -> int:
    from adapters.console.chat import run_chat

    return run_chat(context.runtime(), sys.stdin, sys.stdout, locale=getattr(args, "locale", None))


def _card(args: argparse.Namespace, context: Context) -> int:
    from adapters.console.card import print_card

    return print_card(context.runtime(), args.format, sys.stdout, args.locale)


def _validate(args: argparse.Namespace, context: Context) -> int:
    from adapters.console.validate import run_validate

    path = args.path or context.settings().content_root
    return run_validate(path, args.report, sys.stdout)


def _start_logging(settings: Settings) -> None:
    """Logging as LOG_LEVEL says, then a warning for any secret other users may read."""
    from adapters.runtime import configure_logging, warn_about_open_secrets

    configure_logging(settings.log_level)
    warn_about_open_secrets(settings, Path(".env"))


def _db(args: argparse.Namespace, context: Context) -> int:
    from adapters.storage.cli import run_db

    settings = context.settings()
    _start_logging(settings)
    return run_db(settings, args.action, sys.stdout)


def _serving(platform: Platform) -> Handler:
    """The handler that runs one platform on its own (`coach-or-therapy slack`)."""

    def serve(args: argparse.Namespace, context: Context) -> int:
        from adapters.platforms import run_platforms

        platform.require(context.settings())
        runtime = context.runtime()
        return run_platforms(runtime, context.storage(), [platform])

    return serve


def _serve_configured(args: argparse.Namespace, context: Context) -> int:
    """No command: every configured platform together, else the terminal chat."""
    from adapters.platforms import configured, run_platforms, terminal_note

    runtime = context.runtime()
    platforms = configured(runtime.settings)
    for platform in platforms:
        platform.require(runtime.settings)
    if not platforms:
        print(terminal_note(), file=sys.stderr)
        return _chat(args, context)
    return run_platforms(runtime, context.storage(), platforms)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; a bad setting prints one line and exits 2, broken content exits 1."""
    args = _parser().parse_args(argv)
    try:
        with ExitStack() as stack:
            handler: Handler = args.handler
            return handler(args, _Context(stack))
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

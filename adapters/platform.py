"""What a chat platform tells the rest of the program about itself: one description per platform.

Each platform's folder in adapters/ exports one Platform, and adapters/registry.py lists them;
the command line, start-up, `validate`'s platform checks and `card --format` loop over that list,
so adding a platform is its folder and one line there.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.content.limits import ContentNeeds
from bot.effects import Effect, ShowCard

if TYPE_CHECKING:
    from adapters.runtime import Runtime
    from adapters.settings import Section, Settings
    from adapters.storage.interface import Storage
    from adapters.web_server import WebServer

Handler = Callable[["argparse.Namespace", "Context"], int]
"""Runs one command: its parsed arguments, and what it may need (settings, runtime, storage)."""


class Context:
    """What a command may need, made the first time it is asked for (see adapters/cli.py)."""

    def settings(self) -> Settings:
        """The settings, checked (SettingsError otherwise)."""
        raise NotImplementedError

    def runtime(self) -> Runtime:
        """Settings, content and keys, loaded and checked; logging set up."""
        raise NotImplementedError

    def storage(self) -> Storage:
        """The database for a running platform, schema checked; closed when the command ends."""
        raise NotImplementedError


@dataclass(frozen=True)
class Commands:
    """Where a platform adds its commands: its own (`slack`, `discord sync` ...), and its part in
    the shared ones (`manifest <platform>`, `invite <platform>`)."""

    top: argparse._SubParsersAction[argparse.ArgumentParser]
    manifest: argparse._SubParsersAction[argparse.ArgumentParser]
    invite: argparse._SubParsersAction[argparse.ArgumentParser]


def locale_option(parser: argparse.ArgumentParser, text: str) -> None:
    """A command's --locale: which language to speak in."""
    parser.add_argument("--locale", metavar="LANG", help=f"{text}; for example de, fr, es")


class CannotStart(Exception):
    """A platform could not start; the message is one line naming what failed and what to check.

    Exit code 2 means a setting must change, 1 that something could not be reached or used.
    """

    def __init__(self, line: str, exit_code: int = 1) -> None:
        super().__init__(line)
        self.exit_code = exit_code


def _never(settings: Settings) -> bool:
    return False


@dataclass(frozen=True)
class Platform:
    """One chat platform."""

    def asked_for(self, settings: Settings) -> bool:
        """Whether the settings ask for this platform to run (any of its variables is set)."""
        return settings.asks_for(self.settings)

    def require(self, settings: Settings) -> None:
        """Raise SettingsError, naming what to set or fix, unless it can run."""
        settings.section(self.settings).require()

    name: str
    """Its command (`coach-or-therapy slack`), its `card --format`, its workspaces' platform."""
    title: str
    """Its name in sentences: Slack, Discord."""
    needs: ContentNeeds
    """What it needs of every locale's content: text limits, its own sentences (content fits
    and has them for every platform)."""
    settings: type[Section]
    """Its own settings (read only by the commands that run it)."""
    serve: Callable[[Runtime, Storage, WebServer], Awaitable[None]]
    """Serve until cancelled or until SIGTERM/SIGINT; raise CannotStart when it cannot start.
    A platform called over HTTP serves through the process's web server, which it shares."""
    card_payload: Callable[[ShowCard], dict[str, Any]]
    """The channel card as this platform's own message (`card --format <name>`)."""
    limit_problems: Callable[[Effect, str | None], list[str]]
    """What this platform would refuse in the message for an effect, its buttons carrying a
    token (`validate` renders every message at its longest)."""
    add_commands: Callable[[Commands, Callable[[], Handler]], None] | None = None
    """Add this platform's commands; the second argument makes the handler that serves it."""
    serves_http: Callable[[Settings], bool] = _never
    """Whether, with these settings, it is called over HTTP on HOST:PORT (and so hands its
    routes to the web server)."""

"""Who is at this terminal, as the engine's owner of a conversation."""

from __future__ import annotations

import getpass

from bot.state import Who


def console_who() -> Who:
    """The person at this terminal: platform "console", workspace "local", their login name."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        # no login name in the environment and none in the password database (some containers)
        user = "local"
    return Who("console", "local", user or "local")

"""The terminal's language: `--locale` when given, else the locale the environment sets."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.runtime import chosen_locale
from bot.guides import GuideBook

LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
"""Where POSIX looks for the language of messages, first set wins."""


def environment_locale(environ: Mapping[str, str]) -> str | None:
    """The language the environment asks for (``de_DE.UTF-8`` -> ``de-DE``); None for C/POSIX."""
    value = next((environ[name] for name in LOCALE_VARIABLES if environ.get(name)), "")
    language = value.split(".")[0].split("@")[0].replace("_", "-")
    if language in ("", "C", "POSIX"):
        return None
    return language


def terminal_locale(book: GuideBook, chosen: str | None, environ: Mapping[str, str]) -> str:
    """The content locale for `--locale` (SettingsError when the content has no such language),
    else for the environment's locale when the content has it, else DEFAULT_LOCALE."""
    if chosen is not None:
        return chosen_locale(book, chosen)
    return book.locale_for(environment_locale(environ))

"""The slash commands' descriptions and choices in each language the content has.

discord.py asks a Translator for every Discord locale when it syncs the commands, and sends what
it answers as Discord's name and description localizations; a person's client then lists the
commands in its own language.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.guides import GuideBook


def command_text(book: GuideBook, key: str) -> app_commands.locale_str:
    """A command's text in the default language, marked with its message key for translating."""
    return app_commands.locale_str(book.content().messages[key], key=key)


class ContentTranslator(app_commands.Translator):
    """Answers each Discord locale with the nearest content locale's words (es-419 -> es)."""

    def __init__(self, book: GuideBook) -> None:
        self.book = book

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        """The words for `string` in `locale`; None where the content has no such language."""
        key = string.extras.get("key")
        found = self.book.match(str(locale))
        if not isinstance(key, str) or found is None:
            return None
        return self.book.contents[found].messages.texts.get(key)

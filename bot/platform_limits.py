"""How much text Slack and Discord accept, and how long content becomes once an adapter shows it.

Each kind of text is held to the tighter of the two platforms, in characters. discord.py checks
none of Discord's limits (Discord answers 400), so they are all here.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.model import Card, CardRow

SLACK_BUTTON = 75
DISCORD_LABEL = 80
SLACK_HEADER = 150
DISCORD_TITLE = 256
SLACK_SECTION = 3000
DISCORD_DESCRIPTION = 4096
DISCORD_FIELD = 1024
DISCORD_EMBED = 6000
DISCORD_FIELDS = 25
DISCORD_FOOTER = 2048
DISCORD_MESSAGE = 2000  # a message's own text, which is how the conversation is sent
DISCORD_EMBEDS = 10
DISCORD_FIELD_NAME = 256
DISCORD_ROWS = 5
DISCORD_ROW_BUTTONS = 5
DISCORD_CUSTOM_ID = 100
SLACK_MODAL_TEXT = 24  # a modal's title and its submit and close buttons
SLACK_OPTION = 75  # a select menu option's text
DISCORD_MODAL_TITLE = 45
DISCORD_INPUT_LABEL = 45
DISCORD_PLACEHOLDER = 100
DISCORD_COMMAND_TEXT = 100  # a slash command's description, an option's, a choice's name

BUTTON_LIMIT = min(SLACK_BUTTON, DISCORD_LABEL)
HEADER_LIMIT = min(SLACK_HEADER, DISCORD_TITLE)
SECTION_LIMIT = min(SLACK_SECTION, DISCORD_DESCRIPTION, DISCORD_MESSAGE)
MESSAGE_LIMIT = DISCORD_MESSAGE
FIELD_LIMIT = DISCORD_FIELD
EMBED_LIMIT = DISCORD_EMBED
# Short lines (credits, notes) may become a field, a footer or a context block; a field is tightest.
LINE_LIMIT = FIELD_LIMIT
# What an adapter adds around each listed line: a bullet, a space and a line break.
LIST_ITEM_EXTRA = 3
# What an adapter adds around each part of a message: bold markers, a line break, a blank line.
PART_EXTRA = 8


def listed(texts: Iterable[str]) -> int:
    """Characters a list of lines takes once an adapter shows them one per line."""
    return sum(len(t) + LIST_ITEM_EXTRA for t in texts)


def row_field_length(row: CardRow, coaching_heading: str, therapy_heading: str) -> int:
    """A row as one field: "**Coaching:** ...", a line break, "**Therapy:** ..."."""
    return len(coaching_heading) + len(therapy_heading) + len(row.coaching) + len(row.therapy) + 13


def card_length(card: Card) -> int:
    """Characters the card takes as one message: title, intro, one field per row, the rest."""
    rows = sum(
        len(r.topic) + row_field_length(r, card.coaching_heading, card.therapy_heading)
        for r in card.rows
    )
    rest = (card.title, card.intro, card.similarities_title, card.tendency_note)
    footer = len(card.attribution) + len(card.disclaimer) + 3
    return rows + sum(len(t) for t in rest) + listed(card.similarities) + footer

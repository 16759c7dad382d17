"""How much text a platform's messages take, by kind of text, and how long content becomes once an
adapter shows it.

The numbers belong to the platforms: each adapter declares its own TextLimits, and content is held
to the tightest of every platform the bot serves (see adapters/platforms.py). A limit left as None
is not checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Literal

from bot.model import Card, CardRow

TextKind = Literal[
    "button", "heading", "paragraph", "field", "line", "footer", "card", "card_rows", "message"
]

DESCRIPTIONS: dict[TextKind, str] = {
    "button": "a button label",
    "heading": "a heading",
    "paragraph": "a paragraph",
    "field": "one field",
    "line": "a short line",
    "footer": "a footer",
    "card": "the card as one message",
    "card_rows": "the card's rows",
    "message": "one message",
}


@dataclass(frozen=True)
class TextLimits:
    """The most characters each kind of text may have on a platform (None: no limit)."""

    button: int | None = None
    heading: int | None = None
    paragraph: int | None = None
    field: int | None = None
    line: int | None = None
    footer: int | None = None
    card: int | None = None
    card_rows: int | None = None
    """How many rows the card's one message can hold (a count, not characters)."""
    message: int | None = None

    def of(self, kind: TextKind) -> int | None:
        """The limit for one kind of text."""
        limit: int | None = getattr(self, kind)
        return limit

    def tightest(self, *others: TextLimits) -> TextLimits:
        """For each kind, the smallest limit any of these sets (content must fit them all)."""
        values: dict[str, int | None] = {}
        for limit in fields(self):
            given = [v for v in (getattr(t, limit.name) for t in (self, *others)) if v is not None]
            values[limit.name] = min(given) if given else None
        return TextLimits(**values)


NO_LIMITS = TextLimits()


@dataclass(frozen=True)
class ContentNeeds:
    """What the platforms the bot serves need of every locale's content, beyond the engine's
    own: how long each kind of text may be, the messages each platform says (every locale must
    have them), the values those messages are filled with, and the messages a platform shows
    somewhere tighter than their kind allows (with that limit and what it is for)."""

    limits: TextLimits = NO_LIMITS
    messages: tuple[str, ...] = ()
    placeholders: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    short: Mapping[str, tuple[int, str]] = field(default_factory=dict)

    def joined(self, *others: ContentNeeds) -> ContentNeeds:
        """What all of these need together: every message, and the tightest of each limit."""
        short: dict[str, tuple[int, str]] = {}
        for needs in (self, *others):
            for key, (limit, what) in needs.short.items():
                if key not in short or limit < short[key][0]:
                    short[key] = (limit, what)
        return ContentNeeds(
            limits=self.limits.tightest(*(o.limits for o in others)),
            messages=tuple(dict.fromkeys(k for n in (self, *others) for k in n.messages)),
            placeholders={k: v for n in (self, *others) for k, v in n.placeholders.items()},
            short=short,
        )


NO_NEEDS = ContentNeeds()


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

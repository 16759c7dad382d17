"""The comparison card printed as text, Markdown, JSON, or a platform's own message."""

from __future__ import annotations

import asyncio
import json
import os
import re
from typing import Any, TextIO

from adapters.console.language import terminal_locale
from adapters.console.pager import page
from adapters.console.text import Style, one_line, style_for
from adapters.console.who import console_who
from adapters.conversation import ConversationService
from adapters.runtime import Runtime
from adapters.storage.interface import NoStorage
from bot.effects import ShowCard as ShowCardEffect
from bot.events import ShowCard
from bot.model import Card
from bot.state import Who

TEXT_FORMATS = ("text", "markdown", "json")


def formats() -> tuple[str, ...]:
    """Every format the card prints in: the plain ones, then each platform's own message."""
    from adapters.registry import PLATFORMS

    return (*TEXT_FORMATS, *(platform.name for platform in PLATFORMS))


def card_effect(runtime: Runtime, who: Who, locale: str | None = None) -> ShowCardEffect:
    """The channel card in `locale` exactly as the engine hands it to every platform."""
    service = ConversationService(runtime, NoStorage(), workplace=False)
    turn = asyncio.run(service.take(who, ShowCard(), None, locale))
    return next(e for e in turn.effects if isinstance(e, ShowCardEffect))


def card_text(card: Card, style: Style) -> str:
    """The card as plain text: topic, then what coaching and therapy tend to do."""
    label_width = max(len(card.coaching_heading), len(card.therapy_heading)) + 2
    indent = "    "
    parts = [style.strong(card.title), style.paragraph(card.intro), ""]
    for number, row in enumerate(card.rows, start=1):
        parts.append(style.strong(f"{number:>2}. {row.topic}"))
        for heading, text in (
            (card.coaching_heading, row.coaching),
            (card.therapy_heading, row.therapy),
        ):
            label = f"{heading}:".ljust(label_width)
            parts.append(style.hanging(indent + label, text))
        parts.append("")
    parts.append(style.strong(card.similarities_title))
    parts.extend(style.item("-", s) for s in card.similarities)
    parts.append("")
    parts.extend(
        style.paragraph(p) for p in (card.tendency_note, card.attribution, card.disclaimer)
    )
    return "\n".join(parts) + "\n"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", one_line(text))


def card_markdown(card: Card, topic_heading: str) -> str:
    """The card as a Markdown document with one table row per card row under `topic_heading`."""
    lines = [
        f"# {_md(card.title)}",
        "",
        _md(card.intro),
        "",
        f"| {_md(topic_heading)} | {_md(card.coaching_heading)} | {_md(card.therapy_heading)} |",
        "| --- | --- | --- |",
    ]
    lines.extend(f"| {_md(r.topic)} | {_md(r.coaching)} | {_md(r.therapy)} |" for r in card.rows)
    lines += ["", f"## {_md(card.similarities_title)}", ""]
    lines.extend(f"- {_md(s)}" for s in card.similarities)
    lines += ["", f"*{_md(card.tendency_note)}*", "", _md(card.attribution), ""]
    lines += [_md(card.disclaimer)]
    return "\n".join(lines) + "\n"


def card_data(card: Card) -> dict[str, Any]:
    """The card as a stable JSON-ready structure."""
    return {
        "title": card.title,
        "intro": card.intro,
        "headings": {"coaching": card.coaching_heading, "therapy": card.therapy_heading},
        "rows": [
            {"id": r.id, "topic": r.topic, "coaching": r.coaching, "therapy": r.therapy}
            for r in card.rows
        ],
        "similarities_title": card.similarities_title,
        "similarities": list(card.similarities),
        "tendency_note": card.tendency_note,
        "attribution": card.attribution,
        "disclaimer": card.disclaimer,
    }


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def print_card(runtime: Runtime, fmt: str, out: TextIO, locale: str | None = None) -> int:
    """Print the card in `fmt` (one of formats()) to `out`; returns the exit status.

    In `locale` (SettingsError when the content has no such language), else in the language the
    environment sets when the content has it, else in DEFAULT_LOCALE.
    """
    language = terminal_locale(runtime.book, locale, os.environ)
    effect = card_effect(runtime, console_who(), language)
    if fmt == "text":
        page(card_text(effect.card, style_for(out)), out)
    elif fmt == "markdown":
        topic = runtime.book.content(language).messages["terminal.card_topic"]
        out.write(card_markdown(effect.card, topic))
    elif fmt == "json":
        out.write(_json(card_data(effect.card)))
    elif fmt in formats():
        from adapters.registry import platform_named

        out.write(_json(platform_named(fmt).card_payload(effect)))
    else:
        raise ValueError(f"unknown card format {fmt!r}; use one of {', '.join(formats())}")
    out.flush()
    return 0

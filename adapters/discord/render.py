"""Effects as Discord messages: markdown text for the conversation, an embed for the card.

Pure functions of an effect and its token; nothing here talks to Discord.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import discord

from adapters.discord.buttons import STYLES, custom_id_for
from adapters.discord.limits import MESSAGE as DISCORD_MESSAGE
from adapters.discord.limits import ROW_BUTTONS as DISCORD_ROW_BUTTONS
from adapters.discord.limits import ROWS as DISCORD_ROWS
from bot.effects import Action, Ask, Effect, Refuse, ShowCard, ShowCrisisHelp, ShowResult
from bot.model import Card

CONTENT_LIMIT = DISCORD_MESSAGE
"""The most characters a message's own text may have."""


@dataclass(frozen=True)
class Reply:
    """One Discord message: its text, its embeds and its buttons."""

    content: str | None
    embeds: tuple[discord.Embed, ...] = ()
    actions: tuple[tuple[Action, ...], ...] = ()
    token: str | None = None
    ephemeral: bool = field(default=False)

    def view(self) -> discord.ui.View:
        """The buttons as a view that holds no state (every button carries its own)."""
        return ButtonRows(
            [
                {"type": 1, "components": [button(action, self.token) for action in actions]}
                for actions in self.actions
            ]
        )

    def with_line(self, line: str) -> Reply:
        """The same message with one more line at the top."""
        text = f"{line}\n\n{self.content}" if self.content else line
        return Reply(text, self.embeds, self.actions, self.token, self.ephemeral)


class ButtonRows(discord.ui.View):
    """Rows of conversation buttons, sent as they are and never kept after sending.

    Clicks are routed by their custom_id (adapters/discord/client.py), so discord.py has nothing
    to remember about the message: not being dispatchable keeps it out of the view store (and out
    of the 15-minute timeout it gives ephemeral views).
    """

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        super().__init__(timeout=None)
        self._rows = rows

    def to_components(self) -> list[dict[str, Any]]:
        """The rows as Discord's component JSON."""
        return self._rows

    def is_dispatchable(self) -> bool:
        """Never: the custom_id template routes the clicks."""
        return False


def button(action: Action, token: str | None) -> dict[str, Any]:
    """One action as a Discord button component."""
    return {
        "type": 2,
        "style": STYLES[action.style].value,
        "label": action.label,
        "custom_id": custom_id_for(action, token),
    }


def render(effect: Effect, token: str | None) -> Reply:
    """The Discord message for one effect; its buttons carry `token`."""
    match effect:
        case Ask():
            return Reply(ask_text(effect), (), _answer_rows(effect), token)
        case ShowResult():
            return Reply(result_text(effect), (), (effect.actions,), token)
        case ShowCrisisHelp():
            return Reply(help_text(effect), (), _one_row(effect.actions), token)
        case ShowCard():
            return Reply(None, (card_embed(effect.card),), _one_row(effect.actions), token)
        case Refuse():
            return Reply(effect.message, (), _one_row(effect.actions), None, ephemeral=True)


def ask_text(ask: Ask) -> str:
    """A question with its progress line, and the intro on the first one."""
    parts = []
    if ask.intro:
        parts.append(ask.intro)
    parts.append(f"**{ask.progress}**\n{ask.text}")
    return "\n\n".join(parts)


def result_text(result: ShowResult) -> str:
    """What might be worth exploring, why, where to go next, and that this is no assessment."""
    parts = [f"-# {result.heading}\n### {result.title}\n{result.summary}"]
    why = [*result.reasons, *result.notes]
    if why:
        parts.append(f"**{result.why_heading}**\n{_bullets(why)}")
    if result.next_steps:
        parts.append(f"**{result.next_steps_heading}**\n{_bullets(result.next_steps)}")
    parts.append(f"-# {result.not_assessment}")
    return "\n\n".join(parts)


def help_text(help_: ShowCrisisHelp) -> str:
    """The help message, emergency number first."""
    parts = [f"**{help_.title}**\n{help_.intro}"]
    lines = []
    if help_.emergency:
        lines.append(f"**{help_.emergency}**")
    lines.extend(f"- {line}" for line in help_.lines)
    lines.append(help_.elsewhere)
    parts.append("\n".join(lines))
    parts.append(f"{help_.eap}\n{help_.trusted}")
    if help_.closing:
        parts.append(help_.closing)
    parts.append(f"-# {help_.last_checked}")
    return "\n\n".join(parts)


def card_embed(card: Card) -> discord.Embed:
    """The comparison as one embed: a field per row, the similarities, and the credit."""
    embed = discord.Embed(title=card.title, description=card.intro)
    for row in card.rows:
        embed.add_field(
            name=row.topic,
            value=f"**{card.coaching_heading}:** {row.coaching}\n"
            f"**{card.therapy_heading}:** {row.therapy}",
            inline=False,
        )
    embed.add_field(name=card.similarities_title, value=_bullets(card.similarities), inline=False)
    embed.set_footer(text=f"{card.tendency_note}\n{card.attribution} {card.disclaimer}")
    return embed


def card_payload(effect: ShowCard) -> dict[str, Any]:
    """The channel card as Discord's message JSON: the embed and its "Take it privately" button."""
    reply = render(effect, None)
    return {
        "embeds": [embed.to_dict() for embed in reply.embeds],
        "components": reply.view().to_components(),
    }


def _answer_rows(ask: Ask) -> tuple[tuple[Action, ...], ...]:
    # one answer per row reads as a list; more answers than rows are packed five to a row
    answers: Sequence[Action] = ask.answers
    rows: list[tuple[Action, ...]]
    if len(answers) < DISCORD_ROWS:
        rows = [(a,) for a in answers]
    else:
        rows = [
            tuple(answers[i : i + DISCORD_ROW_BUTTONS])
            for i in range(0, len(answers), DISCORD_ROW_BUTTONS)
        ]
    return (*rows, ask.controls)


def _one_row(actions: tuple[Action, ...]) -> tuple[tuple[Action, ...], ...]:
    return (actions,) if actions else ()


def _bullets(items: Sequence[str]) -> str:
    return "\n".join(f"- {item}" for item in items)

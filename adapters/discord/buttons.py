"""Conversation buttons whose custom_id carries the event code and the signed conversation token."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

import discord

from bot.effects import Action, ActionStyle
from bot.events import EVENT_CODE_PATTERN, Event, parse_event_code
from bot.state import TOKEN_SHAPE

PREFIX = "cot"

# Deliberately loose, so that any "cot:" button, even a damaged one, reaches the bot and gets a
# kind answer instead of Discord's "This interaction failed"; parse_custom_id checks it strictly.
TEMPLATE = re.compile(rf"{PREFIX}:(?P<code>[^:]{{0,8}}):(?P<token>.{{0,90}})", re.DOTALL)
_STRICT = re.compile(rf"{PREFIX}:(?P<code>{EVENT_CODE_PATTERN}):(?P<token>{TOKEN_SHAPE})?")

STYLES: dict[ActionStyle, discord.ButtonStyle] = {
    "default": discord.ButtonStyle.secondary,
    "primary": discord.ButtonStyle.primary,
    "danger": discord.ButtonStyle.danger,
}


@dataclass(frozen=True)
class Click:
    """What a button press asks for: the event and the token it carried (None for Start)."""

    event: Event
    token: str | None


def custom_id_for(action: Action, token: str | None) -> str:
    """The custom_id for an action's button: ``cot:<code>:<token>`` (Start carries no token)."""
    carried = "" if action.code == "s" or token is None else token
    return f"{PREFIX}:{action.code}:{carried}"


def parse_custom_id(custom_id: str) -> Click | None:
    """The click a custom_id stands for, or None when it is no well-formed conversation button."""
    match = _STRICT.fullmatch(custom_id)
    if match is None:
        return None
    event = parse_event_code(match["code"])
    if event is None:
        return None
    return Click(event, match["token"] or None)


class ClickHandler(Protocol):
    """Whoever answers conversation clicks (the bot's conversations)."""

    async def on_click(self, interaction: discord.Interaction[Any], custom_id: str) -> None:
        """Answer one press of a conversation button."""
        ...


class HasClickHandler(Protocol):
    """A client that knows who answers its conversation clicks."""

    @property
    def clicks(self) -> ClickHandler:
        """The click handler."""
        ...


class ConversationButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=TEMPLATE):
    """A button of a conversation; everything it needs to continue lives in its custom_id."""

    def __init__(self, button: discord.ui.Button[Any]) -> None:
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ConversationButton:
        """Rebuild the button from a click; no state is kept between clicks."""
        if isinstance(item, discord.ui.Button):
            return cls(item)
        return cls(discord.ui.Button(custom_id=match.group(0)))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the click to the client's conversations."""
        client: HasClickHandler = interaction.client
        await client.clicks.on_click(interaction, self.custom_id)

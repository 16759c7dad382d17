"""Conversation buttons whose custom_id carries the event code and the signed conversation token."""

from __future__ import annotations

import re
from dataclasses import dataclass

import discord

from adapters.log_privacy import BUTTON_PREFIX
from bot.effects import Action, ActionStyle
from bot.events import EVENT_CODE_PATTERN, Event, parse_event_code
from bot.state import TOKEN_SHAPE

# Deliberately loose, so that any "cot:" button, even a damaged one, reaches the bot and gets a
# kind answer instead of Discord's "This interaction failed"; parse_custom_id checks it strictly.
_PREFIX = re.escape(BUTTON_PREFIX)
TEMPLATE = re.compile(rf"{_PREFIX}(?P<code>[^:]{{0,8}}):(?P<token>.{{0,90}})", re.DOTALL)
_STRICT = re.compile(rf"{_PREFIX}(?P<code>{EVENT_CODE_PATTERN}):(?P<token>{TOKEN_SHAPE})?")

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
    return f"{BUTTON_PREFIX}{action.code}:{carried}"


def parse_custom_id(custom_id: str) -> Click | None:
    """The click a custom_id stands for, or None when it is no well-formed conversation button."""
    match = _STRICT.fullmatch(custom_id)
    if match is None:
        return None
    event = parse_event_code(match["code"])
    if event is None:
        return None
    return Click(event, match["token"] or None)

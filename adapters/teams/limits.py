"""What Teams accepts in a message, and what it would refuse in a card we render."""

from __future__ import annotations

import json
from typing import Any

from bot.content.limits import ContentNeeds, TextLimits
from bot.effects import Effect

MESSAGE_BYTES = 28 * 1024
"""The most a message (its card included) may weigh, as UTF-8 JSON."""
APP_NAME = 30
SHORT_DESCRIPTION = 80
FULL_DESCRIPTION = 4000
COMMAND_DESCRIPTION = 128
TEXT_LIMITS = TextLimits()
"""Adaptive Card texts and button titles have no limit of their own; the message's size is
checked instead."""

COMMANDS = ("start", "card", "help")
"""The bot's commands as Teams lists them: the word to type, described in content."""
COMMAND_MESSAGES = tuple(f"teams.command.{name}" for name in COMMANDS)
APP_MESSAGES = ("teams.app.name", "teams.app.short_description", "teams.app.full_description")
ADMIN_MESSAGES = tuple(
    f"teams.admin.{name}"
    for name in (
        "usage",
        "private_only",
        "not_here",
        "not_admin",
        "your_id",
        "form_title",
        "intro",
        "region_hint",
        "contact_placeholder",
        "locale_hint",
        "save",
        "saved",
        "unreadable",
        "changed",
        "stats_title",
    )
)
"""What an admin (or someone who is not one) reads about a tenant's settings and totals."""
MESSAGES = (
    "teams.usage",
    "teams.sent_privately",
    "teams.open_chat",
    *COMMAND_MESSAGES,
    *APP_MESSAGES,
    *ADMIN_MESSAGES,
)
"""The sentences only Teams says, in every locale's messages.yaml."""

NEEDS = ContentNeeds(
    limits=TEXT_LIMITS,
    messages=MESSAGES,
    placeholders={"teams.admin.your_id": ("object_id",)},
    short={
        "teams.app.name": (APP_NAME, "the app's name in Teams"),
        "teams.app.short_description": (SHORT_DESCRIPTION, "the app's short description"),
        "teams.app.full_description": (FULL_DESCRIPTION, "the app's full description"),
        **{key: (COMMAND_DESCRIPTION, "a Teams command's description") for key in COMMAND_MESSAGES},
    },
)
"""What Teams needs of every locale's content."""


def size_of(payload: Any) -> int:
    """How many bytes a payload is on the wire (compact UTF-8 JSON)."""
    return len(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode())


def message_problems(payload: dict[str, Any]) -> list[str]:
    """What Teams would refuse in a message activity: too heavy, or a card it cannot show."""
    problems: list[str] = []
    size = size_of(payload)
    if size > MESSAGE_BYTES:
        problems.append(f"the message is {size} bytes; at most {MESSAGE_BYTES}")
    for item in payload.get("attachments", []):
        problems.extend(card_problems(item.get("content")))
    return problems


def card_problems(card: Any) -> list[str]:
    """What is wrong with an Adaptive Card's shape: its type and version, empty texts, buttons
    without a title or verb."""
    if not isinstance(card, dict) or card.get("type") != "AdaptiveCard":
        return ["an attachment is not an Adaptive Card"]
    problems: list[str] = []
    if card.get("version") != "1.5":
        problems.append(f"the card's version is {card.get('version')!r}; Teams cards here are 1.5")
    for element in _elements(card.get("body", [])):
        kind = element.get("type")
        if kind == "TextBlock" and not str(element.get("text", "")).strip():
            problems.append("a text block is empty")
        if kind == "Action.Execute":
            if not str(element.get("title", "")).strip():
                problems.append("a button has no title")
            if not element.get("verb"):
                problems.append("a button has no verb")
    return problems


def _elements(items: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict):
                found.append(item)
                for key in ("items", "columns", "actions"):
                    found.extend(_elements(item.get(key)))
    return found


def limit_problems(effect: Effect, token: str | None) -> list[str]:
    """What Teams would refuse in the message for `effect`, its buttons carrying `token`."""
    from adapters.teams.render import message, render

    return message_problems(message(render(effect, token)))

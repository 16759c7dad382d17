"""What Slack or Discord would refuse in a message, measured on the adapters' own rendering."""

from __future__ import annotations

from typing import Any

import discord

from adapters.discord.render import render as discord_render
from adapters.slack.render import limit_problems
from adapters.slack.render import render as slack_render
from bot.effects import Effect
from bot.platform_limits import (
    DISCORD_CUSTOM_ID,
    DISCORD_DESCRIPTION,
    DISCORD_EMBED,
    DISCORD_EMBEDS,
    DISCORD_FIELD,
    DISCORD_FIELD_NAME,
    DISCORD_FIELDS,
    DISCORD_FOOTER,
    DISCORD_LABEL,
    DISCORD_MESSAGE,
    DISCORD_ROW_BUTTONS,
    DISCORD_ROWS,
    DISCORD_TITLE,
)


def platform_problems(effect: Effect, token: str) -> list[str]:
    """What Slack or Discord would refuse in `effect`, its buttons carrying `token`."""
    problems = [f"on Slack, {p}" for p in limit_problems(dict(slack_render(effect, token)))]
    problems += [f"on Discord, {p}" for p in discord_problems(effect, token)]
    return problems


def discord_problems(effect: Effect, token: str) -> list[str]:
    """Every Discord limit the message for `effect` breaks (empty when it fits)."""
    reply = discord_render(effect, token)
    problems: list[str] = []
    if reply.content is not None and len(reply.content) > DISCORD_MESSAGE:
        problems.append(f"text is {len(reply.content)} characters; at most {DISCORD_MESSAGE}")
    if len(reply.embeds) > DISCORD_EMBEDS:
        problems.append(f"{len(reply.embeds)} embeds; at most {DISCORD_EMBEDS}")
    total = sum(len(embed) for embed in reply.embeds)
    if total > DISCORD_EMBED:
        problems.append(f"embeds are {total} characters; at most {DISCORD_EMBED}")
    for embed in reply.embeds:
        problems.extend(_embed_problems(embed))
    problems.extend(_component_problems(reply.view().to_components()))
    return problems


def _too_long(what: str, text: str | None, limit: int) -> list[str]:
    if text is not None and len(text) > limit:
        return [f"{what} is {len(text)} characters; at most {limit}"]
    return []


def _embed_problems(embed: discord.Embed) -> list[str]:
    problems = _too_long("embed title", embed.title, DISCORD_TITLE)
    problems += _too_long("embed description", embed.description, DISCORD_DESCRIPTION)
    problems += _too_long("embed footer", embed.footer.text, DISCORD_FOOTER)
    if len(embed.fields) > DISCORD_FIELDS:
        problems.append(f"{len(embed.fields)} embed fields; at most {DISCORD_FIELDS}")
    for n, embed_field in enumerate(embed.fields):
        problems += _too_long(f"field {n} name", embed_field.name, DISCORD_FIELD_NAME)
        problems += _too_long(f"field {n} value", embed_field.value, DISCORD_FIELD)
    return problems


def _component_problems(rows: list[dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    if len(rows) > DISCORD_ROWS:
        problems.append(f"{len(rows)} rows of buttons; at most {DISCORD_ROWS}")
    for n, row in enumerate(rows):
        buttons = row.get("components", [])
        if len(buttons) > DISCORD_ROW_BUTTONS:
            problems.append(f"row {n} has {len(buttons)} buttons; at most {DISCORD_ROW_BUTTONS}")
        for button in buttons:
            problems += _too_long("button label", button.get("label"), DISCORD_LABEL)
            problems += _too_long("button custom_id", button.get("custom_id"), DISCORD_CUSTOM_ID)
    return problems

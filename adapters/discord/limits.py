"""How much text Discord accepts, and what it would refuse in a message we render.

discord.py checks none of these (Discord answers 400), so every one is checked here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.content.limits import ContentNeeds, TextLimits
from bot.content.rules import ADMIN_LABELS
from bot.effects import Effect

if TYPE_CHECKING:
    import discord

LABEL = 80
TITLE = 256
DESCRIPTION = 4096
FIELD = 1024
EMBED = 6000
FIELDS = 25
FOOTER = 2048
MESSAGE = 2000  # a message's own text, which is how the conversation is sent
EMBEDS = 10
FIELD_NAME = 256
ROWS = 5
ROW_BUTTONS = 5
CUSTOM_ID = 100
MODAL_TITLE = 45
INPUT_LABEL = 45
PLACEHOLDER = 100
COMMAND_TEXT = 100  # a slash command's description, an option's, a choice's name

TEXT_LIMITS = TextLimits(
    button=LABEL,
    heading=TITLE,
    paragraph=MESSAGE,
    field=FIELD,
    line=FIELD,
    footer=FOOTER,
    card=EMBED,
    card_rows=FIELDS,
    message=MESSAGE,
)
"""Each kind of content text on Discord: a conversation message is the message's own text (2000);
the card is one embed of a field per row."""

COMMAND_MESSAGES = tuple(
    f"discord.command.{name}"
    for name in (
        "description",
        "show",
        "quiz",
        "card",
        "help",
        "admin_description",
        "admin_action",
        "admin_settings",
        "admin_stats",
    )
)
MESSAGES = (
    "discord.thread_name",
    "discord.thread_opened",
    "discord.thread_welcome",
    "discord.no_thread_dm",
    "discord.no_thread_in_thread",
    "discord.no_thread_kind",
    "discord.no_thread_permission",
    "discord.no_thread_trouble",
    "discord.card_not_allowed",
    "discord.card_not_here",
    "discord.usage",
    "discord.busy",
    "discord.not_allowed_here",
    "discord.card_for_you",
    *COMMAND_MESSAGES,
    "discord.admin.not_admin",
    "discord.admin.not_in_server",
    "discord.admin.saved",
    "discord.admin.form_title",
    "discord.admin.region_placeholder",
    "discord.admin.contact_placeholder",
    "discord.admin.locale_placeholder",
    "discord.admin.roles_placeholder",
)
"""The sentences only Discord says, in every locale's messages.yaml."""

NEEDS = ContentNeeds(
    limits=TEXT_LIMITS,
    messages=MESSAGES,
    placeholders={
        "discord.thread_name": ("name",),
        "discord.thread_opened": ("thread",),
        "discord.thread_welcome": ("mention",),
        "discord.admin.region_placeholder": ("default", "regions"),
        "discord.admin.locale_placeholder": ("default",),
    },
    short={
        "discord.admin.form_title": (MODAL_TITLE, "a Discord form's title"),
        **{key: (INPUT_LABEL, "a form field's label") for key in ADMIN_LABELS},
        **{
            f"discord.admin.{name}_placeholder": (PLACEHOLDER, "a form field's placeholder")
            for name in ("contact", "roles", "locale")
        },
        **{key: (COMMAND_TEXT, "a Discord command's text") for key in COMMAND_MESSAGES},
    },
)
"""What Discord needs of every locale's content."""


def limit_problems(effect: Effect, token: str | None) -> list[str]:
    """Every Discord limit the message for `effect` breaks (empty when it fits)."""
    from adapters.discord.render import render as discord_render

    reply = discord_render(effect, token)
    problems: list[str] = []
    if reply.content is not None and len(reply.content) > MESSAGE:
        problems.append(f"text is {len(reply.content)} characters; at most {MESSAGE}")
    if len(reply.embeds) > EMBEDS:
        problems.append(f"{len(reply.embeds)} embeds; at most {EMBEDS}")
    total = sum(len(embed) for embed in reply.embeds)
    if total > EMBED:
        problems.append(f"embeds are {total} characters; at most {EMBED}")
    for embed in reply.embeds:
        problems.extend(_embed_problems(embed))
    problems.extend(_component_problems(reply.view().to_components()))
    return problems


def _too_long(what: str, text: str | None, limit: int) -> list[str]:
    if text is not None and len(text) > limit:
        return [f"{what} is {len(text)} characters; at most {limit}"]
    return []


def _embed_problems(embed: discord.Embed) -> list[str]:
    problems = _too_long("embed title", embed.title, TITLE)
    problems += _too_long("embed description", embed.description, DESCRIPTION)
    problems += _too_long("embed footer", embed.footer.text, FOOTER)
    if len(embed.fields) > FIELDS:
        problems.append(f"{len(embed.fields)} embed fields; at most {FIELDS}")
    for n, embed_field in enumerate(embed.fields):
        problems += _too_long(f"field {n} name", embed_field.name, FIELD_NAME)
        problems += _too_long(f"field {n} value", embed_field.value, FIELD)
    return problems


def _component_problems(rows: list[dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    if len(rows) > ROWS:
        problems.append(f"{len(rows)} rows of buttons; at most {ROWS}")
    for n, row in enumerate(rows):
        buttons = row.get("components", [])
        if len(buttons) > ROW_BUTTONS:
            problems.append(f"row {n} has {len(buttons)} buttons; at most {ROW_BUTTONS}")
        for button in buttons:
            problems += _too_long("button label", button.get("label"), LABEL)
            problems += _too_long("button custom_id", button.get("custom_id"), CUSTOM_ID)
    return problems

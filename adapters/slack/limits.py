"""How much text Slack's Block Kit accepts, and what it would refuse in a message we render."""

from __future__ import annotations

from bot.content.limits import ContentNeeds, TextLimits
from bot.effects import Effect

BUTTON = 75
HEADER = 150
SECTION = 3000
FIELD = 2000
MODAL_TEXT = 24  # a modal's title and its submit and close buttons
OPTION = 75  # a select menu option's text

TEXT_LIMITS = TextLimits(
    button=BUTTON,
    heading=HEADER,
    paragraph=SECTION,
    field=FIELD,
    line=FIELD,
    footer=SECTION,
    message=SECTION,
)
"""Each kind of content text on Slack: a button, a header block, a section, a field."""

MODAL_BUTTONS = ("slack.form_title", "slack.save", "slack.cancel", "slack.done")
MESSAGES = (
    "slack.not_admin",
    "slack.not_here",
    "slack.cannot_check",
    "slack.no_form",
    "slack.saving",
    "slack.saved",
    *MODAL_BUTTONS,
    "slack.region_hint",
    "slack.contact_hint",
    "slack.locale_hint",
    "slack.channels_hint",
)
"""The sentences only Slack says, in every locale's messages.yaml."""

NEEDS = ContentNeeds(
    limits=TEXT_LIMITS,
    messages=MESSAGES,
    short={
        **{key: (MODAL_TEXT, "a Slack form's title or button") for key in MODAL_BUTTONS},
        "admin.default": (OPTION, "a choice in a form"),
        "admin.no_default_region": (OPTION, "a choice in a form"),
        "language_name": (OPTION, "a choice in a form"),
    },
)
"""What Slack needs of every locale's content."""


def limit_problems(effect: Effect, token: str | None) -> list[str]:
    """What Slack would refuse in the message for `effect`, its buttons carrying `token`."""
    from adapters.slack.render import message_problems, render

    return message_problems(dict(render(effect, token)))

"""How much text Slack's Block Kit accepts, and what it would refuse in a message we render."""

from __future__ import annotations

from bot.content.limits import TextLimits
from bot.effects import Effect

BUTTON = 75
HEADER = 150
SECTION = 3000
FIELD = 2000

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


def limit_problems(effect: Effect, token: str | None) -> list[str]:
    """What Slack would refuse in the message for `effect`, its buttons carrying `token`."""
    from adapters.slack.render import message_problems, render

    return message_problems(dict(render(effect, token)))

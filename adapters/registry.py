"""Every chat platform the bot can serve: one line each.

A platform is its folder in adapters/ and its line here; everything else (the command line,
start-up, `validate`, `card --format`) loops over this list.
"""

from __future__ import annotations

from adapters.discord.platform import PLATFORM as DISCORD
from adapters.platform import Platform
from adapters.slack.platform import PLATFORM as SLACK
from bot.content.limits import NO_LIMITS, TextLimits

PLATFORMS: tuple[Platform, ...] = (
    SLACK,
    DISCORD,
)


def text_limits() -> TextLimits:
    """The tightest limit of any platform for each kind of text: content must fit them all."""
    return NO_LIMITS.tightest(*(platform.text_limits for platform in PLATFORMS))


def platform_named(name: str) -> Platform:
    """The platform with this name (KeyError when there is none)."""
    return {platform.name: platform for platform in PLATFORMS}[name]

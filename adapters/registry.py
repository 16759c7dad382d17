"""Every chat platform the bot can serve: one line each.

A platform is its folder in adapters/ and its line here; everything else (the command line,
start-up, `validate`, `card --format`) loops over this list.
"""

from __future__ import annotations

from adapters.discord.platform import PLATFORM as DISCORD
from adapters.platform import Platform
from adapters.settings import CORE_NAMES, CORE_SECRETS
from adapters.slack.platform import PLATFORM as SLACK
from adapters.teams.platform import PLATFORM as TEAMS
from bot.content.limits import NO_NEEDS, ContentNeeds

PLATFORMS: tuple[Platform, ...] = (
    SLACK,
    DISCORD,
    TEAMS,
)


def content_needs() -> ContentNeeds:
    """What every platform together needs of content: each one's sentences, the tightest of
    every limit (content must fit them all)."""
    return NO_NEEDS.joined(*(platform.needs for platform in PLATFORMS))


def platform_named(name: str) -> Platform:
    """The platform with this name (KeyError when there is none)."""
    return {platform.name: platform for platform in PLATFORMS}[name]


def setting_names() -> tuple[str, ...]:
    """Every environment variable the bot reads: the core's, then each platform's."""
    return (*CORE_NAMES, *(name for p in PLATFORMS for name in p.settings.variables()))


def secret_names() -> tuple[str, ...]:
    """Every setting whose value is a secret."""
    return (*CORE_SECRETS, *(name for p in PLATFORMS for name in p.settings.secret_variables()))

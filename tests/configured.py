"""Settings for tests, written as the old flat names read: slack_* and discord_* go to their
platform's own section."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from adapters.discord.settings import DiscordSettings
from adapters.settings import Section, Settings
from adapters.slack.settings import SlackSettings

_SECTIONS: dict[str, type[Section]] = {"slack_": SlackSettings, "discord_": DiscordSettings}


def settings_of(**values: Any) -> Settings:
    """Settings with these values; `slack_bot_token=...` is SlackSettings(bot_token=...)."""
    return changed(Settings(), **values)


def changed(settings: Settings, **values: Any) -> Settings:
    """`settings` with these values changed, core and platform ones alike."""
    core: dict[str, Any] = {}
    sections: dict[type[Section], dict[str, Any]] = {}
    for name, value in values.items():
        prefix = next((p for p in _SECTIONS if name.startswith(p)), None)
        if prefix is None:
            core[name] = value
        else:
            sections.setdefault(_SECTIONS[prefix], {})[name.removeprefix(prefix)] = value
    kept = [s for s in settings.sections if type(s) not in sections]
    for kind, given in sections.items():
        before = next((s for s in settings.sections if type(s) is kind), kind())
        kept.append(replace(before, **given))
    return replace(settings, **core, sections=tuple(kept))

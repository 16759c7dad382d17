"""Checking what an admin typed into the settings form, field by field, with a kind reason each.

A reason is a message key and its values (``admin.errors.*`` in messages.yaml), so the admin
reads it in their own language.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlparse

from adapters.storage.interface import WorkspacePrefs
from bot.content.rules import CONTACT_LENGTH
from bot.model import Messages
from bot.plain_text import invisible_character
from bot.regions import listed, region_code

MAX_CARD_CHANNELS = 100
"""The most channels a workspace may allow the card in (each click reads the whole list)."""
MAX_CARD_ROLES = 25

FIELDS = ("region", "eap_contact", "coaching_contact", "locale", "card_channels", "card_roles")

_SLACK_CHANNEL = re.compile(r"[CG](?=[A-Z]*[0-9])[A-Z0-9]{6,20}")
_DISCORD_ID = re.compile(r"[0-9]{15,21}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SEPARATORS = re.compile(r"[\s,]+")
_SHOWN = 40
"""The most characters of a wrong value an error repeats."""


@dataclass(frozen=True)
class Problem:
    """Why one field was refused: a message key and the values it is filled with."""

    message: str
    values: Mapping[str, str] = field(default_factory=dict)

    def said_in(self, words: Messages) -> str:
        """The reason in these words."""
        return words.format(self.message, **self.values)


@dataclass(frozen=True)
class Invalid:
    """What was wrong, by field name (the same names as WorkspacePrefs)."""

    errors: Mapping[str, Problem]

    def said_in(self, words: Messages) -> dict[str, str]:
        """Each field's reason in these words."""
        return {name: problem.said_in(words) for name, problem in self.errors.items()}


@dataclass(frozen=True)
class Changes:
    """The checked value of every field a form had; the fields it did not have stay as stored."""

    values: Mapping[str, Any]

    def applied_to(self, stored: WorkspacePrefs) -> WorkspacePrefs:
        """The stored settings with these fields replaced."""
        return replace(stored, **self.values)


def _shown(typed: str) -> str:
    """What was typed, as an error repeats it: one line, not too long."""
    text = _CONTROL.sub(" ", typed)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _ids(raw: str) -> list[str]:
    return [part for part in _SEPARATORS.split(raw.strip()) if part]


def _contact(raw: str) -> tuple[str | None, Problem | None]:
    text = raw.strip()
    if not text:
        return None, None
    if len(text) > CONTACT_LENGTH:
        return None, Problem("admin.errors.too_long", {"limit": str(CONTACT_LENGTH)})
    if _CONTROL.search(text) or "\u2028" in text or "\u2029" in text:
        return None, Problem("admin.errors.one_line")
    hidden = invisible_character(text)
    if hidden:
        return None, Problem("admin.errors.hidden", {"character": hidden})
    if "<" in text or ">" in text:
        # Chat markup could disguise where a link goes.
        return None, Problem("admin.errors.plain")
    looks_like_link = "://" in text or text.lower().startswith(("www.", "javascript:", "data:"))
    if looks_like_link:
        parsed = urlparse(text)
        if parsed.scheme != "https" or not parsed.netloc or " " in text:
            return None, Problem("admin.errors.link")
    return text, None


def validate_prefs(
    raw: Mapping[str, str | None],
    *,
    regions: Collection[str],
    locales: Collection[str],
) -> Changes | Invalid:
    """The fields a form sent, checked, or every field that is wrong and why. Blank: default."""
    errors: dict[str, Problem] = {}

    region: str | None = region_code(raw.get("region") or "") or None
    if region is not None and region not in regions:
        shown = {"region": _shown(region), "regions": listed(regions)}
        errors["region"] = Problem("admin.errors.region", shown)
        region = None

    eap, problem = _contact(raw.get("eap_contact") or "")
    if problem:
        errors["eap_contact"] = problem
    coaching, problem = _contact(raw.get("coaching_contact") or "")
    if problem:
        errors["coaching_contact"] = problem

    locale: str | None = (raw.get("locale") or "").strip() or None
    if locale is not None and locale not in locales:
        errors["locale"] = Problem("admin.errors.locale", {"locales": ", ".join(sorted(locales))})
        locale = None

    typed = _ids(raw.get("card_channels") or "")
    bad = [c for c in typed if not _SLACK_CHANNEL.fullmatch(c.upper())]
    channels = [c.upper() for c in typed]
    if bad:
        errors["card_channels"] = Problem("admin.errors.channel", {"value": _shown(bad[0])})
    elif len(set(channels)) > MAX_CARD_CHANNELS:
        errors["card_channels"] = Problem(
            "admin.errors.too_many_channels", {"most": str(MAX_CARD_CHANNELS)}
        )
    roles = _ids(raw.get("card_roles") or "")
    bad = [r for r in roles if not _DISCORD_ID.fullmatch(r)]
    if bad:
        errors["card_roles"] = Problem("admin.errors.role", {"value": _shown(bad[0])})
    elif len(set(roles)) > MAX_CARD_ROLES:
        errors["card_roles"] = Problem("admin.errors.too_many_roles", {"most": str(MAX_CARD_ROLES)})

    errors = {name: problem for name, problem in errors.items() if name in raw}
    if errors:
        return Invalid(errors)
    checked = {
        "region": region,
        "eap_contact": eap,
        "coaching_contact": coaching,
        "locale": locale,
        "card_channels": tuple(dict.fromkeys(channels)),
        "card_roles": tuple(dict.fromkeys(roles)),
    }
    return Changes({name: value for name, value in checked.items() if name in raw})

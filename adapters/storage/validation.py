"""Checking what an admin typed into the settings form, field by field, with a kind message each."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlparse

from adapters.storage.interface import WorkspacePrefs
from bot.plain_text import invisible_character
from bot.regions import listed, region_code
from bot.settings import CONTACT_LENGTH

MAX_CARD_CHANNELS = 100
"""The most channels a workspace may allow the card in (each click reads the whole list)."""
MAX_CARD_ROLES = 25

FIELDS = ("region", "eap_contact", "coaching_contact", "locale", "card_channels", "card_roles")

_SLACK_CHANNEL = re.compile(r"[CG](?=[A-Z]*[0-9])[A-Z0-9]{6,20}")
_DISCORD_ID = re.compile(r"[0-9]{15,21}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SEPARATORS = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class Invalid:
    """What was wrong, by field name (the same names as WorkspacePrefs)."""

    errors: Mapping[str, str]


@dataclass(frozen=True)
class Changes:
    """The checked value of every field a form had; the fields it did not have stay as stored."""

    values: Mapping[str, Any]

    def applied_to(self, stored: WorkspacePrefs) -> WorkspacePrefs:
        """The stored settings with these fields replaced."""
        return replace(stored, **self.values)


def _ids(raw: str) -> list[str]:
    return [part for part in _SEPARATORS.split(raw.strip()) if part]


def _contact(raw: str, label: str) -> tuple[str | None, str | None]:
    text = raw.strip()
    if not text:
        return None, None
    if len(text) > CONTACT_LENGTH:
        return None, f"Please keep the {label} to {CONTACT_LENGTH} characters or fewer."
    if _CONTROL.search(text) or "\u2028" in text or "\u2029" in text:
        return None, f"Please put the {label} on one line."
    hidden = invisible_character(text)
    if hidden:
        return None, (
            f"The {label} contains {hidden}, which people would not see; "
            "please type it again rather than pasting it."
        )
    if "<" in text or ">" in text:
        # Chat markup could disguise where a link goes.
        return None, f"Please write the {label} as plain text or an https:// link."
    looks_like_link = "://" in text or text.lower().startswith(("www.", "javascript:", "data:"))
    if looks_like_link:
        parsed = urlparse(text)
        if parsed.scheme != "https" or not parsed.netloc or " " in text:
            return None, (
                f"A link for the {label} must start with https:// "
                "(for example https://intranet.example.com/eap)."
            )
    return text, None


def validate_prefs(
    raw: Mapping[str, str | None],
    *,
    regions: Collection[str],
    locales: Collection[str],
) -> Changes | Invalid:
    """The fields a form sent, checked, or every field that is wrong and why. Blank: default."""
    errors: dict[str, str] = {}

    region: str | None = region_code(raw.get("region") or "") or None
    if region is not None and region not in regions:
        errors["region"] = f"We have no helplines for {region!r}. Choose one of: {listed(regions)}."
        region = None

    eap, problem = _contact(raw.get("eap_contact") or "", "EAP contact")
    if problem:
        errors["eap_contact"] = problem
    coaching, problem = _contact(raw.get("coaching_contact") or "", "coaching contact")
    if problem:
        errors["coaching_contact"] = problem

    locale: str | None = (raw.get("locale") or "").strip() or None
    if locale is not None and locale not in locales:
        errors["locale"] = f"Choose a language we have: {', '.join(sorted(locales))}."
        locale = None

    typed = _ids(raw.get("card_channels") or "")
    bad = [c for c in typed if not _SLACK_CHANNEL.fullmatch(c.upper())]
    channels = [c.upper() for c in typed]
    if bad:
        errors["card_channels"] = (
            f"{bad[0]!r} is not a channel id; they look like C0123ABCD "
            "(channel details, at the bottom)."
        )
    elif len(set(channels)) > MAX_CARD_CHANNELS:
        errors["card_channels"] = f"Please choose at most {MAX_CARD_CHANNELS} channels."
    roles = _ids(raw.get("card_roles") or "")
    bad = [r for r in roles if not _DISCORD_ID.fullmatch(r)]
    if bad:
        errors["card_roles"] = (
            f"{bad[0]!r} is not a role id; with Developer Mode on, right-click a role "
            "and choose Copy Role ID."
        )
    elif len(set(roles)) > MAX_CARD_ROLES:
        errors["card_roles"] = f"Please list at most {MAX_CARD_ROLES} roles."

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

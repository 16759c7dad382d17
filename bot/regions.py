"""Region codes: ISO 3166-1 two-letter country codes, with UK accepted for GB as people write it."""

from __future__ import annotations

from collections.abc import Iterable

from iso3166 import countries_by_alpha2

ALIASES = {"UK": "GB"}
"""Codes people type that mean an ISO code: the United Kingdom's is GB."""


def region_code(raw: str) -> str:
    """The ISO code a typed region means: upper case, UK read as GB."""
    code = raw.strip().upper()
    return ALIASES.get(code, code)


def is_country(code: str) -> bool:
    """Whether `code` is an ISO 3166-1 two-letter country code (upper case)."""
    return code in countries_by_alpha2


def listed(codes: Iterable[str]) -> str:
    """Region codes for a message, sorted, with the aliases people may type beside them."""
    shown = []
    for code in sorted(codes):
        typed = [alias for alias, meant in ALIASES.items() if meant == code]
        shown.append(f"{code} (or {', '.join(typed)})" if typed else code)
    return ", ".join(shown)

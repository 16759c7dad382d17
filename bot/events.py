"""What a person can do, as small frozen events, and their compact codes for buttons."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Start:
    """Begin a new walk-through (slash command, Start or Take it privately)."""


@dataclass(frozen=True)
class Choose:
    """Pick answer number `answer` (0-based) of the current question."""

    answer: int


@dataclass(frozen=True)
class Back:
    """Go back one question."""


@dataclass(frozen=True)
class StartOver:
    """Forget the answers so far and begin again."""


@dataclass(frozen=True)
class GetHelp:
    """Show the crisis help message now."""


@dataclass(frozen=True)
class Continue:
    """Leave the help message and carry on from the current question."""


@dataclass(frozen=True)
class ShowCard:
    """Show the full comparison card."""


Event = Start | Choose | Back | StartOver | GetHelp | Continue | ShowCard

_SIMPLE_CODES: dict[type[Event], str] = {
    Start: "s",
    Back: "b",
    StartOver: "r",
    GetHelp: "h",
    Continue: "n",
    ShowCard: "k",
}
_BY_CODE: dict[str, Event] = {
    "s": Start(),
    "b": Back(),
    "r": StartOver(),
    "h": GetHelp(),
    "n": Continue(),
    "k": ShowCard(),
}
_CHOOSE = re.compile(r"c([0-9])")

EVENT_CODE_PATTERN = r"(?:[sbrhnk]|c[0-9])"
"""A regular expression matching every event code, for platforms that route by pattern."""


def event_code(event: Event) -> str:
    """The short code a button carries for this event (``c2``, ``b``, ``h`` ...)."""
    if isinstance(event, Choose):
        return f"c{event.answer}"
    return _SIMPLE_CODES[type(event)]


def parse_event_code(code: str) -> Event | None:
    """The event for a button code, or None when the code means nothing."""
    if code in _BY_CODE:
        return _BY_CODE[code]
    match = _CHOOSE.fullmatch(code)
    if match:
        return Choose(int(match.group(1)))
    return None

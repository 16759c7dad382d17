"""One click in, effects and the next signed token out: what every adapter calls."""

from __future__ import annotations

from dataclasses import dataclass

from bot.effects import Effect, RefusalReason
from bot.engine import Guide, refusal, step
from bot.events import Event, GetHelp, ShowCard, Start, StartOver
from bot.state import Keyring, Opened, Who, open_token, seal
from bot.tally import counters_for

DEFAULT_TTL_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class Turn:
    """What to show, and the token its buttons carry (None when there is nothing to carry)."""

    effects: tuple[Effect, ...]
    token: str | None
    unusable: RefusalReason | None = None
    """Why the token the event came with could not be used (None when it could, or none came)."""
    counters: tuple[str, ...] = ()
    """The anonymous counters this turn moves (see bot.tally)."""
    walk_through: int | None = None
    """Which walk-through the turn belongs to (when it began), or None when it belongs to none."""


def take_turn(
    guide: Guide,
    keyring: Keyring,
    who: Who,
    event: Event,
    token: str | None,
    now: float,
    ttl: float = DEFAULT_TTL_SECONDS,
) -> Turn:
    """Open the token (if any) for this person, step the conversation, and seal the new state.

    Start and Start over need no token; every other event continues the conversation in `token`.
    A token that cannot be used yields a Refuse effect, never an exception, except for Get help
    now, which always shows the help (without a conversation to return to when the token fails).
    """
    content = guide.content
    fingerprint = content.fingerprint
    opened = open_token(keyring, who, token, fingerprint, now, ttl) if token else None
    unusable = None if opened is None or isinstance(opened, Opened) else opened
    needs_no_token = isinstance(event, ShowCard | GetHelp) and not token
    if isinstance(event, Start | StartOver) or needs_no_token:
        state = None
    elif opened is None:
        return Turn((refusal(content, "stale"),), None)
    elif isinstance(opened, Opened):
        state = opened.state
    elif isinstance(event, GetHelp):
        state = None
    else:
        return Turn((refusal(content, opened),), None, opened)
    result = step(guide, state, event, now)
    counters = counters_for(event, state, result.effects)
    if result.state is None:
        return Turn(result.effects, None, unusable, counters)
    sealed = seal(keyring, who, result.state, fingerprint, now, content.locale)
    return Turn(result.effects, sealed, unusable, counters, result.state.began)

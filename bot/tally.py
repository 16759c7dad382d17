"""Which anonymous counters one turn moves: never who, never which answers."""

from __future__ import annotations

from bot.effects import Ask, Effect, ShowCrisisHelp, ShowResult
from bot.events import Event, Start, StartOver

COUNTERS = ("started", "finished", "coaching", "therapy", "both", "help_shown")


def counters_for(event: Event, effects: tuple[Effect, ...]) -> tuple[str, ...]:
    """The counters to add one to after this turn (``started``, ``finished``, an outcome, ...)."""
    moved: list[str] = []
    for effect in effects:
        if isinstance(effect, Ask) and effect.number == 1 and isinstance(event, Start | StartOver):
            moved.append("started")
        elif isinstance(effect, ShowResult):
            moved.extend(("finished", effect.outcome))
        elif isinstance(effect, ShowCrisisHelp):
            moved.append("help_shown")
    return tuple(moved)

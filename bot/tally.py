"""Which anonymous counters one turn moves: never who, never which answers.

Each walk-through counts once: its start when it begins, its finish and outcome when the last
answer is given (showing the result again later counts nothing), and the help message the first
time it is shown in that walk-through (the token carries that it was).
"""

from __future__ import annotations

from bot.effects import Ask, Effect, ShowCrisisHelp, ShowResult
from bot.events import Choose, Event, Start, StartOver
from bot.state import State

COUNTERS = ("started", "finished", "coaching", "therapy", "both", "help_shown")


def counters_for(
    event: Event, before: State | None, effects: tuple[Effect, ...]
) -> tuple[str, ...]:
    """The counters to add one to after this turn (``started``, ``finished``, an outcome, ...).

    `before` is the conversation the event continued (None when it continued none).
    """
    moved: list[str] = []
    for effect in effects:
        if isinstance(effect, Ask) and effect.number == 1 and isinstance(event, Start | StartOver):
            moved.append("started")
        elif isinstance(effect, ShowResult) and isinstance(event, Choose):
            moved.extend(("finished", effect.outcome))
        elif isinstance(effect, ShowCrisisHelp) and not (before is not None and before.help_seen):
            moved.append("help_shown")
    return tuple(moved)

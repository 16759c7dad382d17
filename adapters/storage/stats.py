"""Anonymous monthly totals as an admin may see them: safe to show by construction.

Small numbers leak in three ways, and each is closed here:
- subtracting one total from another (finished minus the outcomes shown): every total is shown
  rounded down to a step of 5, so no difference between them is exact;
- watching a total move from one day to the next: only months that have ended are shown, and
  those no longer move;
- adding walk-throughs of one's own until a total crosses a step: before rounding, each total gets
  an offset of 0 to 4 of its own, drawn from a key only the database holds, so where the steps
  fall cannot be found and one's own runs never tell whether a colleague's is among them.

So "about N" means somewhere from N-4 to N+4, and "fewer than 5" means 0 to 4, whatever anyone
does. Exact totals stay in the database; nothing here can give them back.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from adapters.storage.interface import MonthCounts
from bot.content.rules import STATS_COUNTERS
from bot.model import Messages

STEP = 5

COUNTERS = STATS_COUNTERS
"""The totals shown, in order; each one's label is ``stats.rows.<counter>`` in messages.yaml."""


def offset(key: bytes, platform: str, workspace: str, month: str, counter: str) -> int:
    """The secret offset, 0 to 4, that one total is shifted by before it is rounded."""
    message = "\x1f".join((platform, workspace, month, counter)).encode()
    return hmac.digest(key, message, "sha256")[0] % STEP


def rounded(count: int, shift: int) -> int:
    """A total shifted by its offset and rounded down to a step of 5."""
    return STEP * ((count + shift) // STEP)


def as_shown(
    months: Sequence[MonthCounts], key: bytes, platform: str, workspace: str, this_month: str
) -> list[MonthCounts]:
    """The months that have ended, every total rounded as it may be shown."""
    return [
        MonthCounts(
            month.month,
            {
                counter: rounded(
                    month.get(counter), offset(key, platform, workspace, month.month, counter)
                )
                for counter in COUNTERS
            },
        )
        for month in months
        if month.month < this_month
    ]


def shown(total: int, words: Messages) -> str:
    """A rounded total in words: "about 15", or "fewer than 5"."""
    if total >= STEP:
        return words.format("stats.about", count=total)
    return words.format("stats.fewer_than", count=STEP)


def stats_lines(months: Sequence[MonthCounts], words: Messages) -> list[str]:
    """Plain lines, newest month first: a heading per month, then one line per total."""
    if not months:
        return [words["stats.none_yet"]]
    lines: list[str] = []
    for month in months:
        lines.append(month.month)
        lines.extend(
            "  "
            + words.format(
                "stats.line",
                label=words[f"stats.rows.{name}"],
                total=shown(month.get(name), words),
            )
            for name in COUNTERS
        )
    return lines


def stats_text(months: Sequence[MonthCounts], words: Messages) -> str:
    """The stats as one block of text, with a line on what they can and cannot tell."""
    note = words.format("stats.note", within=STEP - 1)
    return "\n".join([note, "", *stats_lines(months, words)])

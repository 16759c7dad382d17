"""Anonymous monthly totals as an admin reads them: small numbers are never shown exactly."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.storage.interface import MonthCounts

MINIMUM_SHOWN = 5
"""Totals below this are shown as "fewer than 5", so no one can be picked out of a small team."""

ROWS = (
    ("started", "Walk-throughs started"),
    ("finished", "Finished"),
    ("coaching", "Coaching suggested"),
    ("therapy", "Therapy or counselling suggested"),
    ("both", "Both suggested"),
    ("help_shown", "Urgent help shown"),
)


def shown(count: int) -> str:
    """A total as it may be shown: the number from 5 up, else "fewer than 5"."""
    return str(count) if count >= MINIMUM_SHOWN else f"fewer than {MINIMUM_SHOWN}"


def stats_lines(months: Sequence[MonthCounts]) -> list[str]:
    """Plain lines, newest month first: a heading per month, then one line per total."""
    if not months:
        return ["Nothing counted yet. Totals appear here once people use /coach-or-therapy."]
    lines: list[str] = []
    for month in months:
        lines.append(month.month)
        lines.extend(f"  {label}: {shown(month.get(name))}" for name, label in ROWS)
    return lines


def stats_text(months: Sequence[MonthCounts]) -> str:
    """The stats as one block of text, with a line on how they are kept."""
    note = (
        "Anonymous monthly totals for this workspace. No names, no answers; "
        f"anything below {MINIMUM_SHOWN} is shown as “fewer than {MINIMUM_SHOWN}”."
    )
    return "\n".join([note, "", *stats_lines(months)])

"""Anonymous stats as HR reads them: no total below 5 is ever shown exactly."""

from __future__ import annotations

import pytest

from adapters.storage.interface import MonthCounts
from adapters.storage.stats import shown, stats_lines, stats_text
from adapters.storage.store import DatabaseStorage


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "fewer than 5"), (1, "fewer than 5"), (4, "fewer than 5"), (5, "5"), (123, "123")],
)
def test_small_totals_are_never_shown_exactly(count, text):
    assert shown(count) == text


def test_no_counts_yet_says_so():
    assert stats_lines([]) == [
        "Nothing counted yet. Totals appear here once people use /coach-or-therapy."
    ]


async def test_stats_read_from_the_database_are_thresholded(engine):
    workspaces = DatabaseStorage(engine, clock=lambda: 1_793_000_000.0)  # 2026-10
    for _ in range(7):
        workspaces.count("slack", "T1", ("started",))
    for _ in range(5):
        workspaces.count("slack", "T1", ("finished", "coaching"))
    workspaces.count("slack", "T1", ("help_shown",))

    lines = stats_lines(await workspaces.stats("slack", "T1"))
    assert lines == [
        "2026-10",
        "  Walk-throughs started: 7",
        "  Finished: 5",
        "  Coaching suggested: 5",
        "  Therapy or counselling suggested: fewer than 5",
        "  Both suggested: fewer than 5",
        "  Urgent help shown: fewer than 5",
    ]


def test_the_text_explains_what_is_kept():
    text = stats_text([MonthCounts("2026-11", {"started": 2})])
    assert text.startswith("Anonymous monthly totals for this workspace. No names, no answers;")
    assert "  Walk-throughs started: fewer than 5" in text

"""Anonymous stats as HR reads them: safe by construction, whatever anyone does to the totals."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from adapters.storage import rows
from adapters.storage.interface import MonthCounts
from adapters.storage.stats import STEP, as_shown, offset, rounded, shown, stats_lines, stats_text
from adapters.storage.store import DatabaseStorage
from tests.conftest import words

KEY = b"k" * 32
NOV = datetime(2026, 11, 10).timestamp()
DEC = datetime(2026, 12, 3).timestamp()


@given(st.integers(0, 10_000), st.integers(0, STEP - 1))
def test_a_shown_total_is_a_step_of_5_within_4_of_the_truth(count, shift):
    shown_total = rounded(count, shift)
    assert shown_total % STEP == 0
    assert shown_total - (STEP - 1) <= count <= shown_total + (STEP - 1)


@given(st.integers(0, 1_000), st.integers(0, 1_000), st.integers(1, STEP - 1))
def test_adding_runs_of_ones_own_never_tells_a_colleagues_run_from_none(others, own, shift):
    # Whatever an admin adds of their own, every total they can see with one colleague in it
    # is also what they would see with none, for another offset they cannot know. The offset
    # is secret and fixed per total, so reading the total again tells nothing new.
    with_colleague = [rounded(others + 1 + k, shift - 1) for k in range(own + STEP)]
    without = [rounded(others + k, shift) for k in range(own + STEP)]
    assert with_colleague == without


def test_each_total_has_its_own_offset_from_the_databases_key():
    offsets = {
        offset(KEY, "slack", f"T{n}", "2026-11", counter)
        for n in range(50)
        for counter in ("started", "finished", "therapy")
    }
    assert offsets == set(range(STEP)), "every offset turns up"
    assert offset(KEY, "slack", "T1", "2026-11", "therapy") == offset(
        KEY, "slack", "T1", "2026-11", "therapy"
    )
    other_key = [offset(b"o" * 32, "slack", f"T{n}", "2026-11", "started") for n in range(20)]
    mine = [offset(KEY, "slack", f"T{n}", "2026-11", "started") for n in range(20)]
    assert other_key != mine, "another database rounds differently"


def test_only_months_that_have_ended_are_shown():
    months = [MonthCounts("2026-12", {"started": 40}), MonthCounts("2026-11", {"started": 40})]
    assert [m.month for m in as_shown(months, KEY, "slack", "T1", "2026-12")] == ["2026-11"]


@given(
    st.dictionaries(
        st.sampled_from(["started", "finished", "coaching", "therapy", "both", "help_shown"]),
        st.integers(0, 500),
    )
)
def test_no_difference_between_shown_totals_is_exact(counts):
    (month,) = as_shown([MonthCounts("2026-11", counts)], KEY, "slack", "T1", "2026-12")
    for value in month.counts.values():
        assert value % STEP == 0
    for name, value in counts.items():
        assert abs(month.get(name) - value) < STEP


async def test_what_an_admin_reads_is_rounded_with_the_databases_own_key(engine):
    november = DatabaseStorage(engine, clock=lambda: NOV)
    for _ in range(23):
        november.count("slack", "T1", ("started",))
    november.count("slack", "T1", ("finished", "therapy"))
    await november.counts.flush()
    december = DatabaseStorage(engine, clock=lambda: DEC)
    december.count("slack", "T1", ("started",))

    (month,) = await december.stats("slack", "T1")
    key = rows.read_stats_key(engine)
    assert month.month == "2026-11"
    for counter, exact in {"started": 23, "finished": 1, "therapy": 1, "both": 0}.items():
        assert month.get(counter) == rounded(exact, offset(key, "slack", "T1", "2026-11", counter))
    assert len(key) == 32


EN = words("en")


def test_small_or_rounded_totals_read_as_such():
    assert shown(0, EN) == "fewer than 5"
    assert shown(5, EN) == "about 5"
    assert shown(120, EN) == "about 120"
    assert shown(0, words("de")) == "weniger als 5"
    assert shown(120, words("fr")) == "environ 120"


def test_no_month_ended_yet_says_so():
    assert stats_lines([], EN) == [
        "No month has ended since counting began. Totals appear here once one has."
    ]


def test_the_text_is_in_the_admins_language():
    text = stats_text([MonthCounts("2026-11", {"started": 10})], words("es"))
    assert text.startswith("Totales mensuales anónimos de este espacio de trabajo")
    assert "margen de 4" in text
    assert "  Recorridos empezados: unos 10" in text
    assert "  Terminados: menos de 5" in text


def test_the_text_says_what_the_numbers_can_and_cannot_tell():
    text = stats_text([MonthCounts("2026-11", {"started": 10})], EN)
    assert text.startswith("Anonymous monthly totals for this workspace, for months that have")
    assert "within 4 either way" in text
    assert "adding walk-throughs of your own" in text
    assert "  Walk-throughs started: about 10" in text
    assert "  Finished: fewer than 5" in text


def test_counts_are_kept_exact_in_the_database(engine):
    rows.add_counts(engine, Counter({("slack", "T1", "2026-11", "started"): 7}))
    assert rows.read_months(engine, "slack", "T1", 6)[0].counts == {"started": 7}

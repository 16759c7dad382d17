"""`coach-or-therapy validate [PATH] [--report]`: content problems as file:line:col lines."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from bot.content import file_label
from bot.model import OutcomeId
from bot.validate import LocaleReport, validate_content

# the middle outcome in the middle, as on the card
_REPORT_ORDER: tuple[OutcomeId, ...] = ("coaching", "both", "therapy")


def run_validate(path: Path, report: bool, out: TextIO) -> int:
    """Check the content at `path`; print each problem, or a short summary. 1 on problems."""
    validation = validate_content(path)
    shown = file_label(Path(path))
    for problem in validation.problems:
        print(problem, file=out)
    if report:
        for locale in validation.reports:
            _print_split(locale, out)
    if validation.problems:
        count = len(validation.problems)
        print(f"{count} problem{'s' if count != 1 else ''} in {shown}", file=out)
        return 1
    names = ", ".join(r.locale for r in validation.reports)
    combinations = sum(r.coverage.total for r in validation.reports)
    questions = max((r.questions for r in validation.reports), default=0)
    print(
        f"ok: {shown} ({names}): {questions} questions, {combinations} answer combinations checked",
        file=out,
    )
    return 0


def _print_split(locale: LocaleReport, out: TextIO) -> None:
    coverage = locale.coverage
    print(f"{locale.locale}: outcomes over all {coverage.total} answer combinations", file=out)
    for outcome in _REPORT_ORDER:
        count = coverage.split[outcome]
        print(f"  {outcome:<9} {count:>7}  {100 * coverage.share(outcome):5.1f}%", file=out)

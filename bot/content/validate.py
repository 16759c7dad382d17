"""Check a whole content folder: each locale loaded, compared with en, every combination scored."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.content.coverage import MAX_COMBINATIONS, Coverage, check_coverage, combination_count
from bot.content.limits import NO_NEEDS, ContentNeeds
from bot.content.loading import Located, content_folders, file_label, load_located
from bot.content.rules import REFERENCE_LOCALE
from bot.errors import ContentError, Problem
from bot.model import Content


@dataclass(frozen=True)
class LocaleReport:
    """One locale that loaded, and what scoring every combination of its answers showed."""

    locale: str
    questions: int
    """Every question a person is asked, the safety question included, as the progress counts."""
    coverage: Coverage | None
    """None when there are too many combinations to score one by one."""
    located: Located


@dataclass(frozen=True)
class Validation:
    """Every problem found, and a report for each locale that loaded."""

    root: Path
    problems: tuple[Problem, ...]
    reports: tuple[LocaleReport, ...]

    @property
    def ok(self) -> bool:
        """Whether the content has no problems at all."""
        return not self.problems


def validate_content(path: Path, needs: ContentNeeds = NO_NEEDS) -> Validation:
    """Run every content rule on `path`: a content folder, or one locale folder inside one.

    `needs` is what the platforms the bot serves need of content (their sentences and limits).
    """
    path = Path(path)
    if not path.is_dir():
        problem = Problem(file_label(path), 1, 1, "no such content folder")
        return Validation(path, (problem,), ())
    root, names = content_folders(path)
    if not names:
        problem = Problem(file_label(path), 1, 1, f"no locale folders (like {REFERENCE_LOCALE}/)")
        return Validation(path, (problem,), ())

    problems: set[Problem] = set()
    reports: list[LocaleReport] = []
    reference: Content | None = None
    if REFERENCE_LOCALE in names or (root / REFERENCE_LOCALE).is_dir():
        located = _load(root, REFERENCE_LOCALE, None, problems, needs)
        reference = located.content if located else None
        if located and REFERENCE_LOCALE in names:
            reports.append(_check(located, problems))
    for locale in names:
        if locale == REFERENCE_LOCALE:
            continue
        if (root / REFERENCE_LOCALE).is_dir() and reference is None:
            # the reference is broken; its problems are already listed, compare nothing with it
            located = _load(root, locale, None, problems, needs, compare=False)
        else:
            located = _load(root, locale, reference, problems, needs)
        if located:
            reports.append(_check(located, problems))
    return Validation(path, tuple(sorted(problems)), tuple(reports))


def _load(
    root: Path,
    locale: str,
    reference: Content | None,
    problems: set[Problem],
    needs: ContentNeeds,
    compare: bool = True,
) -> Located | None:
    try:
        return load_located(root, locale, reference=reference, compare=compare, needs=needs)
    except ContentError as exc:
        problems.update(exc.problems)
        return None


def _check(located: Located, problems: set[Problem]) -> LocaleReport:
    content, places = located.content, located.places
    count = combination_count(content)
    if count > MAX_COMBINATIONS:
        where = places.questions or places.safety
        if where is not None:
            problems.add(
                where.problem(
                    f"the answers make {count} combinations; at most {MAX_COMBINATIONS} can be "
                    "checked one by one (fewer questions or answers)"
                )
            )
        return LocaleReport(content.locale, content.total_questions, None, located)
    coverage = check_coverage(content)
    for outcome in coverage.unreachable:
        problems.add(
            places.outcome[outcome].problem(
                f"outcome '{outcome}' is never reached by any combination of answers"
            )
        )
    for q, a in coverage.idle_answers:
        question = content.questions[q]
        problems.add(
            places.answer[(q, a)].problem(
                f"answer '{question.answers[a].id}' never changes the outcome: whatever the "
                f"other answers, any answer to '{question.id}' ends the same way"
            )
        )
    for broken in coverage.rule_breaks:
        q, a = broken.answer
        problems.add(
            places.rules_out[(q, a)].problem(
                f"'rules_out' says never '{broken.outcome}', yet {broken.count} "
                f"combination{'s' if broken.count != 1 else ''} with this answer end"
                f"{'' if broken.count != 1 else 's'} in '{broken.outcome}'; "
                "give that outcome an 'instead'"
            )
        )
    return LocaleReport(content.locale, content.total_questions, coverage, located)

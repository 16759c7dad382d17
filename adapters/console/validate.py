"""`coach-or-therapy validate [PATH] [--report]`: content problems as file:line:col lines."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from adapters.registry import PLATFORMS, content_needs
from bot.content import Located, file_label
from bot.content.located_yaml import Where
from bot.content.longest import LONGEST_TOKEN, Sample, longest_messages
from bot.content.validate import LocaleReport, validate_content
from bot.effects import Effect
from bot.errors import Problem
from bot.model import OutcomeId

# the middle outcome in the middle, as on the card
_REPORT_ORDER: tuple[OutcomeId, ...] = ("coaching", "both", "therapy")


def run_validate(path: Path, report: bool, out: TextIO) -> int:
    """Check the content at `path`; print each problem, or a short summary. 1 on problems.

    Beyond the content rules, every kind of message at its longest is rendered for every
    platform exactly as the bot sends it, and anything a platform would refuse is a problem.
    """
    validation = validate_content(path, content_needs())
    problems = set(validation.problems)
    for locale in validation.reports:
        if locale.coverage is not None:
            problems.update(rendered_problems(locale.located, locale.coverage.examples))
    shown = file_label(Path(path))
    for problem in sorted(problems):
        print(problem, file=out)
    if report:
        for locale in validation.reports:
            _print_split(locale, out)
    if problems:
        count = len(problems)
        print(f"{count} problem{'s' if count != 1 else ''} in {shown}", file=out)
        return 1
    names = ", ".join(r.locale for r in validation.reports)
    combinations = sum(r.coverage.total for r in validation.reports if r.coverage)
    questions = max((r.questions for r in validation.reports), default=0)
    # counted as the conversation counts them ("Question 1 of 9" is the safety question)
    print(
        f"ok: {shown} ({names}): {questions} questions (the first is the safety question), "
        f"{combinations} combinations of the scored answers checked",
        file=out,
    )
    return 0


def rendered_problems(
    located: Located, examples: Mapping[OutcomeId, tuple[int, ...]]
) -> set[Problem]:
    """What Slack or Discord would refuse in the longest messages of one loaded locale.

    `examples` gives a combination of answers reaching each outcome, so each result is measured.
    """
    problems: set[Problem] = set()
    for sample in longest_messages(located.content, examples):
        for found in platform_problems(sample.effect, LONGEST_TOKEN):
            where = _where(located, sample)
            problems.add(where.problem(f"{_name(sample)}: {found}"))
    return problems


def _where(located: Located, sample: Sample) -> Where:
    places, content = located.places, located.content
    ids = [q.id for q in content.questions]
    found = {
        "safety": places.safety,
        "question": places.question.get(ids.index(sample.key)) if sample.key in ids else None,
        "result": places.outcome.get(sample.key),
        "help": places.region.get(sample.key) or places.helplines,
        "card": places.card,
        "message": places.message.get(sample.key),
    }.get(sample.kind)
    return found or places.questions or Where(content.locale, 1, 1)


def _name(sample: Sample) -> str:
    key = sample.key
    return {
        "safety": "the safety question with the intro",
        "question": f"question '{key}'",
        "result": f"the '{key}' result at its longest",
        "help": f"the help message for {key}" if key else "the help message with no region",
        "card": "the card in a channel" if key == "channel" else "the card in a conversation",
        "message": f"'{key}'",
    }.get(sample.kind, sample.kind)


def _print_split(locale: LocaleReport, out: TextIO) -> None:
    coverage = locale.coverage
    if coverage is None:
        print(f"{locale.locale}: too many answer combinations to split", file=out)
        return
    print(f"{locale.locale}: outcomes over all {coverage.total} answer combinations", file=out)
    for outcome in _REPORT_ORDER:
        count = coverage.split[outcome]
        print(f"  {outcome:<9} {count:>7}  {100 * coverage.share(outcome):5.1f}%", file=out)


def platform_problems(effect: Effect, token: str) -> list[str]:
    """What any platform would refuse in the message for `effect`, its buttons carrying `token`."""
    return [
        f"on {platform.title}, {problem}"
        for platform in PLATFORMS
        for problem in platform.limit_problems(effect, token)
    ]

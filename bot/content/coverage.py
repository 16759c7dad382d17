"""Every combination of answers, scored by the engine: the outcome split and what it reveals.

With 8 questions of 3-4 answers there are tens of thousands of combinations; each is scored once by
`bot.engine.outcome_for`, the one place the scoring rules live.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from bot.engine import outcome_for
from bot.model import OUTCOMES, Content, OutcomeId

AnswerRef = tuple[int, int]
"""(question index, answer index), the safety question left out."""

MAX_COMBINATIONS = 1_000_000
"""More combinations than this take too long to score one by one (about 3 s per million)."""


@dataclass(frozen=True)
class RuleBreak:
    """Combinations that choose an answer ruling out an outcome, yet end in that outcome."""

    answer: AnswerRef
    outcome: OutcomeId
    count: int
    example: tuple[int, ...]


@dataclass(frozen=True)
class Coverage:
    """What scoring every combination of answers showed."""

    total: int
    split: Mapping[OutcomeId, int]
    unreachable: tuple[OutcomeId, ...]
    idle_answers: tuple[AnswerRef, ...]
    rule_breaks: tuple[RuleBreak, ...]
    examples: Mapping[OutcomeId, tuple[int, ...]]
    """The first combination (in order) that ends in each reachable outcome."""

    def share(self, outcome: OutcomeId) -> float:
        """The fraction of combinations that end in `outcome`."""
        return self.split[outcome] / self.total if self.total else 0.0


def combination_count(content: Content) -> int:
    """How many complete sets of answers the scored questions allow."""
    return math.prod(len(q.answers) for q in content.questions)


def combinations(content: Content) -> Iterator[tuple[int, ...]]:
    """Every complete set of answer indexes, in order (the last question varies fastest)."""
    return itertools.product(*(range(len(q.answers)) for q in content.questions))


def check_coverage(content: Content) -> Coverage:
    """Score every combination; find unreachable outcomes, idle answers and rule breaks.

    Check `combination_count` against MAX_COMBINATIONS first: the time grows with the count.
    """
    codes = {outcome: code for code, outcome in enumerate(OUTCOMES)}
    outcomes = bytearray()
    ruling = [
        (q, a, set(answer.rules_out))
        for q, question in enumerate(content.questions)
        for a, answer in enumerate(question.answers)
        if answer.rules_out
    ]
    breaks: dict[tuple[AnswerRef, OutcomeId], list[tuple[int, ...]]] = {}
    examples: dict[OutcomeId, tuple[int, ...]] = {}
    for combo in combinations(content):
        outcome = outcome_for(content, combo)
        outcomes.append(codes[outcome])
        examples.setdefault(outcome, combo)
        for q, a, ruled_out in ruling:
            if combo[q] == a and outcome in ruled_out:
                breaks.setdefault(((q, a), outcome), []).append(combo)

    split = {outcome: outcomes.count(code) for outcome, code in codes.items()}
    return Coverage(
        total=len(outcomes),
        split=split,
        unreachable=tuple(o for o in OUTCOMES if split[o] == 0),
        idle_answers=_idle_answers(content, outcomes),
        rule_breaks=tuple(
            RuleBreak(answer, outcome, len(found), found[0])
            for (answer, outcome), found in breaks.items()
        ),
        examples=examples,
    )


def _idle_answers(content: Content, outcomes: bytearray) -> tuple[AnswerRef, ...]:
    """Answers for which no combination of the other answers ends differently from choosing
    some other answer to the same question."""
    sizes = [len(q.answers) for q in content.questions]
    idle: list[AnswerRef] = []
    for q, size in enumerate(sizes):
        if not _matters(outcomes, sizes, q):
            idle.extend((q, a) for a in range(size))
    return tuple(idle)


def _matters(outcomes: bytearray, sizes: list[int], q: int) -> bool:
    """Whether any group (the other answers fixed, question q's answers varied) ends two ways.

    In such a group every answer ends differently from at least one other answer, so a question's
    answers either all change some outcome or none does.
    """
    stride = math.prod(sizes[q + 1 :])
    block = stride * sizes[q]
    for start in range(0, len(outcomes), block):
        for offset in range(start, start + stride):
            group = outcomes[offset : offset + block : stride]
            if group.count(group[0]) != len(group):
                return True
    return False

"""The longest message of every kind some content can make, for measuring against platform limits.

Each one comes from the engine itself (the real words, buttons and layout of effects), pushed to
its worst case: the longest reasons, every note a result can carry, contacts as long as settings
allow, each region's helplines, every way the help message can end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from bot.content.fit import longest_reasons
from bot.content.rules import CONTACT_LENGTH
from bot.effects import REFUSAL_REASONS, Effect, ShowResult
from bot.engine import Guide, refusal, step
from bot.events import Choose, Continue, GetHelp, ShowCard, Start
from bot.model import Content, OutcomeId
from bot.state import MAX_TOKEN_LENGTH, State

LONG_CONTACT = "x" * CONTACT_LENGTH
LONGEST_TOKEN = "A" * MAX_TOKEN_LENGTH
_NOW = 0.0


@dataclass(frozen=True)
class Sample:
    """One message at its longest, and the part of the content it comes from.

    `kind` is "safety", "question", "result", "help", "card" or "message"; `key` names which one
    (a question id, an outcome, a region code or "", "channel" or "private", a message key).
    """

    kind: str
    key: str
    effect: Effect


def longest_messages(
    content: Content, examples: Mapping[OutcomeId, tuple[int, ...]]
) -> list[Sample]:
    """Every kind of message `content` can make, each at its longest.

    `examples` gives, for each outcome to measure, one combination of answers that reaches it.
    """
    guide = Guide(content, None, LONG_CONTACT, LONG_CONTACT, workplace=True)
    go_on = next((i for i, a in enumerate(content.safety.answers) if a.action == "continue"), None)
    samples = [Sample("safety", content.safety.id, _only(step(guide, None, Start(), _NOW).effects))]
    if go_on is not None:
        for index, question in enumerate(content.questions):
            state = State((go_on, *[0] * index))
            samples.append(
                Sample("question", question.id, _only(step(guide, state, Continue(), _NOW).effects))
            )
        samples.extend(_results(content, guide, go_on, examples))
    samples.extend(_help(content, go_on))
    samples.append(Sample("card", "channel", _only(step(guide, None, ShowCard(), _NOW).effects)))
    if go_on is not None:
        private = step(guide, State((go_on,)), ShowCard(), _NOW).effects
        samples.append(Sample("card", "private", _only(private)))
    for reason in REFUSAL_REASONS:
        samples.append(Sample("message", f"refusals.{reason}", refusal(content, reason)))
    return samples


def _results(
    content: Content, guide: Guide, go_on: int, examples: Mapping[OutcomeId, tuple[int, ...]]
) -> list[Sample]:
    plain = Guide(content)
    notes = tuple(
        max((a.note for a in q.answers if a.note), key=len)
        for q in content.questions
        if any(a.note for a in q.answers)
    )
    samples: list[Sample] = []
    for outcome, combo in examples.items():
        state = State((go_on, *combo[:-1]))
        with_contacts = _only(step(guide, state, Choose(combo[-1]), _NOW).effects)
        without = _only(step(plain, state, Choose(combo[-1]), _NOW).effects)
        assert isinstance(with_contacts, ShowResult) and isinstance(without, ShowResult)
        steps = tuple(
            max(pair, key=len)
            for pair in zip(with_contacts.next_steps, without.next_steps, strict=True)
        )
        longest = replace(
            with_contacts,
            reasons=longest_reasons(content, outcome),
            notes=notes,
            next_steps=steps,
        )
        samples.append(Sample("result", outcome, longest))
    return samples


def _help(content: Content, go_on: int | None) -> list[Sample]:
    """The help message for each region and none, with and without an EAP contact, both endings."""
    not_sure = next(
        (i for i, a in enumerate(content.safety.answers) if a.action == "help_then_continue"),
        None,
    )
    samples: list[Sample] = []
    for code in (*content.helplines.regions, ""):
        for contact in (LONG_CONTACT, None):
            guide = Guide(content, code or None, contact)
            if go_on is not None:
                later = step(guide, State((go_on,)), GetHelp(), _NOW).effects
                samples.append(Sample("help", code, _only(later)))
            if not_sure is not None:
                first = step(guide, State(), Choose(not_sure), _NOW).effects
                samples.append(Sample("help", code, _only(first)))
    return samples


def _only(effects: tuple[Effect, ...]) -> Effect:
    (effect,) = effects
    return effect

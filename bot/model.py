"""The content model: frozen dataclasses the engine reads, built once from content/."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from bot.regions import region_code

Lean = Literal["coaching", "therapy", "both", "neither"]
OutcomeId = Literal["coaching", "therapy", "both"]
SafetyAction = Literal["help", "help_then_continue", "continue"]

LEANS: tuple[Lean, ...] = ("coaching", "therapy", "both", "neither")
OUTCOMES: tuple[OutcomeId, ...] = ("coaching", "therapy", "both")
SAFETY_ACTIONS: tuple[SafetyAction, ...] = ("help", "help_then_continue", "continue")


@dataclass(frozen=True)
class CardRow:
    """One row of the comparison table."""

    id: str
    topic: str
    coaching: str
    therapy: str


@dataclass(frozen=True)
class Card:
    """The full coaching-vs-therapy comparison card."""

    title: str
    intro: str
    coaching_heading: str
    therapy_heading: str
    rows: tuple[CardRow, ...]
    similarities_title: str
    similarities: tuple[str, ...]
    tendency_note: str
    attribution: str
    disclaimer: str

    def row(self, row_id: str) -> CardRow:
        """The row with this id."""
        return next(r for r in self.rows if r.id == row_id)


@dataclass(frozen=True)
class Answer:
    """One answer to a question, with the way it leans."""

    id: str
    label: str
    lean: Lean = "neither"
    weight: int = 1
    rows: tuple[str, ...] = ()
    rules_out: tuple[OutcomeId, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class SafetyAnswer:
    """One answer to the safety question and what it leads to."""

    id: str
    label: str
    action: SafetyAction


@dataclass(frozen=True)
class SafetyQuestion:
    """The question asked first, before anything is scored."""

    id: str
    text: str
    answers: tuple[SafetyAnswer, ...]


@dataclass(frozen=True)
class Question:
    """A scored multiple-choice question."""

    id: str
    text: str
    answers: tuple[Answer, ...]


@dataclass(frozen=True)
class Outcome:
    """One of the three results and the words that go with it."""

    id: OutcomeId
    title: str
    summary: str
    next_steps: tuple[str, ...]
    instead: OutcomeId | None = None


@dataclass(frozen=True)
class Helpline:
    """A line a person can call or text."""

    name: str
    contact: str
    hours: str | None = None


@dataclass(frozen=True)
class Region:
    """Emergency number and crisis lines for one country."""

    code: str
    name: str
    emergency: str
    lines: tuple[Helpline, ...]


@dataclass(frozen=True)
class Helplines:
    """Every region the content knows, and the date they were last checked."""

    last_checked: str
    regions: Mapping[str, Region]
    elsewhere: str

    def for_region(self, code: str | None) -> Region | None:
        """The region's lines, or None when the content does not know it."""
        if not code:
            return None
        return self.regions.get(region_code(code))


@dataclass(frozen=True)
class Messages:
    """Every fixed sentence and label, addressed by dotted key (``buttons.back``)."""

    texts: Mapping[str, str]

    def __getitem__(self, key: str) -> str:
        return self.texts[key]

    def format(self, key: str, /, **values: object) -> str:
        """The message with `{name}` placeholders filled."""
        return self.texts[key].format(**values)


@dataclass(frozen=True)
class Content:
    """Everything one locale says, checked and ready for the engine."""

    locale: str
    intro: str
    safety: SafetyQuestion
    questions: tuple[Question, ...]
    margin: int
    outcomes: Mapping[OutcomeId, Outcome]
    card: Card
    messages: Messages
    helplines: Helplines
    fingerprint: str = field(default="")

    @property
    def total_questions(self) -> int:
        """How many questions a full walk-through asks, the safety question included."""
        return 1 + len(self.questions)

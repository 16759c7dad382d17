"""What the engine asks an adapter to show: words and buttons, never platform markup."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.events import Event, event_code
from bot.model import Card, OutcomeId

ActionStyle = Literal["default", "primary", "danger"]
RefusalReason = Literal["expired", "foreign", "stale", "content_changed", "tampered"]
REFUSAL_REASONS: tuple[RefusalReason, ...] = (
    "expired",
    "foreign",
    "stale",
    "content_changed",
    "tampered",
)


@dataclass(frozen=True)
class Action:
    """A button: the label a person sees and the event a click sends back."""

    event: Event
    label: str
    style: ActionStyle = "default"

    @property
    def code(self) -> str:
        """The compact event code the platform button carries."""
        return event_code(self.event)


@dataclass(frozen=True)
class Ask:
    """Show one question with its answers and the conversation controls."""

    question_id: str
    text: str
    number: int
    total: int
    progress: str
    answers: tuple[Action, ...]
    controls: tuple[Action, ...]
    intro: str | None = None

    @property
    def can_go_back(self) -> bool:
        """Whether a Back button is offered."""
        return any(a.code == "b" for a in self.controls)


@dataclass(frozen=True)
class ShowResult:
    """What might be worth exploring, why, and where to go next."""

    outcome: OutcomeId
    heading: str
    title: str
    summary: str
    why_heading: str
    reasons: tuple[str, ...]
    notes: tuple[str, ...]
    next_steps_heading: str
    next_steps: tuple[str, ...]
    not_assessment: str
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class ShowCrisisHelp:
    """The help message: emergency number, crisis lines, elsewhere, EAP, someone you trust."""

    title: str
    intro: str
    emergency: str | None
    lines: tuple[str, ...]
    elsewhere: str
    eap: str
    trusted: str
    last_checked: str
    closing: str | None
    actions: tuple[Action, ...]
    ends_conversation: bool


@dataclass(frozen=True)
class ShowCard:
    """The full comparison card."""

    card: Card
    actions: tuple[Action, ...]
    for_channel: bool


@dataclass(frozen=True)
class Refuse:
    """A click that cannot be used, with a kind word and a way to start again."""

    reason: RefusalReason
    message: str
    actions: tuple[Action, ...]


Effect = Ask | ShowResult | ShowCrisisHelp | ShowCard | Refuse

"""Which answers give a result its reasons, and the sentence each card row becomes."""

from __future__ import annotations

from collections.abc import Mapping

from bot.model import CardRow, Lean, OutcomeId

MAX_REASONS = 3
"""A result quotes at most this many card rows."""

REASON_LEANS: Mapping[OutcomeId, tuple[Lean, ...]] = {
    "coaching": ("coaching",),
    "therapy": ("therapy",),
    "both": ("both", "therapy", "coaching"),
}
"""For each outcome, the leans whose answers give its reasons, the most telling first."""


def reason_message(lean: Lean, row: CardRow) -> tuple[str, dict[str, str]]:
    """The message key and its values for the reason an answer leaning `lean` gives from `row`."""
    if lean == "both":
        return "result.reason_both", {
            "topic": row.topic,
            "coaching": row.coaching,
            "therapy": row.therapy,
        }
    if lean == "therapy":
        return "result.reason_therapy", {"topic": row.topic, "text": row.therapy}
    return "result.reason_coaching", {"topic": row.topic, "text": row.coaching}

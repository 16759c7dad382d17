"""Whole messages measured at their longest: each help message, question and result must fit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.content.limits import LIST_ITEM_EXTRA, PART_EXTRA, listed
from bot.content.located_yaml import Where
from bot.content.reading import Conversation, Places, Reader, fill
from bot.content.rules import CONTACT_LENGTH, MAX_QUESTIONS, REQUIRED_MESSAGES
from bot.model import Card, Content, Helplines, Messages, OutcomeId, Question
from bot.reasons import MAX_REASONS, REASON_LEANS, reason_message


def check_help_message(
    reader: Reader, messages: Messages, helplines: Helplines, places: Mapping[str, Where]
) -> None:
    """The help message for each region must fit one message, its lines one field."""
    words = messages.texts
    if any(key not in words for key in REQUIRED_MESSAGES if key.startswith("help.")):
        return
    contact = "x" * CONTACT_LENGTH
    common = [
        words["help.title"],
        words["help.intro"],
        max(
            fill(words["help.elsewhere"], url=helplines.elsewhere),
            fill(words["help.find_a_helpline"], url=helplines.elsewhere),
            key=len,
        ),
        max(fill(words["help.eap"], contact=contact), words["help.eap_unset"], key=len),
        words["help.trusted"],
        fill(words["help.last_checked"], date=helplines.last_checked),
        max(words["help.closing"], words["help.closing_continue"], key=len),
    ]
    for code, region in helplines.regions.items():
        lines = [
            fill(words["help.line"], name=line.name, contact=line.contact)
            + (f" ({line.hours})" if line.hours else "")
            for line in region.lines
        ]
        name = f"the help message for {code}"
        lines_name = f"the list of lines for {code}"
        reader.limit(places[code], lines_name, listed(lines), "field")
        total = (
            sum(len(t) for t in common)
            + len(fill(words["help.emergency"], number=region.emergency))
            + listed(lines)
        )
        total += 6 * PART_EXTRA
        reader.limit(places[code], name, total, "message")


def check_messages_fit(
    reader: Reader, conversation: Conversation, card: Card, messages: Messages, places: Places
) -> None:
    """Each question and each result, once filled in, must fit one message."""
    words = messages.texts
    if any(key not in words for key in REQUIRED_MESSAGES):
        return
    progress = fill(words["progress"], number=MAX_QUESTIONS + 1, total=MAX_QUESTIONS + 1)
    # the intro at its longest: on a workplace platform, with who controls the workspace
    intro = len(conversation.intro) + 1 + len(words["intro_workplace"])
    asks = [(conversation.safety.text, intro, places.safety)]
    asks += [(q.text, 0, places.question.get(i)) for i, q in enumerate(conversation.questions)]
    for text, intro, where in asks:
        if where is not None:
            total = intro + len(progress) + len(text) + 2 * PART_EXTRA
            reader.limit(where, "the question", total, "message")

    notes = sum(
        max((len(a.note) + LIST_ITEM_EXTRA for a in q.answers if a.note), default=0)
        for q in conversation.questions
    )
    longest_note = max(
        (len(a.note) for q in conversation.questions for a in q.answers if a.note), default=0
    )
    field = reader.limits.field
    if places.questions is not None and (field is None or longest_note <= field):
        reader.limit(places.questions, "the notes one result can show", notes, "field")
    contact = "x" * CONTACT_LENGTH
    fixed = sum(
        len(words[key])
        for key in (
            "result.heading",
            "result.why_heading",
            "result.next_steps_heading",
            "result.not_assessment",
        )
    )
    for outcome_id, outcome in conversation.outcomes.items():
        where = places.outcome[outcome_id]
        steps = [
            max(
                fill(words[f"next_steps.{name}"], contact=contact),
                words[f"next_steps.{name}_unset"],
                key=len,
            )
            for name in outcome.next_steps
        ]
        name = f"the '{outcome_id}' result"
        reader.limit(where, f"{name}'s next steps", listed(steps), "field")
        why = _longest_why(conversation, card, messages, outcome_id)
        reader.limit(where, f"{name}'s why", why, "field")
        total = len(outcome.title) + len(outcome.summary) + why + notes + listed(steps) + fixed
        total += 4 * PART_EXTRA
        reader.limit(where, name, total, "message")


def _longest_why(
    conversation: Conversation, card: Card, messages: Messages, outcome: OutcomeId
) -> int:
    """The most characters the reasons of one result can take: its longest few card rows."""
    reasons = _longest_reasons(conversation.questions, card, messages, outcome)
    return sum(len(reason) + LIST_ITEM_EXTRA for reason in reasons)


def longest_reasons(content: Content, outcome: OutcomeId) -> tuple[str, ...]:
    """The longest reasons a result for `outcome` could show: a worst case to measure."""
    return _longest_reasons(content.questions, content.card, content.messages, outcome)


def _longest_reasons(
    questions: Iterable[Question], card: Card, messages: Messages, outcome: OutcomeId
) -> tuple[str, ...]:
    rows = {r.id: r for r in card.rows}
    words = messages.texts
    longest: dict[str, str] = {}
    for question in questions:
        for answer in question.answers:
            if answer.lean not in REASON_LEANS[outcome]:
                continue
            for row_id in answer.rows:
                row = rows.get(row_id)
                if row is None:
                    continue
                key, values = reason_message(answer.lean, row)
                reason = fill(words[key], **values)
                if len(reason) > len(longest.get(row_id, "")):
                    longest[row_id] = reason
    return tuple(sorted(longest.values(), key=len, reverse=True)[:MAX_REASONS])

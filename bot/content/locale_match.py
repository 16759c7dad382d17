"""Comparing a locale with the reference locale: the same rows, questions, answers and scoring."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.content.located_yaml import Where, YamlList, YamlMap
from bot.content.reading import Conversation, Places, Reader
from bot.content.rules import REFERENCE_LOCALE
from bot.model import Answer, Card, Content


def compare_with_reference(
    reader: Reader,
    reference: Content,
    docs: Mapping[str, tuple[Any, Where]],
    card: Card | None,
    conversation: Conversation | None,
    places: Places,
) -> None:
    """Report what this locale lacks, or has beyond, compared with the reference locale."""
    ref = REFERENCE_LOCALE
    card_doc = docs.get("card.yaml", (None, None))[0]
    if card is not None and isinstance(card_doc, YamlMap):
        rows_node = card_doc.get("rows")
        rows_where = card_doc.at("rows") if isinstance(rows_node, YamlList) else card_doc.where
        mine = {r.id for r in card.rows}
        for row in reference.card.rows:
            if row.id not in mine:
                reader.fail(rows_where, f"missing card row '{row.id}' ({ref}/ has it)")
        their_rows = {r.id for r in reference.card.rows}
        if isinstance(rows_node, YamlList):
            for item in rows_node:
                if isinstance(item, YamlMap) and item.get("id") not in their_rows | {None, ""}:
                    reader.fail(item.at("id"), f"unknown card row '{item['id']}' ({ref}/ has none)")
    if conversation is None or places.questions is None:
        return
    _compare_answers(
        reader,
        [(a.id, (a.action,)) for a in reference.safety.answers],
        [(a.id, (a.action,)) for a in conversation.safety.answers],
        docs["conversation.yaml"][0],
        "safety",
    )
    ref_questions = {q.id: q for q in reference.questions}
    my_ids = [q.id for q in conversation.questions]
    for q in reference.questions:
        if q.id not in my_ids:
            reader.fail(places.questions, f"missing question '{q.id}' ({ref}/ has it)")
    for index, question in enumerate(conversation.questions):
        where = places.question.get(index, places.questions)
        if question.id not in ref_questions:
            reader.fail(where, f"unknown question '{question.id}' ({ref}/ has none)")
            continue
        theirs = ref_questions[question.id]
        mine_answers = {a.id: a for a in question.answers}
        answers_where = places.answers.get(index, where)
        for answer in theirs.answers:
            if answer.id not in mine_answers:
                reader.fail(answers_where, f"missing answer '{answer.id}' ({ref}/ has it)")
        their_answers = {a.id: a for a in theirs.answers}
        for a_index, answer in enumerate(question.answers):
            a_where = places.answer.get((index, a_index), answers_where)
            other = their_answers.get(answer.id)
            if other is None:
                reader.fail(a_where, f"unknown answer '{answer.id}' ({ref}/ has none)")
            elif _score(answer) != _score(other):
                reader.fail(
                    a_where,
                    f"answer '{answer.id}' scores differently from {ref}/; "
                    "lean, weight and rules_out must match",
                )
        if [a.id for a in question.answers if a.id in their_answers] != [
            a.id for a in theirs.answers if a.id in mine_answers
        ]:
            reader.fail(answers_where, f"answers must be in the same order as in {ref}/")
    common = [q for q in my_ids if q in ref_questions]
    if common != [q.id for q in reference.questions if q.id in my_ids]:
        reader.fail(places.questions, f"questions must be in the same order as in {ref}/")
    if conversation.margin != reference.margin:
        node = docs["conversation.yaml"][0]
        scoring = node.get("scoring") if isinstance(node, YamlMap) else None
        where = scoring.at("margin") if isinstance(scoring, YamlMap) else places.questions
        reader.fail(where, f"'margin' must match {ref}/ ({reference.margin})")
    for outcome_id, outcome in conversation.outcomes.items():
        other_outcome = reference.outcomes.get(outcome_id)
        if other_outcome is not None and outcome.instead != other_outcome.instead:
            reader.fail(
                places.outcome[outcome_id],
                f"outcome '{outcome_id}' must have the same 'instead' as in {ref}/",
            )


def _score(answer: Answer) -> tuple[str, int, tuple[str, ...]]:
    return answer.lean, answer.weight, tuple(sorted(answer.rules_out))


def _compare_answers(
    reader: Reader,
    theirs: list[tuple[str, tuple[str, ...]]],
    mine: list[tuple[str, tuple[str, ...]]],
    doc: Any,
    key: str,
) -> None:
    """The safety question's answers: same ids, same actions, same order."""
    node = doc.get(key) if isinstance(doc, YamlMap) else None
    if not isinstance(node, YamlMap):
        return
    answers = node.get("answers")
    where = node.at("answers")
    if theirs == mine or not isinstance(answers, YamlList):
        return
    my_ids = [m[0] for m in mine]
    their_ids = [t[0] for t in theirs]
    for ident, _ in theirs:
        if ident not in my_ids:
            reader.fail(where, f"missing answer '{ident}' ({REFERENCE_LOCALE}/ has it)")
    items = [i for i in answers if isinstance(i, YamlMap)]
    for (ident, action), item in zip(mine, items, strict=False):
        if ident not in their_ids:
            reader.fail(item.where, f"unknown answer '{ident}' ({REFERENCE_LOCALE}/ has none)")
        elif (ident, action) not in theirs:
            reader.fail(
                item.where, f"answer '{ident}' must have the same action as in {REFERENCE_LOCALE}/"
            )
    if [i for i in my_ids if i in their_ids] != [i for i in their_ids if i in my_ids]:
        reader.fail(where, f"answers must be in the same order as in {REFERENCE_LOCALE}/")

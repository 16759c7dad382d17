"""Load content/<locale>/*.yaml into the frozen model, reporting every problem as file:line:col."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar, cast

from bot.errors import ContentError, Problem
from bot.located_yaml import Where, YamlList, YamlMap, load_yaml
from bot.model import (
    LEANS,
    OUTCOMES,
    SAFETY_ACTIONS,
    Answer,
    Card,
    CardRow,
    Content,
    Helpline,
    Helplines,
    Messages,
    Outcome,
    OutcomeId,
    Question,
    Region,
    SafetyAction,
    SafetyAnswer,
    SafetyQuestion,
)

FILES = ("card.yaml", "conversation.yaml", "messages.yaml", "helplines.yaml")

# The tightest limit of the platforms the bot speaks on (Slack, Discord), per kind of text.
BUTTON_LIMIT = 75  # Slack button text 75, Discord label 80
HEADER_LIMIT = 150  # Slack header block
SECTION_LIMIT = 3000  # Slack section text
FIELD_LIMIT = 1024  # Discord embed field value
EMBED_LIMIT = 6000  # Discord, all embeds of one message
MAX_ANSWERS = 10  # one digit per answer in the conversation token
MAX_QUESTIONS = 14  # the token carries at most 15 answers, the safety answer included

# Messages whose text becomes a button label.
BUTTON_MESSAGES = (
    "buttons.back",
    "buttons.start_over",
    "buttons.get_help",
    "buttons.continue",
    "buttons.start",
    "buttons.see_card",
    "buttons.take_privately",
    "buttons.back_to_conversation",
)
HEADER_MESSAGES = ("result.heading", "help.title")
# Every message the engine and adapters use; a content folder must define them all.
REQUIRED_MESSAGES = (
    "progress",
    *BUTTON_MESSAGES,
    "result.heading",
    "result.why_heading",
    "result.reason_coaching",
    "result.reason_therapy",
    "result.reason_both",
    "result.next_steps_heading",
    "result.not_assessment",
    "next_steps.eap",
    "next_steps.eap_unset",
    "next_steps.coaching",
    "next_steps.coaching_unset",
    "help.title",
    "help.intro",
    "help.emergency",
    "help.line",
    "help.elsewhere",
    "help.eap",
    "help.eap_unset",
    "help.trusted",
    "help.last_checked",
    "help.closing",
    "help.closing_continue",
    "refusals.expired",
    "refusals.foreign",
    "refusals.stale",
    "refusals.content_changed",
    "refusals.tampered",
    "usage",
    "notices.card_not_here",
    "notices.reply_failed",
)

T = TypeVar("T")


class _Reader:
    """Reads located YAML values, collecting problems instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, where: Where, message: str) -> None:
        self.problems.append(where.problem(message))

    def mapping(self, value: Any, where: Where, what: str) -> YamlMap | None:
        if isinstance(value, YamlMap):
            return value
        self.fail(where, f"{what} must be a mapping of keys to values")
        return None

    def keys(self, node: YamlMap, required: Iterable[str], optional: Iterable[str] = ()) -> None:
        required = tuple(required)
        allowed = set(required) | set(optional)
        for key in node:
            if key not in allowed:
                self.fail(node.key_where[key], f"unknown key '{key}'")
        for key in required:
            if key not in node:
                self.fail(node.where, f"missing key '{key}'")

    def text(self, node: YamlMap, key: str, limit: int | None = None, what: str = "") -> str:
        if key not in node:
            return ""
        value = node[key]
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.fail(node.at(key), f"'{key}' must be non-empty text")
            return ""
        value = value.strip()
        if limit is not None and len(value) > limit:
            self.fail(
                node.at(key),
                f"'{key}' is {len(value)} characters; {what or 'this text'} allows at most {limit}",
            )
        return value

    def items(self, node: YamlMap, key: str, what: str) -> list[tuple[Any, Where]]:
        if key not in node:
            return []
        value = node[key]
        if not isinstance(value, YamlList) or not value:
            self.fail(node.at(key), f"'{key}' must be a non-empty list of {what}")
            return []
        return list(zip(value, value.item_where, strict=True))

    def unique_ids(self, entries: Iterable[tuple[str, Where]], what: str) -> None:
        seen: set[str] = set()
        for ident, where in entries:
            if ident in seen:
                self.fail(where, f"duplicate {what} id '{ident}'")
            seen.add(ident)


def _id(reader: _Reader, node: YamlMap) -> str:
    value = node.get("id")
    if isinstance(value, bool):
        reader.fail(node.at("id"), "'id' must be quoted text (yes/no/true/false read as booleans)")
        return ""
    return reader.text(node, "id")


def _card(reader: _Reader, doc: Any, where: Where) -> Card | None:
    node = reader.mapping(doc, where, "card.yaml")
    if node is None:
        return None
    scalar_keys = (
        "title",
        "intro",
        "coaching_heading",
        "therapy_heading",
        "similarities_title",
        "tendency_note",
        "attribution",
        "disclaimer",
    )
    reader.keys(node, (*scalar_keys, "rows", "similarities"))
    rows: list[CardRow] = []
    ids: list[tuple[str, Where]] = []
    for item, at in reader.items(node, "rows", "rows"):
        row = reader.mapping(item, at, "a card row")
        if row is None:
            continue
        reader.keys(row, ("id", "topic", "coaching", "therapy"))
        row_id = _id(reader, row)
        ids.append((row_id, row.at("id")))
        card_row = CardRow(
            id=row_id,
            topic=reader.text(row, "topic", 256, "a card topic"),
            coaching=reader.text(row, "coaching", SECTION_LIMIT),
            therapy=reader.text(row, "therapy", SECTION_LIMIT),
        )
        field_length = len(card_row.coaching) + len(card_row.therapy) + 24
        if field_length > FIELD_LIMIT:
            reader.fail(at, f"row is {field_length} characters as one field; at most {FIELD_LIMIT}")
        rows.append(card_row)
    reader.unique_ids(ids, "row")
    similarities: list[str] = []
    for item, at in reader.items(node, "similarities", "sentences"):
        if not isinstance(item, str) or not item.strip():
            reader.fail(at, "each similarity must be non-empty text")
        else:
            similarities.append(item.strip())
    values = {key: reader.text(node, key, SECTION_LIMIT) for key in scalar_keys}
    for key in ("title", "similarities_title", "coaching_heading", "therapy_heading"):
        if len(values[key]) > HEADER_LIMIT:
            reader.fail(node.at(key), f"'{key}' is a header and allows at most {HEADER_LIMIT}")
    card = Card(rows=tuple(rows), similarities=tuple(similarities), **values)
    total = _card_length(card)
    if total > EMBED_LIMIT:
        reader.fail(node.where, f"the card is {total} characters; one message allows {EMBED_LIMIT}")
    return card


def _card_length(card: Card) -> int:
    """Characters the card takes as one Discord message of embeds."""
    rows = sum(
        len(r.topic)
        + len(r.coaching)
        + len(r.therapy)
        + len(card.coaching_heading)
        + len(card.therapy_heading)
        + 6
        for r in card.rows
    )
    rest = (
        card.title,
        card.intro,
        card.similarities_title,
        *card.similarities,
        card.tendency_note,
        card.attribution,
        card.disclaimer,
    )
    return rows + sum(len(t) + 3 for t in rest)


def _messages(reader: _Reader, doc: Any, where: Where) -> Messages | None:
    node = reader.mapping(doc, where, "messages.yaml")
    if node is None:
        return None
    texts: dict[str, str] = {}
    places: dict[str, Where] = {}

    def walk(branch: YamlMap, prefix: str) -> None:
        for key, value in branch.items():
            path = f"{prefix}{key}"
            if isinstance(value, YamlMap):
                walk(value, path + ".")
            else:
                texts[path] = reader.text(branch, key)
                places[path] = branch.at(key)

    walk(node, "")
    for key in REQUIRED_MESSAGES:
        if key not in texts:
            reader.fail(node.where, f"missing message '{key}'")
    for key in BUTTON_MESSAGES:
        if len(texts.get(key, "")) > BUTTON_LIMIT:
            reader.fail(
                places[key], f"'{key}' is a button label; at most {BUTTON_LIMIT} characters"
            )
    for key in HEADER_MESSAGES:
        if len(texts.get(key, "")) > HEADER_LIMIT:
            reader.fail(places[key], f"'{key}' is a header; at most {HEADER_LIMIT} characters")
    for key, text in texts.items():
        if len(text) > SECTION_LIMIT:
            reader.fail(places[key], f"'{key}' is {len(text)} characters; at most {SECTION_LIMIT}")
    return Messages(texts)


def _helplines(reader: _Reader, doc: Any, where: Where) -> Helplines | None:
    node = reader.mapping(doc, where, "helplines.yaml")
    if node is None:
        return None
    reader.keys(node, ("last_checked", "elsewhere", "regions"))
    regions: dict[str, Region] = {}
    region_map = reader.mapping(node.get("regions"), node.at("regions"), "'regions'")
    for code, value in (region_map or {}).items():
        assert region_map is not None
        at = region_map.at(code)
        if not (len(code) == 2 and code.isalpha() and code.isupper()):
            reader.fail(region_map.key_where[code], f"region '{code}' must be a two-letter code")
        region = reader.mapping(value, at, f"region '{code}'")
        if region is None:
            continue
        reader.keys(region, ("name", "emergency", "lines"))
        lines: list[Helpline] = []
        for item, line_at in reader.items(region, "lines", "helplines"):
            line = reader.mapping(item, line_at, "a helpline")
            if line is None:
                continue
            reader.keys(line, ("name", "contact"), ("hours",))
            lines.append(
                Helpline(
                    name=reader.text(line, "name"),
                    contact=reader.text(line, "contact"),
                    hours=reader.text(line, "hours") or None,
                )
            )
        regions[code] = Region(
            code=code,
            name=reader.text(region, "name"),
            emergency=reader.text(region, "emergency"),
            lines=tuple(lines),
        )
    return Helplines(
        last_checked=reader.text(node, "last_checked"),
        regions=regions,
        elsewhere=reader.text(node, "elsewhere"),
    )


def _answer(reader: _Reader, node: YamlMap, row_ids: set[str]) -> Answer:
    reader.keys(node, ("id", "label"), ("lean", "weight", "rows", "rules_out", "note"))
    lean = node.get("lean", "neither")
    if lean not in LEANS:
        reader.fail(node.at("lean"), f"'lean' must be one of {', '.join(LEANS)}, not '{lean}'")
        lean = "neither"
    weight = node.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 9:
        reader.fail(node.at("weight"), "'weight' must be a whole number from 1 to 9")
        weight = 1
    rows = _id_list(reader, node, "rows", lambda r: r in row_ids, "card row")
    rules_out = _id_list(reader, node, "rules_out", lambda o: o in OUTCOMES, "outcome")
    return Answer(
        id=_id(reader, node),
        label=reader.text(node, "label", BUTTON_LIMIT, "a button label"),
        lean=lean,
        weight=weight,
        rows=rows,
        rules_out=cast(tuple[OutcomeId, ...], rules_out),
        note=reader.text(node, "note", SECTION_LIMIT) or None,
    )


def _id_list(
    reader: _Reader, node: YamlMap, key: str, exists: Callable[[str], bool], what: str
) -> tuple[str, ...]:
    if key not in node:
        return ()
    value = node[key]
    if not isinstance(value, YamlList):
        reader.fail(node.at(key), f"'{key}' must be a list of {what} ids")
        return ()
    found = []
    for item, at in zip(value, value.item_where, strict=True):
        if not isinstance(item, str) or not exists(item):
            reader.fail(at, f"'{item}' is not a known {what}")
        else:
            found.append(item)
    return tuple(found)


def _conversation(
    reader: _Reader, doc: Any, where: Where, card: Card | None
) -> tuple[str, SafetyQuestion, tuple[Question, ...], int, dict[OutcomeId, Outcome]] | None:
    node = reader.mapping(doc, where, "conversation.yaml")
    if node is None:
        return None
    reader.keys(node, ("intro", "safety", "questions", "scoring", "outcomes"))
    row_ids = {r.id for r in card.rows} if card else set()

    safety_node = reader.mapping(node.get("safety"), node.at("safety"), "'safety'")
    safety_answers: list[SafetyAnswer] = []
    safety = SafetyQuestion("safety", "", ())
    if safety_node is not None:
        reader.keys(safety_node, ("id", "text", "answers"))
        for item, at in reader.items(safety_node, "answers", "answers"):
            answer = reader.mapping(item, at, "an answer")
            if answer is None:
                continue
            reader.keys(answer, ("id", "label", "action"))
            action: SafetyAction = answer.get("action", "continue")
            if action not in SAFETY_ACTIONS:
                reader.fail(
                    answer.at("action"), f"'action' must be one of {', '.join(SAFETY_ACTIONS)}"
                )
                action = "continue"
            safety_answers.append(
                SafetyAnswer(
                    _id(reader, answer), reader.text(answer, "label", BUTTON_LIMIT), action
                )
            )
        actions = {a.action for a in safety_answers}
        for needed in ("help", "continue"):
            if safety_answers and needed not in actions:
                reader.fail(
                    safety_node.at("answers"), f"the safety question needs a '{needed}' answer"
                )
        safety = SafetyQuestion(
            _id(reader, safety_node),
            reader.text(safety_node, "text", SECTION_LIMIT),
            tuple(safety_answers),
        )

    questions: list[Question] = []
    question_ids: list[tuple[str, Where]] = (
        [(safety.id, safety_node.at("id"))] if safety_node else []
    )
    entries = reader.items(node, "questions", "questions")
    if len(entries) > MAX_QUESTIONS:
        reader.fail(node.at("questions"), f"at most {MAX_QUESTIONS} questions fit in a button")
    for item, at in entries:
        q = reader.mapping(item, at, "a question")
        if q is None:
            continue
        reader.keys(q, ("id", "text", "answers"))
        answer_nodes = reader.items(q, "answers", "answers")
        if not 2 <= len(answer_nodes) <= MAX_ANSWERS:
            reader.fail(q.at("answers"), f"a question needs 2 to {MAX_ANSWERS} answers")
        answers = []
        for a_item, a_at in answer_nodes:
            a_node = reader.mapping(a_item, a_at, "an answer")
            if a_node is not None:
                answers.append(_answer(reader, a_node, row_ids))
        reader.unique_ids(
            ((a.id, a_at) for a, (_, a_at) in zip(answers, answer_nodes, strict=False)), "answer"
        )
        question = Question(_id(reader, q), reader.text(q, "text", SECTION_LIMIT), tuple(answers))
        question_ids.append((question.id, q.at("id")))
        questions.append(question)
    reader.unique_ids(question_ids, "question")

    margin = 1
    scoring = reader.mapping(node.get("scoring"), node.at("scoring"), "'scoring'")
    if scoring is not None:
        reader.keys(scoring, ("margin",))
        margin = scoring.get("margin", 1)
        if isinstance(margin, bool) or not isinstance(margin, int) or margin < 1:
            reader.fail(scoring.at("margin"), "'margin' must be a whole number of at least 1")
            margin = 1

    outcomes: dict[OutcomeId, Outcome] = {}
    outcome_map = reader.mapping(node.get("outcomes"), node.at("outcomes"), "'outcomes'")
    if outcome_map is not None:
        for key in outcome_map:
            if key not in OUTCOMES:
                reader.fail(outcome_map.key_where[key], f"unknown outcome '{key}'")
        for outcome_id in OUTCOMES:
            if outcome_id not in outcome_map:
                reader.fail(outcome_map.where, f"missing outcome '{outcome_id}'")
                continue
            o = reader.mapping(outcome_map[outcome_id], outcome_map.at(outcome_id), "an outcome")
            if o is None:
                continue
            reader.keys(o, ("title", "summary", "next_steps"), ("instead",))
            instead = o.get("instead")
            if instead is not None and (instead not in OUTCOMES or instead == outcome_id):
                reader.fail(o.at("instead"), f"'{instead}' is not another known outcome")
                instead = None
            steps = _id_list(
                reader, o, "next_steps", lambda s: s in ("eap", "coaching"), "next step"
            )
            outcomes[outcome_id] = Outcome(
                id=outcome_id,
                title=reader.text(o, "title", HEADER_LIMIT, "a header"),
                summary=reader.text(o, "summary", SECTION_LIMIT),
                next_steps=steps,
                instead=instead,
            )
    intro = reader.text(node, "intro", SECTION_LIMIT)
    return intro, safety, tuple(questions), margin, outcomes


def fingerprint(safety: SafetyQuestion, questions: Iterable[Question], margin: int) -> str:
    """Six characters that change whenever answers would be scored differently.

    Wording is left out, so fixing a typo or adding a translation keeps open conversations valid.
    """
    shape = repr(
        (
            [(a.id, a.action) for a in safety.answers],
            [(q.id, [(a.id, a.lean, a.weight, a.rules_out) for a in q.answers]) for q in questions],
            margin,
        )
    )
    return base64.urlsafe_b64encode(hashlib.sha256(shape.encode()).digest()[:6]).decode()[:6]


def _label(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _read_all(folder: Path, root: Path, reader: _Reader) -> dict[str, tuple[Any, Where]]:
    docs: dict[str, tuple[Any, Where]] = {}
    for name in FILES:
        path = folder / name
        label = _label(root, path)
        try:
            docs[name] = (load_yaml(path, label), Where(label, 1, 1))
        except ContentError as exc:
            reader.problems.extend(exc.problems)
    return docs


def load_content(root: Path, locale: str = "en", helplines_file: Path | None = None) -> Content:
    """Load and check one locale folder under `root`; raise ContentError listing every problem."""
    reader = _Reader()
    folder = root / locale
    if not folder.is_dir():
        raise ContentError([Problem(_label(root, folder), 1, 1, "locale folder is missing")])
    docs = _read_all(folder, root, reader)
    card = _card(reader, *docs["card.yaml"]) if "card.yaml" in docs else None
    messages = _messages(reader, *docs["messages.yaml"]) if "messages.yaml" in docs else None
    conversation = (
        _conversation(reader, *docs["conversation.yaml"], card)
        if "conversation.yaml" in docs
        else None
    )
    helplines_doc = docs.get("helplines.yaml")
    helplines = _helplines(reader, *helplines_doc) if helplines_doc else None
    if helplines_file is not None and helplines is not None:
        label = str(helplines_file)
        try:
            override = _helplines(reader, load_yaml(helplines_file, label), Where(label, 1, 1))
        except ContentError as exc:
            reader.problems.extend(exc.problems)
            override = None
        if override is not None:
            helplines = Helplines(
                last_checked=override.last_checked,
                regions={**helplines.regions, **override.regions},
                elsewhere=override.elsewhere,
            )
    if reader.problems or not (card and messages and conversation and helplines):
        raise ContentError(reader.problems or [Problem(str(folder), 1, 1, "content is incomplete")])
    intro, safety, questions, margin, outcomes = conversation
    return Content(
        locale=locale,
        intro=intro,
        safety=safety,
        questions=questions,
        margin=margin,
        outcomes=outcomes,
        card=card,
        messages=messages,
        helplines=helplines,
        fingerprint=fingerprint(safety, questions, margin),
    )


def locales(root: Path) -> list[str]:
    """Locale folders under `root`, en first."""
    found = sorted(
        p.name for p in root.iterdir() if p.is_dir() and (p / "conversation.yaml").exists()
    )
    return sorted(found, key=lambda name: name != "en")

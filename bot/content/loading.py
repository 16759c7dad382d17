"""Load content/<locale>/*.yaml into the frozen model, reporting every problem as file:line:col.

Reading each file lives here; the rules every folder must follow are in bot.content.rules, the
platform limits in bot.content.limits, whole-message fits in bot.content.fit and the comparison
with the reference locale in bot.content.locale_match.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import os
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from bot.content.fit import check_help_message, check_messages_fit
from bot.content.keys import check_terminal_keys
from bot.content.limits import (
    NO_NEEDS,
    ContentNeeds,
    card_length,
    listed,
    row_field_length,
)
from bot.content.locale_match import compare_with_reference
from bot.content.located_yaml import Where, YamlList, YamlMap, load_yaml
from bot.content.reading import Conversation, Places, Reader, fill
from bot.content.rules import (
    BUTTON_MESSAGES,
    FILES,
    HEADER_MESSAGES,
    MAX_ANSWERS,
    MAX_QUESTIONS,
    PLACEHOLDERS,
    REFERENCE_LOCALE,
    REQUIRED_MESSAGES,
)
from bot.errors import ContentError, Problem
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
from bot.regions import is_country, region_code

ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
LONGEST_VALUE = 10
"""The longest value a short message is filled with: a locale folder's name or a region code."""


@dataclass(frozen=True)
class Located:
    """One locale's content and where its conversation parts are written."""

    content: Content
    places: Places


def _id(reader: Reader, node: YamlMap) -> str:
    value = node.get("id")
    if isinstance(value, bool):
        reader.fail(node.at("id"), "'id' must be quoted text (yes/no/true/false read as booleans)")
        return ""
    ident = reader.text(node, "id")
    if ident and not ID_PATTERN.fullmatch(ident):
        reader.fail(
            node.at("id"),
            f"id '{ident}' must start with a lower-case letter and use only a-z, 0-9 and _",
        )
    return ident


# The card


def _card(reader: Reader, doc: Any, where: Where) -> Card | None:
    node = reader.mapping(doc, where, "card.yaml")
    if node is None:
        return None
    line_keys = ("tendency_note", "attribution", "disclaimer")
    header_keys = ("title", "coaching_heading", "therapy_heading", "similarities_title")
    reader.keys(node, (*header_keys, "intro", *line_keys, "rows", "similarities"))
    values = {key: reader.text(node, key, "heading") for key in header_keys}
    values["intro"] = reader.text(node, "intro", "paragraph")
    values.update({key: reader.text(node, key, "line") for key in line_keys})

    entries = reader.items(node, "rows", "rows")
    most_rows = reader.limits.card_rows
    if most_rows is not None and len(entries) > most_rows:
        reader.fail(node.at("rows"), f"the card shows each row as a field; at most {most_rows}")
    rows: list[CardRow] = []
    ids: list[tuple[str, Where]] = []
    for item, at in entries:
        row = reader.mapping(item, at, "a card row")
        if row is None:
            continue
        reader.keys(row, ("id", "topic", "coaching", "therapy"))
        row_id = _id(reader, row)
        ids.append((row_id, row.at("id")))
        card_row = CardRow(
            id=row_id,
            topic=reader.text(row, "topic", "heading"),
            coaching=reader.text(row, "coaching", "field"),
            therapy=reader.text(row, "therapy", "field"),
        )
        reader.limit(
            at,
            "the row",
            row_field_length(card_row, values["coaching_heading"], values["therapy_heading"]),
            "field",
        )
        rows.append(card_row)
    reader.unique_ids(ids, "row")

    similarities: list[str] = []
    for item, at in reader.items(node, "similarities", "sentences"):
        if not isinstance(item, str) or not item.strip():
            reader.fail(at, "each similarity must be non-empty text")
        else:
            similarities.append(item.strip())
    if similarities:
        reader.limit(node.at("similarities"), "'similarities'", listed(similarities), "field")

    card = Card(rows=tuple(rows), similarities=tuple(similarities), **values)
    footer = len(card.tendency_note) + len(card.attribution) + len(card.disclaimer) + 2
    reader.limit(node.where, "the card's footer", footer, "footer")
    reader.limit(node.where, "the card", card_length(card), "card")
    return card


# Messages


def _messages(
    reader: Reader,
    doc: Any,
    where: Where,
    reference: Messages | None,
    places: dict[str, Where],
    needs: ContentNeeds,
) -> Messages | None:
    node = reader.mapping(doc, where, "messages.yaml")
    if node is None:
        return None
    texts: dict[str, str] = {}
    key_places: dict[str, Where] = {}

    def walk(branch: YamlMap, prefix: str) -> None:
        for key, value in branch.items():
            path = f"{prefix}{key}"
            if isinstance(value, YamlMap):
                walk(value, path + ".")
            else:
                texts[path] = reader.text(branch, key)
                places[path] = branch.at(key)
                key_places[path] = branch.key_where[key]

    walk(node, "")
    required = dict.fromkeys((*REQUIRED_MESSAGES, *needs.messages))
    placeholders = {**PLACEHOLDERS, **needs.placeholders}
    if reference is not None:
        required.update(dict.fromkeys(reference.texts))
        for key in texts:
            if key not in reference.texts:
                reader.fail(
                    key_places[key], f"unknown message '{key}' ({REFERENCE_LOCALE}/ has none)"
                )
    for key in required:
        if key not in texts:
            reader.fail(_nearest(node, key.split(".")), f"missing message '{key}'")
    for key, names in placeholders.items():
        if key in texts:
            _check_placeholders(reader, places[key], key, texts[key], names)
    for key in BUTTON_MESSAGES:
        if key in texts:
            reader.limit(places[key], f"'{key}'", texts[key], "button")
    for key, (limit, what) in needs.short.items():
        if key in texts:
            shown = _filled_at_longest(texts[key], placeholders.get(key, ()))
            reader.at_most(places[key], f"'{key}'", shown, limit, what)
    check_terminal_keys(reader, texts, places)
    for key in HEADER_MESSAGES:
        if key in texts and key not in placeholders:
            reader.limit(places[key], f"'{key}'", texts[key], "heading")
    if "progress" in texts:
        shown = fill(texts["progress"], number=MAX_QUESTIONS + 1, total=MAX_QUESTIONS + 1)
        reader.limit(places["progress"], "'progress'", shown, "heading")
    for key, text in texts.items():
        if key not in BUTTON_MESSAGES and key not in HEADER_MESSAGES and key not in needs.short:
            reader.limit(places[key], f"'{key}'", text, "paragraph")
    return Messages(texts)


def _filled_at_longest(text: str, names: tuple[str, ...]) -> str:
    """A short message with its values at their longest: a locale's name or a region's code."""
    return fill(text, **{name: "x" * LONGEST_VALUE for name in names})


def _nearest(node: YamlMap, path: list[str]) -> Where:
    """The position of the deepest mapping along `path` that exists."""
    for key in path[:-1]:
        child = node.get(key)
        if not isinstance(child, YamlMap):
            break
        node = child
    return node.where


def _check_placeholders(
    reader: Reader, where: Where, key: str, text: str, names: tuple[str, ...]
) -> None:
    try:
        used = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        reader.fail(where, f"'{key}' has a stray brace ({exc}); write {{{{ or }}}} for a brace")
        return
    allowed = ", ".join("{" + n + "}" for n in names)
    for name in sorted(used - set(names)):
        reader.fail(where, f"'{key}' cannot fill in {{{name}}}; it can use {allowed}")
    missing = [n for n in names if n not in used]
    if missing:
        reader.fail(where, f"'{key}' must include {', '.join('{' + n + '}' for n in missing)}")
    if used <= set(names):
        samples: dict[str, object] = {n: 1 if n in ("number", "total") else "x" for n in names}
        try:
            text.format(**samples)
        except (ValueError, TypeError) as exc:
            reader.fail(where, f"'{key}' cannot be filled in: {exc}")


# Helplines


def _helplines(reader: Reader, doc: Any, where: Where) -> tuple[Helplines, dict[str, Where]] | None:
    node = reader.mapping(doc, where, "helplines.yaml")
    if node is None:
        return None
    reader.keys(node, ("last_checked", "elsewhere", "regions"))
    last_checked = node.get("last_checked")
    if isinstance(last_checked, datetime.date):
        last_checked = last_checked.isoformat()
    elif "last_checked" in node:
        last_checked = reader.text(node, "last_checked")
        if last_checked and not _is_date(last_checked):
            reader.fail(node.at("last_checked"), "'last_checked' must be a date like 2026-01-31")
    elsewhere = reader.text(node, "elsewhere", "line")
    if elsewhere and not elsewhere.startswith(("https://", "http://")):
        reader.fail(node.at("elsewhere"), "'elsewhere' must be a web address starting https://")
    regions: dict[str, Region] = {}
    region_places: dict[str, Where] = {}
    region_map = (
        reader.mapping(node.get("regions"), node.at("regions"), "'regions'")
        if "regions" in node
        else None
    )
    for written, value in (region_map or {}).items():
        assert region_map is not None
        at = region_map.at(written)
        code = region_code(written) if written.isupper() else written
        if not (len(code) == 2 and code.isalpha() and code.isupper() and code.isascii()):
            reader.fail(
                region_map.key_where[written], f"region '{written}' must be a two-letter code"
            )
        elif not is_country(code):
            reader.fail(
                region_map.key_where[written],
                f"region '{written}' is not a country code; use the ISO 3166 code, like GB or US",
            )
        elif code in regions:
            reader.fail(
                region_map.key_where[written],
                f"region '{written}' is {code}, which is listed already; keep one of them",
            )
        region = reader.mapping(value, at, f"region '{written}'")
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
                    name=reader.text(line, "name", "line"),
                    contact=reader.text(line, "contact", "line"),
                    hours=reader.text(line, "hours", "line") or None,
                )
            )
        regions[code] = Region(
            code=code,
            name=reader.text(region, "name", "heading"),
            emergency=reader.text(region, "emergency", "line"),
            lines=tuple(lines),
        )
        region_places[code] = region_map.key_where[written]
    helplines = Helplines(
        last_checked=str(last_checked or ""), regions=regions, elsewhere=elsewhere
    )
    return helplines, region_places


def _is_date(text: str) -> bool:
    if not DATE_PATTERN.fullmatch(text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


# The conversation


def _answer(reader: Reader, node: YamlMap, row_ids: set[str] | None) -> Answer:
    reader.keys(node, ("id", "label"), ("lean", "weight", "rows", "rules_out", "note"))
    lean = node.get("lean", "neither")
    if lean not in LEANS:
        reader.fail(node.at("lean"), f"'lean' must be one of {', '.join(LEANS)}, not '{lean}'")
        lean = "neither"
    weight = node.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 9:
        reader.fail(node.at("weight"), "'weight' must be a whole number from 1 to 9")
        weight = 1
    rows = _id_list(reader, node, "rows", row_ids, "card row")
    rules_out = _id_list(reader, node, "rules_out", set(OUTCOMES), "outcome")
    return Answer(
        id=_id(reader, node),
        label=reader.text(node, "label", "button"),
        lean=lean,
        weight=weight,
        rows=rows,
        rules_out=cast(tuple[OutcomeId, ...], rules_out),
        note=reader.text(node, "note", "field") or None,
    )


def _id_list(
    reader: Reader, node: YamlMap, key: str, known: set[str] | None, what: str
) -> tuple[str, ...]:
    """The ids listed under `key`; `known` None means they cannot be checked (file broken)."""
    if key not in node:
        return ()
    value = node[key]
    if not isinstance(value, YamlList):
        reader.fail(node.at(key), f"'{key}' must be a list of {what} ids")
        return ()
    found: list[str] = []
    for item, at in zip(value, value.item_where, strict=True):
        if not isinstance(item, str) or (known is not None and item not in known):
            reader.fail(at, f"'{item}' is not a known {what}")
        elif item in found:
            reader.fail(at, f"'{item}' is listed twice")
        else:
            found.append(item)
    return tuple(found)


def _question_answers(reader: Reader, node: YamlMap) -> list[tuple[Any, Where]]:
    """A question's answer entries, reporting unknown keys and too few or too many answers."""
    reader.keys(node, ("id", "text", "answers"))
    entries = reader.items(node, "answers", "answers")
    if entries and not 2 <= len(entries) <= MAX_ANSWERS:
        reader.fail(node.at("answers"), f"a question needs 2 to {MAX_ANSWERS} answers")
    return entries


def _safety(reader: Reader, node: YamlMap) -> SafetyQuestion:
    entries = _question_answers(reader, node)
    answers: list[SafetyAnswer] = []
    ids: list[tuple[str, Where]] = []
    for item, at in entries:
        answer = reader.mapping(item, at, "an answer")
        if answer is None:
            continue
        reader.keys(answer, ("id", "label", "action"))
        action: SafetyAction = answer.get("action", "continue")
        if action not in SAFETY_ACTIONS:
            reader.fail(answer.at("action"), f"'action' must be one of {', '.join(SAFETY_ACTIONS)}")
            action = "continue"
        answer_id = _id(reader, answer)
        ids.append((answer_id, answer.at("id")))
        label = reader.text(answer, "label", "button")
        answers.append(SafetyAnswer(answer_id, label, action))
    reader.unique_ids(ids, "answer")
    actions = {a.action for a in answers}
    for needed in ("help", "continue"):
        if answers and needed not in actions:
            reader.fail(node.at("answers"), f"the safety question needs a '{needed}' answer")
    return SafetyQuestion(_id(reader, node), reader.text(node, "text", "paragraph"), tuple(answers))


def _conversation(
    reader: Reader, doc: Any, where: Where, card: Card | None, places: Places
) -> Conversation | None:
    node = reader.mapping(doc, where, "conversation.yaml")
    if node is None:
        return None
    reader.keys(node, ("intro", "safety", "questions", "scoring", "outcomes"))
    row_ids = {r.id for r in card.rows} if card else None

    safety = SafetyQuestion("", "", ())
    safety_node = (
        reader.mapping(node.get("safety"), node.at("safety"), "'safety'")
        if "safety" in node
        else None
    )
    if safety_node is not None:
        places.safety = safety_node.where
        safety = _safety(reader, safety_node)

    questions: list[Question] = []
    question_ids: list[tuple[str, Where]] = []
    if safety_node is not None:
        question_ids.append((safety.id, safety_node.at("id")))
    entries = reader.items(node, "questions", "questions")
    places.questions = node.at("questions")
    if len(entries) > MAX_QUESTIONS:
        reader.fail(node.at("questions"), f"at most {MAX_QUESTIONS} questions fit in a button")
    for item, at in entries:
        q = reader.mapping(item, at, "a question")
        if q is None:
            continue
        places.question[len(questions)] = q.where
        places.answers[len(questions)] = q.at("answers")
        answer_entries = _question_answers(reader, q)
        answers: list[Answer] = []
        answer_ids: list[tuple[str, Where]] = []
        for a_item, a_at in answer_entries:
            a_node = reader.mapping(a_item, a_at, "an answer")
            if a_node is None:
                continue
            key = (len(questions), len(answers))
            places.answer[key] = a_node.where
            places.rules_out[key] = a_node.at("rules_out")
            answer = _answer(reader, a_node, row_ids)
            answer_ids.append((answer.id, a_node.at("id")))
            answers.append(answer)
        reader.unique_ids(answer_ids, "answer")
        question = Question(_id(reader, q), reader.text(q, "text", "paragraph"), tuple(answers))
        question_ids.append((question.id, q.at("id")))
        questions.append(question)
    reader.unique_ids(question_ids, "question")

    margin = 1
    if "scoring" in node:
        scoring = reader.mapping(node.get("scoring"), node.at("scoring"), "'scoring'")
        if scoring is not None:
            reader.keys(scoring, ("margin",))
            margin = scoring.get("margin", 1)
            if isinstance(margin, bool) or not isinstance(margin, int) or margin < 1:
                reader.fail(scoring.at("margin"), "'margin' must be a whole number of at least 1")
                margin = 1

    outcomes: dict[OutcomeId, Outcome] = {}
    outcome_map = (
        reader.mapping(node.get("outcomes"), node.at("outcomes"), "'outcomes'")
        if "outcomes" in node
        else None
    )
    if outcome_map is not None:
        for name in outcome_map:
            if name not in OUTCOMES:
                reader.fail(outcome_map.key_where[name], f"unknown outcome '{name}'")
        for outcome_id in OUTCOMES:
            if outcome_id not in outcome_map:
                reader.fail(outcome_map.where, f"missing outcome '{outcome_id}'")
                continue
            places.outcome[outcome_id] = outcome_map.key_where[outcome_id]
            o = reader.mapping(outcome_map[outcome_id], outcome_map.at(outcome_id), "an outcome")
            if o is None:
                continue
            reader.keys(o, ("title", "summary", "next_steps"), ("instead",))
            instead = o.get("instead")
            if instead is not None and (instead not in OUTCOMES or instead == outcome_id):
                reader.fail(o.at("instead"), f"'{instead}' is not another known outcome")
                instead = None
            steps = _id_list(reader, o, "next_steps", {"eap", "coaching"}, "next step")
            outcomes[outcome_id] = Outcome(
                id=outcome_id,
                title=reader.text(o, "title", "heading"),
                summary=reader.text(o, "summary", "paragraph"),
                next_steps=steps,
                instead=instead,
            )
    intro = reader.text(node, "intro", "paragraph")
    return Conversation(intro, safety, tuple(questions), margin, outcomes)


# Loading


def fingerprint(
    safety: SafetyQuestion,
    questions: Iterable[Question],
    margin: int,
    outcomes: Mapping[OutcomeId, Outcome] | None = None,
) -> str:
    """Six characters that change whenever answers would be scored differently.

    Wording is left out, so fixing a typo or adding a translation keeps open conversations valid.
    """
    shape = repr(
        (
            [(a.id, a.action) for a in safety.answers],
            [(q.id, [(a.id, a.lean, a.weight, a.rules_out) for a in q.answers]) for q in questions],
            margin,
            sorted((o.id, o.instead or "") for o in (outcomes or {}).values()),
        )
    )
    return base64.urlsafe_b64encode(hashlib.sha256(shape.encode()).digest()[:6]).decode()[:6]


def file_label(path: Path) -> str:
    """How problems name a file: relative to the working folder when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


def _read_all(folder: Path, reader: Reader) -> dict[str, tuple[Any, Where]]:
    docs: dict[str, tuple[Any, Where]] = {}
    for name in FILES:
        path = folder / name
        label = file_label(path)
        try:
            docs[name] = (load_yaml(path, label), Where(label, 1, 1))
        except ContentError as exc:
            reader.problems.extend(exc.problems)
    return docs


def load_located(
    root: Path,
    locale: str = REFERENCE_LOCALE,
    helplines_file: Path | None = None,
    reference: Content | None = None,
    compare: bool = True,
    *,
    needs: ContentNeeds = NO_NEEDS,
) -> Located:
    """Load and check one locale folder under `root`, remembering where its parts are written.

    A locale other than the reference (en) is compared with `reference`, or with `root`/en when
    no reference is given (unless `compare` is False). `needs` is what the platforms
    served need of it: their sentences, and every text held to the tightest of their limits.
    Raises ContentError listing every problem.
    """
    reader = Reader(needs.limits)
    folder = root / locale
    if not folder.is_dir():
        raise ContentError([Problem(file_label(folder), 1, 1, "locale folder is missing")])
    if not compare or locale == REFERENCE_LOCALE:
        reference = None
    elif reference is None and (root / REFERENCE_LOCALE).is_dir():
        reference = load_content(root, REFERENCE_LOCALE, helplines_file, needs=needs)
    docs = _read_all(folder, reader)
    places = Places()
    card = _card(reader, *docs["card.yaml"]) if "card.yaml" in docs else None
    messages = (
        _messages(
            reader,
            *docs["messages.yaml"],
            reference.messages if reference else None,
            places.message,
            needs,
        )
        if "messages.yaml" in docs
        else None
    )
    conversation = (
        _conversation(reader, *docs["conversation.yaml"], card, places)
        if "conversation.yaml" in docs
        else None
    )
    helplines_doc = docs.get("helplines.yaml")
    loaded = _helplines(reader, *helplines_doc) if helplines_doc else None
    if helplines_file is not None and loaded is not None:
        label = file_label(helplines_file)
        try:
            override = _helplines(reader, load_yaml(helplines_file, label), Where(label, 1, 1))
        except ContentError as exc:
            reader.problems.extend(exc.problems)
            override = None
        if override is not None:
            helplines = Helplines(
                last_checked=override[0].last_checked,
                regions={**loaded[0].regions, **override[0].regions},
                elsewhere=override[0].elsewhere,
            )
            loaded = (helplines, {**loaded[1], **override[1]})
    helplines_ = loaded[0] if loaded else None
    if loaded is not None:
        places.region = loaded[1]
    card_doc = docs.get("card.yaml", (None, None))[0]
    places.card = card_doc.where if isinstance(card_doc, YamlMap) else None
    helplines_node = docs.get("helplines.yaml", (None, None))[0]
    places.helplines = helplines_node.where if isinstance(helplines_node, YamlMap) else None
    if messages is not None and loaded is not None:
        check_help_message(reader, messages, *loaded)
    if conversation is not None and card is not None and messages is not None:
        check_messages_fit(reader, conversation, card, messages, places)
    if reference is not None:
        compare_with_reference(reader, reference, docs, card, conversation, places)
    if reader.problems or not (card and messages and conversation and helplines_):
        raise ContentError(
            set(reader.problems) or [Problem(file_label(folder), 1, 1, "content is incomplete")]
        )
    content = Content(
        locale=locale,
        intro=conversation.intro,
        safety=conversation.safety,
        questions=conversation.questions,
        margin=conversation.margin,
        outcomes=conversation.outcomes,
        card=card,
        messages=messages,
        helplines=helplines_,
        fingerprint=fingerprint(
            conversation.safety, conversation.questions, conversation.margin, conversation.outcomes
        ),
    )
    return Located(content, places)


def load_content(
    root: Path,
    locale: str = REFERENCE_LOCALE,
    helplines_file: Path | None = None,
    reference: Content | None = None,
    *,
    needs: ContentNeeds = NO_NEEDS,
) -> Content:
    """Load and check one locale folder under `root`; raise ContentError listing every problem."""
    return load_located(root, locale, helplines_file, reference, needs=needs).content


def content_folders(path: Path) -> tuple[Path, list[str]]:
    """The content root and the locales to load for `path`: a folder of locale folders, or one
    locale folder (like content/en) inside such a root. No locales when it is neither."""
    path = Path(path)
    if any((path / name).exists() for name in FILES):
        return path.parent, [path.name]
    return path, locales(path) if path.is_dir() else []


def locales(root: Path) -> list[str]:
    """Locale folders under `root` (any folder holding a content file), en first."""
    found = sorted(
        p.name for p in root.iterdir() if p.is_dir() and any((p / name).exists() for name in FILES)
    )
    return sorted(found, key=lambda name: name != REFERENCE_LOCALE)

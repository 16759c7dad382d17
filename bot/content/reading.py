"""Reading located YAML into content: a reader that collects every problem, and where parts sit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.content.limits import DESCRIPTIONS, NO_LIMITS, TextKind, TextLimits
from bot.content.located_yaml import Where, YamlList, YamlMap
from bot.errors import Problem
from bot.model import Outcome, OutcomeId, Question, SafetyQuestion


@dataclass
class Places:
    """Where the parts of a locale's files sit, for problems found after loading."""

    safety: Where | None = None
    questions: Where | None = None
    question: dict[int, Where] = field(default_factory=dict)
    answers: dict[int, Where] = field(default_factory=dict)
    answer: dict[tuple[int, int], Where] = field(default_factory=dict)
    rules_out: dict[tuple[int, int], Where] = field(default_factory=dict)
    outcome: dict[str, Where] = field(default_factory=dict)
    card: Where | None = None
    message: dict[str, Where] = field(default_factory=dict)
    helplines: Where | None = None
    region: dict[str, Where] = field(default_factory=dict)


class Reader:
    """Reads located YAML values, collecting problems instead of stopping at the first."""

    def __init__(self, limits: TextLimits = NO_LIMITS) -> None:
        self.problems: list[Problem] = []
        self.limits = limits

    def fail(self, where: Where, message: str) -> None:
        """Record one problem at `where`."""
        self.problems.append(where.problem(message))

    def mapping(self, value: Any, where: Where, what: str) -> YamlMap | None:
        """`value` when it is a mapping; otherwise a problem and None."""
        if isinstance(value, YamlMap):
            return value
        self.fail(where, f"{what} must be a mapping of keys to values")
        return None

    def keys(self, node: YamlMap, required: Iterable[str], optional: Iterable[str] = ()) -> None:
        """Report unknown keys and missing required ones."""
        required = tuple(required)
        allowed = set(required) | set(optional)
        for key in node:
            if key not in allowed:
                self.fail(node.key_where[key], f"unknown key '{key}'")
        for key in required:
            if key not in node:
                self.fail(node.where, f"missing key '{key}'")

    def text(self, node: YamlMap, key: str, kind: TextKind | None = None) -> str:
        """The stripped text at `key` ('' when absent or wrong), held to its kind's limit."""
        if key not in node:
            return ""
        value = node[key]
        if isinstance(value, bool):
            self.fail(node.at(key), f"'{key}' reads as true/false; put the text in quotes")
            return ""
        if isinstance(value, int | float):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.fail(node.at(key), f"'{key}' must be non-empty text")
            return ""
        value = value.strip()
        if kind is not None:
            self.limit(node.at(key), f"'{key}'", value, kind)
        return value

    def limit(self, where: Where, name: str, text: str | int, kind: TextKind) -> None:
        """Report `text` (or a length) longer than its kind allows, naming what it is for."""
        limit = self.limits.of(kind)
        if limit is not None:
            self.at_most(where, name, text, limit, DESCRIPTIONS[kind])

    def at_most(self, where: Where, name: str, text: str | int, limit: int, what: str) -> None:
        """Report `text` (or a length) longer than `limit`, naming what the limit is for."""
        length = text if isinstance(text, int) else len(text)
        if length > limit:
            self.fail(where, f"{name} is {length} characters; {what} allows at most {limit}")

    def items(self, node: YamlMap, key: str, what: str) -> list[tuple[Any, Where]]:
        """The entries of the non-empty list at `key`, each with where it is written."""
        if key not in node:
            return []
        value = node[key]
        if not isinstance(value, YamlList) or not value:
            self.fail(node.at(key), f"'{key}' must be a non-empty list of {what}")
            return []
        return list(zip(value, value.item_where, strict=True))

    def unique_ids(self, entries: Iterable[tuple[str, Where]], what: str) -> None:
        """Report every id that appears more than once."""
        seen: set[str] = set()
        for ident, where in entries:
            if not ident:
                continue
            if ident in seen:
                self.fail(where, f"duplicate {what} id '{ident}'")
            seen.add(ident)


def fill(template: str, **values: object) -> str:
    """A message with its placeholders filled, or the raw text when it cannot be filled."""
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError, AttributeError):
        return template


@dataclass(frozen=True)
class Conversation:
    """What conversation.yaml holds, read and checked on its own."""

    intro: str
    safety: SafetyQuestion
    questions: tuple[Question, ...]
    margin: int
    outcomes: dict[OutcomeId, Outcome]

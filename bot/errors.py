"""The bot's small error tree."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class BotError(Exception):
    """Base of every error the bot raises on purpose."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a content file, at a position."""

    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class ContentError(BotError):
    """Content files that cannot be used; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


class SettingsError(BotError):
    """A missing or malformed setting; the message names it and the fix in one line."""


class StateError(BotError):
    """A conversation token that cannot be trusted."""

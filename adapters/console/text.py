"""Plain-text layout shared by the terminal chat and the printed card."""

from __future__ import annotations

import os
import re
import shutil
import textwrap
from dataclasses import dataclass
from typing import TextIO

MAX_WIDTH = 80


@dataclass(frozen=True)
class Style:
    """How to lay text out: line width, and whether light emphasis (bold) is allowed."""

    width: int = MAX_WIDTH
    emphasis: bool = False

    def strong(self, text: str) -> str:
        """Bold on a terminal; unchanged in plain output."""
        return f"\033[1m{text}\033[0m" if self.emphasis else text

    def paragraph(self, text: str, indent: str = "") -> str:
        """Text wrapped to the width, every line starting with `indent`."""
        return textwrap.fill(
            one_line(text),
            self.width,
            initial_indent=indent,
            subsequent_indent=indent,
            break_on_hyphens=False,
        )

    def hanging(self, first: str, text: str) -> str:
        """`first` then the text, continuation lines aligned under the text's first letter."""
        return textwrap.fill(
            one_line(text),
            self.width,
            initial_indent=first,
            subsequent_indent=" " * len(first),
            break_on_hyphens=False,
        )

    def item(self, marker: str, text: str, indent: str = "  ") -> str:
        """A list item: `marker` then the text, continuation lines aligned under the text."""
        return self.hanging(indent + marker + " ", text)


_SPACES = re.compile(r"[ \t\n\r\f\v]+")


def one_line(text: str) -> str:
    """The text on one line, runs of spaces made one; a no-break space (French sets one before
    ? and :) is kept, so a line never starts with the mark it holds back."""
    return _SPACES.sub(" ", text).strip(" ")


def style_for(out: TextIO) -> Style:
    """Plain 80 columns for pipes and files; bold and the terminal's width (up to 80) on a TTY."""
    if not is_tty(out):
        return Style()
    columns = shutil.get_terminal_size((MAX_WIDTH, 24)).columns
    emphasis = "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
    return Style(width=max(40, min(MAX_WIDTH, columns)), emphasis=emphasis)


def is_tty(stream: TextIO) -> bool:
    """Whether the stream is a terminal (False for closed or odd streams)."""
    try:
        return stream.isatty()
    except (ValueError, OSError):
        return False

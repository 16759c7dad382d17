"""No answer text and no answer id ever reaches a log line, at any log level."""

from __future__ import annotations

import io
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.console.chat import run_chat
from adapters.platforms import terminal_note
from adapters.runtime import build_runtime
from adapters.settings import load_settings
from bot.model import OUTCOMES, Content
from tests.test_chat import safety_number, typed_path

REPO = Path(__file__).resolve().parent.parent


def answer_words(content: Content) -> set[str]:
    """Every answer label and answer id in the content, safety question included."""
    words: set[str] = set()
    for answer in content.safety.answers:
        words |= {answer.id, answer.label}
    for question in content.questions:
        for answer in question.answers:
            words |= {answer.id, answer.label}
    return words


def leaks(text: str, words: set[str]) -> list[str]:
    """The answer words that occur in `text` as whole words (case-insensitive)."""
    return sorted(
        w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text, re.IGNORECASE)
    )


def conversations(content: Content) -> list[list[str]]:
    """Typed lines covering every path: each result, the card, help, back, start over."""
    paths = [[*typed_path(content, outcome), "c", "", "h", "", "r"] for outcome in OUTCOMES]
    paths.append([str(safety_number(content, "help")), "x", "r", "q"])
    paths.append([str(safety_number(content, "help_then_continue")), "", "1", "b", "2", "h", ""])
    return paths


def test_the_leak_check_finds_an_answer_in_a_line(content):
    words = answer_words(content)
    label = content.questions[0].answers[0].label
    assert label in leaks(f"chose {label}", words)
    assert leaks("terminal turn: Choose", words) == []


def test_no_answer_reaches_a_log_record_in_process(tmp_path, caplog):
    settings = load_settings(
        {"DATA_DIR": str(tmp_path), "DEFAULT_REGION": "GB", "LOG_LEVEL": "DEBUG"}, None
    )
    runtime = build_runtime(settings)
    content = runtime.book.content()
    words = answer_words(content)
    caplog.set_level(logging.DEBUG)
    for lines in conversations(content):
        out = io.StringIO()
        run_chat(runtime, io.StringIO("\n".join(lines) + "\n"), out, locale="en")
        assert content.outcomes["coaching"].title in out.getvalue() or "Question" in out.getvalue()
    messages = [record.getMessage() for record in caplog.records]
    assert any("terminal turn" in m for m in messages), "the chat's own log lines were not captured"
    for message in messages:
        assert leaks(message, words) == [], message


@pytest.mark.parametrize("command", [["chat"], []])
def test_no_answer_reaches_stderr_at_debug(tmp_path, content, command):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "DATA_DIR": str(tmp_path / "data"),
        "DEFAULT_REGION": "GB",
        "LOG_LEVEL": "DEBUG",
    }
    words = answer_words(content)
    for lines in conversations(content):
        done = subprocess.run(
            [sys.executable, "-m", "adapters.cli", *command],
            input="\n".join(lines) + "\n",
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        log_lines = [line for line in done.stderr.splitlines() if " DEBUG " in line]
        assert log_lines, "DEBUG logging was not switched on"
        for line in done.stderr.splitlines():
            if line == terminal_note():
                continue
            assert leaks(line, words) == [], line

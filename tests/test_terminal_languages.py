"""The terminal in the person's language, through the real command line: --locale, else the
locale LC_ALL, LC_MESSAGES or LANG sets, else DEFAULT_LOCALE."""

from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path

import pytest

from bot.content import load_content
from bot.model import OUTCOMES, Content
from tests.conftest import CONTENT_ROOT, words
from tests.test_chat import safety_number, typed_path
from tests.test_cli_e2e import run, typed

TRANSLATED = ("de", "fr", "es")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A clean environment in a language the content has none of (C), GB helplines."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "DATA_DIR": str(tmp_path / "data"),
        "DEFAULT_REGION": "GB",
    }


@functools.cache
def _content(locale: str) -> Content:
    return load_content(CONTENT_ROOT, locale)


def flat(text: str) -> str:
    """Output on one line, as a person reads it (a no-break space kept, as printed)."""
    return re.sub(r"[ \t\n\r\f\v]+", " ", text).strip(" ")


def quit_key(locale: str) -> str:
    return words(locale)["terminal.keys.quit"]


@pytest.mark.parametrize("locale", TRANSLATED)
@pytest.mark.parametrize("outcome", OUTCOMES)
def test_a_walk_through_reaches_each_result_with_locale(env, tmp_path, locale, outcome):
    content = _content(locale)
    lines = [*typed_path(content, outcome), quit_key(locale)]
    done = run(["chat", "--locale", locale], env, tmp_path, typed(*lines))
    assert done.returncode == 0, done.stderr
    out = flat(done.stdout)
    assert content.safety.text in out
    assert content.outcomes[outcome].title in out
    said = words(locale)
    assert f"[{quit_key(locale)}] {said['terminal.quit']}" in out
    assert out.endswith(said["terminal.goodbye"])


@pytest.mark.parametrize("locale", TRANSLATED)
def test_the_help_path_and_the_hints_are_in_the_language(env, tmp_path, locale):
    content = _content(locale)
    said = words(locale)
    yes = safety_number(content, "help")
    done = run(["chat", "--locale", locale], env, tmp_path, typed("?", str(yes), "?"))
    assert done.returncode == 0, done.stderr
    out = flat(done.stdout)
    assert said["help.intro"] in out
    assert said.format("help.emergency", number="999") in out
    keys = ", ".join([said["terminal.keys.get_help"], quit_key(locale)])
    last = len(content.safety.answers)
    assert said.format("terminal.hint_numbers", last=last, keys=keys) in out


@pytest.mark.parametrize("locale", TRANSLATED)
def test_the_typed_words_work_in_the_language(env, tmp_path, locale):
    said = words(locale)
    help_word = said["terminal.words.get_help"].split(",")[0]
    quit_word = said["terminal.words.quit"].split(",")[0]
    done = run(["chat", "--locale", locale], env, tmp_path, typed(help_word.upper(), quit_word))
    assert done.returncode == 0, done.stderr
    out = flat(done.stdout)
    assert said["help.intro"] in out
    assert out.endswith(said["terminal.goodbye"])


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"LANG": "de_DE.UTF-8"}, "de"),
        ({"LANG": "fr_CA.UTF-8"}, "fr"),
        ({"LANG": "es_MX"}, "es"),
        ({"LANG": "de_AT.UTF-8@euro"}, "de"),
        ({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "es_ES.UTF-8"}, "es"),
        ({"LANG": "de_DE.UTF-8", "LC_MESSAGES": "es_ES.UTF-8", "LC_ALL": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "ja_JP.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "POSIX"}, "en"),
        ({"LANG": ""}, "en"),
    ],
)
def test_without_the_flag_the_environment_chooses(env, tmp_path, variables, expected):
    done = run(["chat"], {**env, **variables}, tmp_path, typed(quit_key(expected)))
    assert done.returncode == 0, done.stderr
    assert _content(expected).safety.text in flat(done.stdout)


def test_an_unknown_environment_locale_falls_back_to_default_locale(env, tmp_path):
    done = run(["chat"], {**env, "LANG": "ja_JP.UTF-8", "DEFAULT_LOCALE": "es"}, tmp_path, "")
    assert _content("es").safety.text in flat(done.stdout)


def test_the_flag_wins_over_the_environment_and_takes_a_region_variant(env, tmp_path):
    done = run(["chat", "--locale", "fr-CA"], {**env, "LANG": "de_DE.UTF-8"}, tmp_path, "")
    assert _content("fr").safety.text in flat(done.stdout)


@pytest.mark.parametrize("command", ["chat", "card"])
def test_an_unknown_locale_is_one_line_naming_the_ones_there_are(env, tmp_path, command):
    done = run([command, "--locale", "xx"], env, tmp_path, "")
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert "'xx'" in line and "de, en, es, fr" in line


def test_post_card_with_an_unknown_locale_is_one_line(env, tmp_path):
    env = {**env, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    done = run(["post-card", "--slack-channel", "C0HR", "--locale", "xx"], env, tmp_path)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert "'xx'" in line and "de, en, es, fr" in line


@pytest.mark.parametrize("locale", TRANSLATED)
def test_the_card_prints_in_the_language(env, tmp_path, locale):
    card = _content(locale).card
    text = run(["card", "--locale", locale], env, tmp_path)
    assert text.returncode == 0, text.stderr
    assert card.title in text.stdout and card.rows[0].coaching in flat(text.stdout)
    markdown = run(["card", "--format", "markdown", "--locale", locale], env, tmp_path).stdout
    assert f"| {words(locale)['terminal.card_topic']} |" in markdown
    data = json.loads(run(["card", "--format", "json", "--locale", locale], env, tmp_path).stdout)
    assert data["title"] == card.title
    by_language = run(["card", "--format", "slack"], {**env, "LANG": f"{locale}.UTF-8"}, tmp_path)
    assert json.loads(by_language.stdout)["text"] == card.title


def test_the_piped_chat_in_german_never_shows_an_english_key(env, tmp_path):
    content = _content("de")
    lines = [*typed_path(content, "both"), "v", "w", "z", "q", "b"]
    done = run(["chat", "--locale", "de"], env, tmp_path, typed(*lines))
    out = done.stdout
    for english in ("[q] Quit", "Type ", "Enter is the same", "Goodbye"):
        assert english not in out
    assert words("de")["terminal.goodbye"] in out

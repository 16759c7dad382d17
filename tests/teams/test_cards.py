"""Every card the bot can send, in every language and at its longest, is an Adaptive Card Teams
can show (schema 1.5, known elements only, every button an Action.Execute with a verb and a
title) and its message fits Teams' 28 KB."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from adapters.teams.limits import MESSAGE_BYTES, limit_problems, message_problems, size_of
from adapters.teams.render import message, notice_card, render
from bot.content import load_content
from bot.content.coverage import check_coverage
from bot.content.longest import LONGEST_TOKEN, longest_messages
from bot.effects import Action, Refuse
from bot.events import Start
from tests.conftest import CONTENT_ROOT
from tests.teams.conftest import actions

LOCALES = ("en", "de", "fr", "es")
ELEMENTS = {
    "TextBlock",
    "ColumnSet",
    "Column",
    "Container",
    "ActionSet",
    "Input.ChoiceSet",
    "Input.Text",
}
TEXT_OPTIONS = {
    "weight": {"Default", "Lighter", "Bolder"},
    "size": {"Default", "Small", "Medium", "Large", "ExtraLarge"},
    "color": {"Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"},
}
ACTION_STYLES = {"default", "positive", "destructive"}


def assert_adaptive_card(card: dict[str, Any]) -> None:
    """The card has the shape Adaptive Cards 1.5 define, with only what Teams renders."""
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.5"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert isinstance(card["body"], list) and card["body"]
    json.dumps(card, allow_nan=False)

    def element(item: dict[str, Any]) -> None:
        kind = item["type"]
        assert kind in ELEMENTS, kind
        if kind == "TextBlock":
            assert isinstance(item["text"], str) and item["text"].strip()
            assert item.get("wrap") is True
            for option, allowed in TEXT_OPTIONS.items():
                assert item.get(option, "Default") in allowed
        elif kind == "ColumnSet":
            assert item["columns"] and all(c["type"] == "Column" for c in item["columns"])
            for column in item["columns"]:
                element(column)
        elif kind in ("Column", "Container"):
            for child in item["items"]:
                element(child)
        elif kind == "Input.ChoiceSet":
            assert item["id"] and item["label"].strip()
            assert item["choices"] and all(
                c["title"].strip() and isinstance(c["value"], str) for c in item["choices"]
            )
            assert item["value"] in {c["value"] for c in item["choices"]}
        elif kind == "Input.Text":
            assert item["id"] and item["label"].strip()
            assert isinstance(item["maxLength"], int)
            assert len(item.get("value", "")) <= item["maxLength"]
        elif kind == "ActionSet":
            assert item["actions"]
            for action in item["actions"]:
                assert action["type"] == "Action.Execute"
                assert action["title"].strip()
                assert action["verb"].startswith("cot:")
                assert isinstance(action["data"], dict)
                assert action.get("style", "default") in ACTION_STYLES

    for item in card["body"]:
        element(item)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_card_is_a_valid_adaptive_card_under_28_kb(locale):
    content = load_content(CONTENT_ROOT, locale)
    samples = longest_messages(content, check_coverage(content).examples)
    kinds = {sample.kind for sample in samples}
    assert {"safety", "question", "card"} <= kinds
    for sample in samples:
        card = render(sample.effect, LONGEST_TOKEN)
        assert_adaptive_card(card)
        assert size_of(message(card)) < MESSAGE_BYTES, (sample.kind, size_of(message(card)))
        assert limit_problems(sample.effect, LONGEST_TOKEN) == []
    for key in ("teams.usage", "teams.sent_privately", "teams.open_chat"):
        assert_adaptive_card(notice_card(content.messages[key]))


def test_a_card_too_heavy_for_teams_is_reported():
    content = load_content(CONTENT_ROOT, "en")
    huge = Refuse("tampered", "x" * 30_000, (Action(Start(), "Start"),))
    problems = limit_problems(huge, None)
    assert any("at most 28672" in problem for problem in problems)
    assert message_problems(message(render(huge, None))) == problems
    assert content


def test_buttons_carry_the_token_and_start_carries_none():
    content = load_content(CONTENT_ROOT, "en")
    sample = next(
        s for s in longest_messages(content, check_coverage(content).examples) if s.kind == "card"
    )
    card = render(sample.effect, "T" * 40)
    (take,) = actions(card)
    assert take["verb"] == "cot:s" and take["data"] == {}


def test_card_format_teams_prints_the_channel_card_as_a_message():
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "card", "--format", "teams", "--locale", "de"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    payload = json.loads(done.stdout)
    assert payload["type"] == "message"
    (attachment,) = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert_adaptive_card(attachment["content"])
    assert "Coaching" in done.stdout

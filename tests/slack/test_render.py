"""Block Kit rendering and payload parsing, as pure functions over every effect the engine makes."""

from __future__ import annotations

import itertools
import time

import pytest
from slack_sdk.models.blocks import Block

from adapters.slack.parse import parse_click, parse_command, parse_home_opened
from adapters.slack.render import (
    MAX_VIEW_BLOCKS,
    card_payload,
    escape,
    home_view,
    message_problems,
    render,
    text_message,
)
from bot.effects import REFUSAL_REASONS, Action, Ask, ShowCard, ShowResult
from bot.engine import Guide, refusal, step
from bot.events import Back, Choose, Continue, GetHelp, Start, StartOver
from bot.events import ShowCard as ShowCardEvent
from bot.state import State
from bot.turn import take_turn

NOW = 1_800_000_000.0
TOKEN = "1" + "A" * 32 + "201"


def every_effect(content):
    """Every kind of message the engine can produce for this content, with and without contacts."""
    guides = [
        Guide(content, None, None, None),
        Guide(content, "GB", "https://eap.example.com/" + "x" * 200, "coach@example.com"),
        *(Guide(content, code, "EAP: call 555 0100", None) for code in content.helplines.regions),
    ]
    effects = set()
    for guide in guides[:2]:
        effects.update(step(guide, None, Start(), NOW).effects)
        effects.update(step(guide, None, ShowCardEvent(), NOW).effects)
        effects.update(step(guide, None, GetHelp(), NOW).effects)
        for safety in range(len(content.safety.answers)):
            effects.update(step(guide, State(), Choose(safety), NOW).effects)
        answers = [(2,)]
        for _ in content.questions[:-1]:
            answers.append((*answers[-1], 0))
        for state in answers:
            for event in (Continue(), Back(), GetHelp(), ShowCardEvent(), StartOver()):
                effects.update(step(guide, State(state), event, NOW).effects)
        ranges = [range(len(q.answers)) for q in content.questions]
        for combo in itertools.product(*ranges):
            effects.update(step(guide, State((2, *combo)), Continue(), NOW).effects)
        effects.update(refusal(content, reason) for reason in REFUSAL_REASONS)
    for guide in guides[2:]:
        effects.update(step(guide, None, GetHelp(), NOW).effects)
        effects.update(step(guide, State((1,)), Continue(), NOW).effects)
        effects.update(step(guide, State(), Choose(0), NOW).effects)
    return effects


@pytest.fixture(scope="module")
def all_effects(content):
    return every_effect(content)


def test_every_effect_fits_slacks_limits(all_effects):
    kinds = {type(e).__name__ for e in all_effects}
    assert kinds == {"Ask", "ShowResult", "ShowCrisisHelp", "ShowCard", "Refuse"}
    assert sum(isinstance(e, ShowResult) for e in all_effects) > 100
    for effect in all_effects:
        message = render(effect, TOKEN)
        assert message_problems(message) == [], effect
        assert message["text"].strip()


def test_a_sample_of_every_kind_passes_slack_sdks_own_block_checks(all_effects):
    seen = set()
    for effect in sorted(all_effects, key=repr):
        if type(effect) in seen:
            continue
        seen.add(type(effect))
        blocks = render(effect, TOKEN)["blocks"]
        parsed = Block.parse_all(blocks)
        assert [b.to_dict() for b in parsed] == blocks


def test_home_view_and_notices_fit(content, guide):
    card = step(guide, None, ShowCardEvent(), NOW).effects[0]
    assert isinstance(card, ShowCard)
    view = home_view(
        content.intro, content.messages["usage"], Action(Start(), "Start", "primary"), card
    )
    assert message_problems(view, MAX_VIEW_BLOCKS) == []
    for key in ("usage", "notices.card_not_here", "notices.reply_failed"):
        assert message_problems(text_message(content.messages[key])) == []


def test_limit_checks_find_what_slack_would_refuse():
    too_long = {"type": "plain_text", "text": "x" * 76}
    message = {
        "text": "",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}},
            {"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]},
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "action_id": "cot:b", "text": too_long},
                    {
                        "type": "button",
                        "action_id": "cot:b",
                        "text": {"type": "plain_text", "text": "ok"},
                    },
                ],
            },
        ]
        + [{"type": "divider"}] * 48,
    }
    problems = " | ".join(message_problems(message))
    for expected in (
        "no text fallback",
        "51 blocks",
        "at most 150",
        "at most 2000",
        "at most 75",
        "used twice",
    ):
        assert expected in problems


def test_content_text_is_escaped_for_mrkdwn(content, keyring, who):
    guide = Guide(content, "GB", "<!channel> & <https://evil.example|click>", None)
    turn = take_turn(guide, keyring, who, GetHelp(), None, NOW)
    message = render(turn.effects[0], turn.token)
    text = str(message["blocks"])
    assert "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;" in text
    assert "<!channel>" not in text


def test_buttons_carry_the_event_code_and_token_but_start_carries_nothing():
    ask = Ask(
        "q",
        "Q & A?",
        2,
        9,
        "Question 2 of 9",
        answers=(Action(Choose(0), "One <1>"),),
        controls=(Action(Back(), "Back"), Action(GetHelp(), "Get help now", "danger")),
    )
    message = render(ask, TOKEN)
    answers, controls = [b for b in message["blocks"] if b["type"] == "actions"]
    first = answers["elements"][0]
    assert first == {
        "type": "button",
        "action_id": "cot:c0",
        "text": {"type": "plain_text", "text": "One <1>", "emoji": True},
        "value": TOKEN,
    }
    assert controls["elements"][1]["style"] == "danger"
    assert "*Q &amp; A?*" in str(message["blocks"])
    start = render(refusal_for_test(), TOKEN)
    assert "value" not in next(
        e
        for b in start["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "cot:s"
    )


def refusal_for_test():
    from bot.effects import Refuse

    return Refuse("stale", "That button is old.", (Action(Start(), "Start", "primary"),))


def test_card_payload_is_the_channel_card(content, guide, keyring, who):
    turn = take_turn(guide, keyring, who, ShowCardEvent(), None, time.time())
    payload = card_payload(turn.effects[0])
    assert payload["text"] == content.card.title
    rows = [b for b in payload["blocks"] if b.get("block_id", "").startswith("row-")]
    assert len(rows) == len(content.card.rows) == 17
    assert escape("a<b>&c") == "a&lt;b&gt;&amp;c"


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {"type": "block_actions"},
        {"type": "block_actions", "actions": "x", "user": {"id": "U1"}, "team": {"id": "T1"}},
        {
            "type": "block_actions",
            "actions": [{"action_id": "other"}],
            "user": {"id": "U1"},
            "team": {"id": "T1"},
        },
        {
            "type": "block_actions",
            "actions": [{"action_id": "cot:c1"}],
            "user": {"id": "u 1"},
            "team": {"id": "T1"},
        },
        {
            "type": "block_actions",
            "actions": [{"action_id": "cot:z"}],
            "user": {"id": "U1"},
            "team": {"id": "T1"},
        },
        {"type": "view_submission", "actions": [{"action_id": "cot:c1"}]},
    ],
)
def test_clicks_that_are_not_ours_parse_to_nothing(body):
    assert parse_click(body) is None


def test_a_click_parses_to_who_event_and_token():
    click = parse_click(
        {
            "type": "block_actions",
            "user": {"id": "U1", "team_id": "T1"},
            "team": {"id": "T1"},
            "actions": [{"action_id": "cot:c2", "value": TOKEN}],
            "container": {"type": "message", "is_ephemeral": True, "channel_id": "C1"},
            "response_url": "https://hooks.slack.com/actions/T1/1/x",
        }
    )
    assert click is not None
    assert (click.who.workspace, click.who.user, click.event, click.token) == (
        "T1",
        "U1",
        Choose(2),
        TOKEN,
    )
    assert click.in_ephemeral and not click.in_view and click.channel == "C1"


def test_a_mangled_value_is_passed_on_to_be_refused():
    body = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "team": {"id": "T1"},
        "actions": [{"action_id": "cot:b", "value": "<script>" * 40}],
    }
    click = parse_click(body)
    assert click is not None and click.token and len(click.token) <= 64


def test_commands_parse_their_word():
    base = {"user_id": "U1", "team_id": "T1", "channel_id": "C1"}
    assert parse_command({**base, "text": ""}).subcommand == "start"
    assert parse_command({**base, "text": "  CARD "}).subcommand == "card"
    assert parse_command({**base, "text": "settings region GB"}).rest == "region GB"
    assert parse_command({**base, "text": "nonsense"}).subcommand is None
    assert parse_command({**base}) is None
    assert parse_command({"text": ""}) is None
    assert (
        parse_home_opened(
            {"team_id": "T1", "event": {"type": "app_home_opened", "user": "U1", "tab": "messages"}}
        )
        is None
    )

"""take_turn as every adapter drives it: open the token, step, seal; refuse kindly, never raise."""

from __future__ import annotations

import logging
import re
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.effects import Ask, Effect, Refuse, ShowCard, ShowCrisisHelp, ShowResult
from bot.engine import Guide
from bot.events import (
    EVENT_CODE_PATTERN,
    Back,
    Choose,
    Continue,
    Event,
    GetHelp,
    Start,
    StartOver,
    event_code,
    parse_event_code,
)
from bot.events import ShowCard as ShowCardEvent
from bot.state import MAX_TOKEN_LENGTH, TOKEN_PATTERN, Keyring, Opened, Who, open_token, seal
from bot.turn import DEFAULT_TTL_SECONDS, Turn, take_turn

NOW = 1_800_000_000.0
TTL = 24 * 3600.0
ME = Who("slack", "T1", "U1")


def _safety(content, action: str) -> int:
    return next(i for i, a in enumerate(content.safety.answers) if a.action == action)


def _click(guide: Guide, keyring: Keyring, turn: Turn, event: Event, now: float = NOW) -> Turn:
    """Press a button of `turn` the way an adapter does: its event code and the turn's token."""
    parsed = parse_event_code(event_code(event))
    assert parsed == event
    return take_turn(guide, keyring, ME, parsed, turn.token, now, TTL)


def _only(turn: Turn) -> Effect:
    assert len(turn.effects) == 1
    return turn.effects[0]


def _start(guide: Guide, keyring: Keyring) -> Turn:
    return take_turn(guide, keyring, ME, Start(), None, NOW, TTL)


def _buttons(effect: Effect):
    return (*effect.answers, *effect.controls) if isinstance(effect, Ask) else effect.actions


# A whole walk-through


def test_a_walk_through_carries_its_answers_in_the_token_to_a_result(guide, keyring, content):
    turn = _start(guide, keyring)
    ask = _only(turn)
    assert isinstance(ask, Ask)
    assert ask.intro == content.intro
    assert turn.token is not None
    no = _safety(content, "continue")
    turn = _click(guide, keyring, turn, Choose(no))
    for number in range(2, content.total_questions + 1):
        ask = _only(turn)
        assert isinstance(ask, Ask)
        assert ask.number == number
        assert ask.text == content.questions[number - 2].text
        assert ask.intro is None
        turn = _click(guide, keyring, turn, Choose(1), NOW + number)
    result = _only(turn)
    assert isinstance(result, ShowResult)
    assert result.outcome == "therapy"
    opened = open_token(keyring, ME, turn.token, content.fingerprint, NOW + 60, TTL)
    assert isinstance(opened, Opened)
    assert opened.state.answers == (no, *([1] * len(content.questions)))


def test_back_then_a_different_answer_changes_the_walk_through(guide, keyring, content):
    no = _safety(content, "continue")
    turn = _click(guide, keyring, _start(guide, keyring), Choose(no))
    turn = _click(guide, keyring, turn, Choose(0))
    turn = _click(guide, keyring, turn, Back())
    ask = _only(turn)
    assert isinstance(ask, Ask) and ask.number == 2
    turn = _click(guide, keyring, turn, Choose(1))
    opened = open_token(keyring, ME, turn.token, content.fingerprint, NOW, TTL)
    assert isinstance(opened, Opened)
    assert opened.state.answers == (no, 1)


def test_a_button_from_an_earlier_message_continues_from_that_message(guide, keyring, content):
    """The state lives in the buttons, so an older message's buttons still make sense."""
    no = _safety(content, "continue")
    first = _click(guide, keyring, _start(guide, keyring), Choose(no))
    _click(guide, keyring, _click(guide, keyring, first, Choose(0)), Choose(0))
    again = _click(guide, keyring, first, Choose(2))
    ask = _only(again)
    assert isinstance(ask, Ask)
    assert ask.number == 3


def test_every_button_of_every_message_is_a_routable_code(guide, keyring, content):
    turn = _start(guide, keyring)
    for answer in (_safety(content, "continue"), 0, 1, 2):
        for button in _buttons(_only(turn)):
            assert re.fullmatch(EVENT_CODE_PATTERN, button.code)
            assert parse_event_code(button.code) == button.event
        assert re.fullmatch(TOKEN_PATTERN, turn.token)
        turn = _click(guide, keyring, turn, Choose(answer))


ALL_EVENTS = [Start(), Back(), StartOver(), GetHelp(), Continue(), ShowCardEvent()] + [
    Choose(i) for i in range(10)
]


def test_every_event_has_a_short_code_that_parses_back_to_it():
    codes = [event_code(event) for event in ALL_EVENTS]
    assert len(set(codes)) == len(codes)
    for event, code in zip(ALL_EVENTS, codes, strict=True):
        assert len(code) <= 2
        assert re.fullmatch(EVENT_CODE_PATTERN, code)
        assert parse_event_code(code) == event


@pytest.mark.parametrize("code", ["", "x", "c", "c10", "c-1", "C1", " s", "s ", "ss", "k0", "c٣"])
def test_a_code_that_means_nothing_parses_to_none(code):
    assert parse_event_code(code) is None
    assert re.fullmatch(EVENT_CODE_PATTERN, code) is None


# Safety through take_turn


def test_safety_yes_ends_with_help_and_no_way_to_answer_on(guide, keyring, content):
    turn = _click(guide, keyring, _start(guide, keyring), Choose(_safety(content, "help")))
    help_ = _only(turn)
    assert isinstance(help_, ShowCrisisHelp)
    assert help_.ends_conversation
    assert help_.emergency is not None and "999" in help_.emergency
    refused = _only(_click(guide, keyring, turn, Choose(2)))
    assert isinstance(refused, Refuse)
    assert refused.reason == "stale"


def test_safety_not_sure_shows_help_then_continue_asks_the_next_question(guide, keyring, content):
    turn = _click(
        guide, keyring, _start(guide, keyring), Choose(_safety(content, "help_then_continue"))
    )
    help_ = _only(turn)
    assert isinstance(help_, ShowCrisisHelp)
    assert not help_.ends_conversation
    assert Continue() in [a.event for a in help_.actions]
    ask = _only(_click(guide, keyring, turn, Continue()))
    assert isinstance(ask, Ask)
    assert ask.number == 2


# Refusals, each with its kind message


def _message(content, reason: str) -> str:
    return content.messages[f"refusals.{reason}"]


def test_someone_elses_click_is_refused_as_foreign(guide, keyring, content):
    turn = _start(guide, keyring)
    for other in (Who("slack", "T1", "U2"), Who("slack", "T2", "U1"), Who("discord", "T1", "U1")):
        refused = take_turn(guide, keyring, other, Choose(2), turn.token, NOW, TTL)
        assert refused.token is None
        effect = _only(refused)
        assert isinstance(effect, Refuse)
        assert effect.reason == "foreign"
        assert effect.message == _message(content, "foreign")


@pytest.mark.parametrize("event", [StartOver(), GetHelp(), Choose(2), Back(), ShowCardEvent()])
def test_every_turn_says_whether_the_token_it_came_with_was_someone_elses(guide, keyring, event):
    # adapters use this to leave a message where someone else's conversation lives untouched
    turn = take_turn(guide, keyring, ME, Choose(2), _start(guide, keyring).token, NOW, TTL)
    mine = take_turn(guide, keyring, ME, event, turn.token, NOW, TTL)
    assert mine.unusable is None
    theirs = take_turn(guide, keyring, Who("slack", "T1", "U2"), event, turn.token, NOW, TTL)
    assert theirs.unusable == "foreign"
    damaged = take_turn(guide, keyring, ME, event, turn.token[:-1] + "x", NOW, TTL)
    assert damaged.unusable == "tampered"
    assert take_turn(guide, keyring, ME, event, None, NOW, TTL).unusable is None


def test_a_click_after_the_ttl_is_refused_as_expired(guide, keyring, content):
    turn = _start(guide, keyring)
    still = take_turn(guide, keyring, ME, Choose(2), turn.token, NOW + TTL, TTL)
    assert isinstance(_only(still), Ask)
    late = _only(take_turn(guide, keyring, ME, Choose(2), turn.token, NOW + TTL + 1, TTL))
    assert isinstance(late, Refuse)
    assert late.reason == "expired"
    assert late.message == _message(content, "expired")


def test_the_default_ttl_is_a_day(guide, keyring):
    turn = _start(guide, keyring)
    assert DEFAULT_TTL_SECONDS == 24 * 3600
    day = NOW + DEFAULT_TTL_SECONDS
    assert isinstance(_only(take_turn(guide, keyring, ME, Choose(2), turn.token, day)), Ask)
    late = _only(take_turn(guide, keyring, ME, Choose(2), turn.token, day + 1))
    assert isinstance(late, Refuse) and late.reason == "expired"


def test_each_click_renews_the_issue_time(guide, keyring, content):
    turn = _start(guide, keyring)
    later = take_turn(guide, keyring, ME, Choose(2), turn.token, NOW + TTL - 10, TTL)
    nearly_two_days = NOW + 2 * TTL - 20
    assert isinstance(
        _only(take_turn(guide, keyring, ME, Choose(0), later.token, nearly_two_days, TTL)), Ask
    )


def test_a_click_after_the_questions_changed_is_refused_as_content_changed(guide, keyring, content):
    turn = _start(guide, keyring)
    changed = Guide(replace(content, fingerprint="zzzzzz"), "GB")
    refused = _only(take_turn(changed, keyring, ME, Choose(2), turn.token, NOW, TTL))
    assert isinstance(refused, Refuse)
    assert refused.reason == "content_changed"
    assert refused.message == _message(content, "content_changed")


def test_a_wording_change_keeps_open_walk_throughs_going(guide, keyring, content):
    turn = _start(guide, keyring)
    reworded = replace(content, intro="A new intro.", card=replace(content.card, title="New"))
    ask = _only(take_turn(Guide(reworded, "GB"), keyring, ME, Choose(2), turn.token, NOW, TTL))
    assert isinstance(ask, Ask)


def test_an_edited_token_is_refused_as_tampered(guide, keyring, content):
    token = _click(guide, keyring, _start(guide, keyring), Choose(2)).token
    edited = token[:-1] + ("1" if token[-1] != "1" else "0")
    refused = _only(take_turn(guide, keyring, ME, Choose(0), edited, NOW, TTL))
    assert isinstance(refused, Refuse)
    assert refused.reason == "tampered"
    assert refused.message == _message(content, "tampered")


@pytest.mark.parametrize("event", [Choose(0), Back(), Continue()])
def test_a_conversation_click_without_a_token_is_refused_as_stale(guide, keyring, content, event):
    refused = _only(take_turn(guide, keyring, ME, event, None, NOW, TTL))
    assert isinstance(refused, Refuse)
    assert refused.reason == "stale"
    assert refused.message == _message(content, "stale")


def test_a_refusal_offers_start_and_get_help_and_both_work_without_a_token(guide, keyring):
    refused = take_turn(
        guide, keyring, Who("slack", "T1", "U2"), Choose(0), _start(guide, keyring).token, NOW
    )
    effect = _only(refused)
    assert isinstance(effect, Refuse)
    assert [a.event for a in effect.actions] == [Start(), GetHelp()]
    assert isinstance(_only(_click(guide, keyring, refused, Start())), Ask)
    assert isinstance(_only(_click(guide, keyring, refused, GetHelp())), ShowCrisisHelp)


# Get help now is never refused


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(None, id="no token"),
        pytest.param("not a token", id="garbage"),
        pytest.param("1" + "A" * 32, id="tampered"),
    ],
)
def test_get_help_now_shows_help_even_without_a_usable_token(guide, keyring, token):
    turn = take_turn(guide, keyring, ME, GetHelp(), token, NOW, TTL)
    help_ = _only(turn)
    assert isinstance(help_, ShowCrisisHelp)
    assert help_.emergency is not None and "999" in help_.emergency
    assert any("116 123" in line for line in help_.lines)
    assert [a.event for a in help_.actions] == [Start()]
    assert turn.token is None


def test_get_help_now_on_an_expired_walk_through_still_shows_help(guide, keyring):
    old = _click(guide, keyring, _start(guide, keyring), Choose(2))
    help_ = _only(take_turn(guide, keyring, ME, GetHelp(), old.token, NOW + 3 * TTL, TTL))
    assert isinstance(help_, ShowCrisisHelp)
    assert [a.event for a in help_.actions] == [Start()]


def test_get_help_now_on_someone_elses_message_still_shows_help(guide, keyring):
    theirs = _start(guide, keyring).token
    help_ = _only(take_turn(guide, keyring, Who("discord", "G", "U9"), GetHelp(), theirs, NOW))
    assert isinstance(help_, ShowCrisisHelp)


def test_get_help_midway_then_continue_returns_to_the_same_question(guide, keyring, content):
    turn = _click(guide, keyring, _start(guide, keyring), Choose(_safety(content, "continue")))
    turn = _click(guide, keyring, turn, Choose(0))
    help_turn = _click(guide, keyring, turn, GetHelp())
    assert isinstance(_only(help_turn), ShowCrisisHelp)
    ask = _only(_click(guide, keyring, help_turn, Continue()))
    assert isinstance(ask, Ask)
    assert ask.number == 3


# The channel card


def test_the_channel_card_needs_no_token_and_offers_to_take_it_privately(guide, keyring, content):
    turn = take_turn(guide, keyring, ME, ShowCardEvent(), None, NOW)
    card = _only(turn)
    assert isinstance(card, ShowCard)
    assert card.for_channel
    assert turn.token is None
    assert [a.event for a in card.actions] == [Start()]
    assert card.actions[0].label == content.messages["buttons.take_privately"]
    ask = _only(_click(guide, keyring, turn, Start()))
    assert isinstance(ask, Ask) and ask.number == 1


def test_the_card_from_a_result_is_private_and_leads_back_to_the_result(guide, keyring, content):
    turn = _click(guide, keyring, _start(guide, keyring), Choose(_safety(content, "continue")))
    for _ in content.questions:
        turn = _click(guide, keyring, turn, Choose(0))
    assert isinstance(_only(turn), ShowResult)
    card_turn = _click(guide, keyring, turn, ShowCardEvent())
    card = _only(card_turn)
    assert isinstance(card, ShowCard)
    assert not card.for_channel
    assert isinstance(_only(_click(guide, keyring, card_turn, Continue())), ShowResult)


# Key rotation through take_turn


def test_rotating_keys_keeps_open_walk_throughs_until_the_old_key_is_dropped(guide, content):
    old, new = b"o" * 32, b"n" * 32
    before = take_turn(guide, Keyring(old), ME, Start(), None, NOW)
    rotating = Keyring(new, (old,))
    after = take_turn(guide, rotating, ME, Choose(2), before.token, NOW + 5)
    assert isinstance(_only(after), Ask)
    assert isinstance(
        _only(take_turn(guide, Keyring(new), ME, Choose(0), after.token, NOW + 6)), Ask
    )
    dropped = _only(take_turn(guide, Keyring(new), ME, Choose(2), before.token, NOW + 7))
    assert isinstance(dropped, Refuse)
    assert dropped.reason == "tampered"
    assert dropped.message == content.messages["refusals.tampered"]
    # dropped only after the buttons' lifetime, as the docs advise: they simply expired
    later = _only(take_turn(guide, Keyring(new), ME, Choose(2), before.token, NOW + 2 * TTL))
    assert isinstance(later, Refuse)
    assert later.reason == "expired"


# Size


def test_the_longest_walk_through_token_fits_a_discord_custom_id_with_a_prefix(
    guide, keyring, content
):
    turn = _click(guide, keyring, _start(guide, keyring), Choose(_safety(content, "continue")))
    for question in content.questions:
        turn = _click(guide, keyring, turn, Choose(len(question.answers) - 1))
    assert isinstance(_only(turn), ShowResult)
    assert len(turn.token) <= MAX_TOKEN_LENGTH
    assert len("cot:c9:" + turn.token) <= 100
    assert len(turn.token) + 12 <= 100


# Nothing about answers reaches a log


def test_a_walk_through_logs_nothing_about_the_answers(guide, keyring, content, caplog):
    caplog.set_level(logging.DEBUG)
    turn = _click(guide, keyring, _start(guide, keyring), Choose(_safety(content, "continue")))
    for question in content.questions:
        turn = _click(guide, keyring, turn, Choose(len(question.answers) - 1))
    words = caplog.text
    for question in content.questions:
        for answer in question.answers:
            assert answer.label not in words
            assert f"'{answer.id}'" not in words
    assert turn.token not in words


# Any sequence of clicks


events = st.one_of(
    st.builds(Choose, st.integers(-3, 12)),
    st.sampled_from([Back(), StartOver(), GetHelp(), Continue(), ShowCardEvent()]),
)


def _assert_round_trips(keyring: Keyring, content, token: str, now: float) -> None:
    opened = open_token(keyring, ME, token, content.fingerprint, now, TTL)
    assert isinstance(opened, Opened)
    assert seal(keyring, ME, opened.state, content.fingerprint, opened.issued) == token


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(clicks=st.lists(events, max_size=40), data=st.data())
def test_any_clicks_then_answering_ends_in_a_result_or_help_within_a_bound(
    guide, keyring, content, clicks, data
):
    now = NOW
    turn = _start(guide, keyring)
    token = turn.token
    for event in clicks:
        now += data.draw(st.integers(0, 600), label="seconds between clicks")
        turn = take_turn(guide, keyring, ME, event, token, now, TTL)
        assert turn.effects
        if turn.token is not None:
            assert len(turn.token) <= MAX_TOKEN_LENGTH
            _assert_round_trips(keyring, content, turn.token, now)
            token = turn.token
    # from wherever they are, carrying on and answering ends the walk-through
    turn = take_turn(guide, keyring, ME, Continue(), token, now, TTL)
    bound = content.total_questions + 1  # every question, plus Continue after "not sure"
    for _ in range(bound):
        effect = _only(turn)
        if isinstance(effect, ShowResult) or (
            isinstance(effect, ShowCrisisHelp) and effect.ends_conversation
        ):
            return
        if isinstance(effect, ShowCrisisHelp):
            event: Event = Continue()
        else:
            assert isinstance(effect, Ask), effect
            event = Choose(data.draw(st.integers(0, len(effect.answers) - 1), label="answer"))
        turn = take_turn(guide, keyring, ME, event, turn.token, now, TTL)
        _assert_round_trips(keyring, content, turn.token, now)
    effect = _only(turn)
    assert isinstance(effect, ShowResult) or (
        isinstance(effect, ShowCrisisHelp) and effect.ends_conversation
    ), effect


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(choices=st.lists(st.integers(-3, 12), max_size=30))
def test_only_real_answers_move_a_walk_through_and_it_ends_after_the_last_question(
    guide, keyring, content, choices
):
    turn = _start(guide, keyring)
    accepted = 0
    ended = False
    for index in choices:
        before = _only(turn)
        after = take_turn(guide, keyring, ME, Choose(index), turn.token, NOW, TTL)
        effect = _only(after)
        real = isinstance(before, Ask) and 0 <= index < len(before.answers)
        if ended or not real:
            assert isinstance(effect, Refuse) and effect.reason == "stale"
            continue
        accepted += 1
        assert accepted <= content.total_questions
        ended = isinstance(effect, ShowResult) or (
            isinstance(effect, ShowCrisisHelp) and effect.ends_conversation
        )
        if isinstance(effect, ShowCrisisHelp) and not ended:
            # "not sure": help first, then the next question is answered straight from its buttons
            after = take_turn(guide, keyring, ME, Continue(), after.token, NOW, TTL)
        turn = after


@given(token=st.text(max_size=80), event=events)
def test_any_token_text_gives_a_refusal_or_help_and_never_raises(guide, keyring, token, event):
    turn = take_turn(guide, keyring, ME, event, token, NOW, TTL)
    effect = _only(turn)
    if isinstance(event, GetHelp):
        assert isinstance(effect, ShowCrisisHelp)
    elif isinstance(event, StartOver):
        assert isinstance(effect, Ask) and effect.number == 1
    elif token:
        assert isinstance(effect, Refuse)
        assert turn.token is None

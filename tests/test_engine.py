"""The engine's rules: what a person sees after each event, in each kind of conversation state."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.effects import REFUSAL_REASONS, Ask, Effect, Refuse, ShowCard, ShowCrisisHelp, ShowResult
from bot.engine import (
    EMERGENCY_LOCAL,
    INTRO_WORKPLACE,
    REASON_OPEN,
    Guide,
    outcome_for,
    refusal,
    step,
)
from bot.events import Back, Choose, Continue, Event, GetHelp, Start, StartOver
from bot.events import ShowCard as ShowCardEvent
from bot.model import Content
from bot.state import State
from tests.helplines import ESTABLISHED

NOW = 1_800_000_000.0
EAP = "https://eap.example.com"
COACHING = "coaching@example.com"


# Reading the content, so wording edits do not break these tests


def _safety_index(content: Content, action: str) -> int:
    return next(i for i, a in enumerate(content.safety.answers) if a.action == action)


def _lean_index(content: Content, question: int, lean: str) -> int:
    answers = content.questions[question].answers
    return next(i for i, a in enumerate(answers) if a.lean == lean)


def _leaning(content: Content, lean: str) -> tuple[int, ...]:
    """Answers to every scored question leaning one way where possible, else 'neither'."""
    picks = []
    for q in range(len(content.questions)):
        leans = [a.lean for a in content.questions[q].answers]
        picks.append(_lean_index(content, q, lean if lean in leans else "neither"))
    return tuple(picks)


def _everyday(content: Content) -> tuple[int, int]:
    """(question index, answer index) of the answer that rules out coaching alone."""
    for q, question in enumerate(content.questions):
        for a, answer in enumerate(question.answers):
            if "coaching" in answer.rules_out:
                return q, a
    raise AssertionError("the content has no answer that rules out coaching")


def _only(result) -> Effect:
    assert len(result.effects) == 1
    return result.effects[0]


def _labels(actions) -> list[str]:
    return [a.label for a in actions]


def _events(actions) -> list[Event]:
    return [a.event for a in actions]


# The kinds of state a conversation can be in


@pytest.fixture
def no(content) -> int:
    return _safety_index(content, "continue")


@pytest.fixture
def states(content, no) -> dict[str, State | None]:
    yes = _safety_index(content, "help")
    unsure = _safety_index(content, "help_then_continue")
    scored = len(content.questions)
    return {
        "none": None,
        "safety": State(()),
        "midway": State((no, 0)),
        "last": State((no, *([0] * (scored - 1)))),
        "finished": State((no, *([0] * scored))),
        "ended by yes": State((yes,)),
        "after not sure": State((unsure,)),
    }


def _seen(effect: Effect) -> tuple[object, ...]:
    """A compact description of what a person sees, for the table."""
    match effect:
        case Ask():
            return ("ask", effect.number, "back" if effect.can_go_back else "-")
        case ShowResult():
            return ("result",)
        case ShowCrisisHelp():
            return ("help", "ends" if effect.ends_conversation else "continues")
        case ShowCard():
            return ("card", "channel" if effect.for_channel else "private")
        case Refuse():
            return ("refuse", effect.reason)
    raise AssertionError(effect)


# event, state kind -> what the person sees, and the state afterwards ("same": unchanged,
# "help seen": unchanged but for the mark that this walk-through has shown the help message)
TABLE: list[tuple[str, str, tuple[object, ...], str]] = [
    ("start", "none", ("ask", 1, "-"), "fresh"),
    ("start", "safety", ("ask", 1, "-"), "fresh"),
    ("start", "midway", ("ask", 1, "-"), "fresh"),
    ("start", "last", ("ask", 1, "-"), "fresh"),
    ("start", "finished", ("ask", 1, "-"), "fresh"),
    ("start", "ended by yes", ("ask", 1, "-"), "fresh"),
    ("start", "after not sure", ("ask", 1, "-"), "fresh"),
    ("start over", "none", ("ask", 1, "-"), "fresh"),
    ("start over", "safety", ("ask", 1, "-"), "fresh"),
    ("start over", "midway", ("ask", 1, "-"), "fresh"),
    ("start over", "last", ("ask", 1, "-"), "fresh"),
    ("start over", "finished", ("ask", 1, "-"), "fresh"),
    ("start over", "ended by yes", ("ask", 1, "-"), "fresh"),
    ("start over", "after not sure", ("ask", 1, "-"), "fresh"),
    ("choose", "none", ("refuse", "stale"), "none"),
    ("choose", "safety", ("ask", 2, "back"), "one more"),
    ("choose", "midway", ("ask", 4, "back"), "one more"),
    ("choose", "last", ("result",), "one more"),
    ("choose", "finished", ("refuse", "stale"), "same"),
    ("choose", "ended by yes", ("refuse", "stale"), "same"),
    ("choose", "after not sure", ("ask", 3, "back"), "one more"),
    ("back", "none", ("refuse", "stale"), "none"),
    ("back", "safety", ("refuse", "stale"), "same"),
    ("back", "midway", ("ask", 2, "back"), "one less"),
    ("back", "last", ("ask", 8, "back"), "one less"),
    ("back", "finished", ("ask", 9, "back"), "one less"),
    ("back", "ended by yes", ("refuse", "stale"), "same"),
    ("back", "after not sure", ("ask", 1, "-"), "one less"),
    ("get help", "none", ("help", "continues"), "none"),
    ("get help", "safety", ("help", "continues"), "help seen"),
    ("get help", "midway", ("help", "continues"), "help seen"),
    ("get help", "last", ("help", "continues"), "help seen"),
    ("get help", "finished", ("help", "continues"), "help seen"),
    ("get help", "ended by yes", ("help", "ends"), "help seen"),
    ("get help", "after not sure", ("help", "continues"), "help seen"),
    ("continue", "none", ("refuse", "stale"), "none"),
    ("continue", "safety", ("ask", 1, "-"), "same"),
    ("continue", "midway", ("ask", 3, "back"), "same"),
    ("continue", "last", ("ask", 9, "back"), "same"),
    ("continue", "finished", ("result",), "same"),
    ("continue", "ended by yes", ("help", "ends"), "help seen"),
    ("continue", "after not sure", ("ask", 2, "back"), "same"),
    ("show card", "none", ("card", "channel"), "none"),
    ("show card", "safety", ("card", "private"), "same"),
    ("show card", "midway", ("card", "private"), "same"),
    ("show card", "last", ("card", "private"), "same"),
    ("show card", "finished", ("card", "private"), "same"),
    ("show card", "ended by yes", ("card", "private"), "same"),
    ("show card", "after not sure", ("card", "private"), "same"),
]


def _event(name: str, no: int) -> Event:
    return {
        "start": Start(),
        "start over": StartOver(),
        # at the safety question, "No"; later, the first answer
        "choose": Choose(no),
        "back": Back(),
        "get help": GetHelp(),
        "continue": Continue(),
        "show card": ShowCardEvent(),
    }[name]


def test_the_table_covers_every_event_in_every_kind_of_state(states):
    covered = {(event, kind) for event, kind, _, _ in TABLE}
    events = ("start", "start over", "choose", "back", "get help", "continue", "show card")
    assert covered == set(itertools.product(events, states))
    assert len(TABLE) == len(covered)


@pytest.mark.parametrize(("event", "kind", "expected", "after"), TABLE)
def test_each_event_in_each_kind_of_state(guide, states, no, event, kind, expected, after):
    state = states[kind]
    chosen = _event(event, no)
    if event == "choose" and state is not None and state.answers:
        chosen = Choose(0)
    result = step(guide, state, chosen, NOW)
    assert _seen(_only(result)) == expected
    answers = state.answers if state else ()
    wanted = {
        "fresh": State((), began=int(NOW)),
        "none": None,
        "same": state,
        "help seen": replace(state, help_seen=True) if state else None,
        "one more": State((*answers, chosen.answer if isinstance(chosen, Choose) else -1)),
        "one less": State(answers[:-1]),
    }[after]
    assert result.state == wanted


# Questions


def test_the_first_question_is_the_safety_question_with_the_intro(guide, content):
    ask = _only(step(guide, None, Start(), NOW))
    assert isinstance(ask, Ask)
    assert ask.question_id == content.safety.id
    assert ask.text == content.safety.text
    assert ask.intro == content.intro
    assert ask.number == 1
    assert ask.total == content.total_questions == 9
    assert ask.progress == content.messages.format("progress", number=1, total=9)
    assert _labels(ask.answers) == [a.label for a in content.safety.answers]
    assert [a.code for a in ask.answers] == [f"c{i}" for i in range(len(content.safety.answers))]
    assert not ask.can_go_back
    assert _events(ask.controls) == [GetHelp()]


def test_on_a_workplace_platform_the_intro_adds_who_controls_the_workspace(content):
    own = _only(step(Guide(content, "GB"), None, Start(), NOW))
    workplace = _only(step(Guide(content, "GB", workplace=True), None, Start(), NOW))
    assert isinstance(own, Ask) and isinstance(workplace, Ask)
    assert own.intro == content.intro
    assert workplace.intro == f"{content.intro} {content.messages[INTRO_WORKPLACE]}"
    over = _only(step(Guide(content, "GB", workplace=True), State((0,)), StartOver(), NOW))
    assert isinstance(over, Ask) and over.intro == workplace.intro


def test_a_question_midway_shows_its_number_progress_and_every_control(guide, content, no):
    ask = _only(step(guide, State((no, 0)), Continue(), NOW))
    assert isinstance(ask, Ask)
    question = content.questions[1]
    assert ask.question_id == question.id
    assert ask.text == question.text
    assert ask.number == 3
    assert ask.progress == content.messages.format("progress", number=3, total=9)
    assert "3" in ask.progress and "9" in ask.progress
    assert ask.intro is None
    assert _labels(ask.answers) == [a.label for a in question.answers]
    assert _events(ask.controls) == [Back(), StartOver(), GetHelp()]
    words = content.messages
    assert _labels(ask.controls) == [
        words["buttons.back"],
        words["buttons.start_over"],
        words["buttons.get_help"],
    ]
    assert ask.controls[-1].style == "danger"


def test_every_question_after_the_first_offers_back_start_over_and_get_help(guide, content, no):
    state = State((no,))
    for number in range(2, content.total_questions + 1):
        ask = _only(step(guide, state, Continue(), NOW))
        assert isinstance(ask, Ask)
        assert ask.number == number
        assert ask.text == content.questions[number - 2].text
        assert _events(ask.controls) == [Back(), StartOver(), GetHelp()]
        state = State((*state.answers, 0))


def test_starting_over_shows_the_intro_again_and_forgets_the_answers(guide, content, no):
    result = step(guide, State((no, 1, 1)), StartOver(), NOW)
    ask = _only(result)
    assert isinstance(ask, Ask)
    assert ask.intro == content.intro
    assert result.state == State((), began=int(NOW))


def test_going_back_shows_the_earlier_question_again(guide, content, no):
    result = step(guide, State((no, 1, 2)), Back(), NOW)
    ask = _only(result)
    assert isinstance(ask, Ask)
    assert ask.text == content.questions[1].text
    assert result.state == State((no, 1))


def test_going_back_from_a_result_asks_the_last_question_again(guide, content, no):
    finished = State((no, *_leaning(content, "coaching")))
    result = step(guide, finished, Back(), NOW)
    ask = _only(result)
    assert isinstance(ask, Ask)
    assert ask.number == content.total_questions
    assert ask.text == content.questions[-1].text


# Choosing


@pytest.mark.parametrize("index", [-1, -100, 4, 9, 10, 1000])
def test_an_answer_the_question_does_not_have_is_refused_and_changes_nothing(
    guide, content, no, index
):
    state = State((no, 0, 0, 0))  # at the question with three answers (between sessions)
    options = len(content.questions[3].answers)
    assert not 0 <= index < options, "the test needs an index this question has no answer at"
    result = step(guide, state, Choose(index), NOW)
    refused = _only(result)
    assert isinstance(refused, Refuse)
    assert refused.reason == "stale"
    assert refused.message == content.messages["refusals.stale"]
    assert result.state == state


@pytest.mark.parametrize("index", [-1, 3, 9])
def test_an_answer_the_safety_question_does_not_have_is_refused(guide, index):
    result = step(guide, State(()), Choose(index), NOW)
    assert _seen(_only(result)) == ("refuse", "stale")
    assert result.state == State(())


# Safety


def test_safety_yes_ends_the_walk_through_and_shows_help(guide, content):
    yes = _safety_index(content, "help")
    result = step(guide, State(()), Choose(yes), NOW)
    help_ = _only(result)
    assert isinstance(help_, ShowCrisisHelp)
    assert help_.ends_conversation
    assert help_.closing is None
    assert _events(help_.actions) == [StartOver()]
    assert result.state == State((yes,), help_seen=True)
    for event in (Choose(0), Choose(2), Back()):
        assert _seen(_only(step(guide, result.state, event, NOW))) == ("refuse", "stale")
    assert _seen(_only(step(guide, result.state, Continue(), NOW))) == ("help", "ends")


def test_safety_not_sure_shows_help_then_lets_them_continue(guide, content):
    unsure = _safety_index(content, "help_then_continue")
    result = step(guide, State(()), Choose(unsure), NOW)
    help_ = _only(result)
    assert isinstance(help_, ShowCrisisHelp)
    assert not help_.ends_conversation
    assert help_.closing == content.messages["help.closing_continue"]
    assert _events(help_.actions) == [Continue(), StartOver()]
    assert help_.actions[0].style == "primary"
    ask = _only(step(guide, result.state, Continue(), NOW))
    assert isinstance(ask, Ask)
    assert ask.number == 2
    assert ask.text == content.questions[0].text
    assert ask.can_go_back


def test_safety_no_continues_to_the_first_scored_question(guide, content, no):
    result = step(guide, State(()), Choose(no), NOW)
    ask = _only(result)
    assert isinstance(ask, Ask)
    assert ask.number == 2
    assert ask.text == content.questions[0].text
    assert result.state == State((no,))


def test_not_sure_then_finishing_reaches_a_result_with_help_still_offered(guide, content):
    unsure = _safety_index(content, "help_then_continue")
    state = State((unsure, *_leaning(content, "therapy")[:-1]))
    result = _only(step(guide, state, Choose(_leaning(content, "therapy")[-1]), NOW))
    assert isinstance(result, ShowResult)
    assert GetHelp() in _events(result.actions)


# Help


def test_help_in_gb_lists_emergency_first_then_samaritans_then_elsewhere_eap_trusted(
    guide, content
):
    help_ = _only(step(guide, State(()), GetHelp(), NOW))
    assert isinstance(help_, ShowCrisisHelp)
    words = content.messages
    assert help_.title == words["help.title"]
    assert help_.intro == words["help.intro"]
    assert help_.emergency is not None and "999" in help_.emergency
    assert len(help_.lines) == 1
    assert "Samaritans" in help_.lines[0] and "116 123" in help_.lines[0]
    assert "findahelpline.com" in help_.elsewhere
    assert help_.elsewhere == words.format("help.elsewhere", url=content.helplines.elsewhere)
    assert EAP in help_.eap
    assert help_.trusted == words["help.trusted"]
    assert content.helplines.last_checked in help_.last_checked
    assert help_.closing == words["help.closing"]


def test_help_in_the_us_shows_988_and_911_and_no_samaritans(content):
    help_ = _only(step(Guide(content, "US"), None, GetHelp(), NOW))
    assert isinstance(help_, ShowCrisisHelp)
    assert help_.emergency is not None and "911" in help_.emergency
    assert any("988" in line for line in help_.lines)
    assert "findahelpline.com" in help_.elsewhere
    assert "Samaritans" not in _all_words(help_)
    assert "116 123" not in _all_words(help_)


@pytest.mark.parametrize("region", ["BR", "ZZ", None, ""])
def test_help_where_the_content_knows_no_lines_points_to_findahelpline(content, region):
    help_ = _only(step(Guide(content, region), None, GetHelp(), NOW))
    assert isinstance(help_, ShowCrisisHelp)
    assert help_.emergency == content.messages.texts.get(EMERGENCY_LOCAL)
    assert help_.lines == ()
    assert "findahelpline.com" in help_.elsewhere
    # nothing was listed for here, so nothing to be "somewhere else" from
    assert help_.elsewhere == content.messages.format(
        "help.find_a_helpline", url=content.helplines.elsewhere
    )
    assert "Somewhere else" not in help_.elsewhere
    assert "Samaritans" not in _all_words(help_)
    assert help_.trusted == content.messages["help.trusted"]
    assert content.helplines.last_checked in help_.last_checked


@pytest.mark.parametrize(("region", "numbers"), ESTABLISHED.items())
def test_help_shows_the_established_numbers_for_each_region(content, region, numbers):
    emergency, line = numbers
    help_ = _only(step(Guide(content, region.lower()), None, GetHelp(), NOW))
    assert isinstance(help_, ShowCrisisHelp)
    assert help_.emergency is not None and emergency in help_.emergency
    assert any(line in text for text in help_.lines)
    assert "findahelpline.com" in help_.elsewhere
    samaritans = "Samaritans" in _all_words(help_)
    assert samaritans == (region in ("GB", "IE"))


def test_where_no_number_is_known_a_general_emergency_sentence_comes_first_if_written(content):
    local = "If you are in danger right now, call your local emergency number."
    texts = {**content.messages.texts, EMERGENCY_LOCAL: local}
    with_local = replace(content, messages=replace(content.messages, texts=texts))
    help_ = _only(step(Guide(with_local, "BR"), None, GetHelp(), NOW))
    assert isinstance(help_, ShowCrisisHelp)
    assert help_.emergency == local
    gb = _only(step(Guide(with_local, "GB"), None, GetHelp(), NOW))
    assert isinstance(gb, ShowCrisisHelp)
    assert gb.emergency is not None and "999" in gb.emergency


def test_no_region_the_content_knows_outside_gb_and_ie_shows_samaritans(content):
    for code in content.helplines.regions:
        help_ = _only(step(Guide(content, code), None, GetHelp(), NOW))
        assert isinstance(help_, ShowCrisisHelp)
        assert ("Samaritans" in _all_words(help_)) == (code in ("GB", "IE")), code


def test_help_without_an_eap_contact_says_to_ask_about_one(content):
    help_ = _only(step(Guide(content, "GB"), None, GetHelp(), NOW))
    assert isinstance(help_, ShowCrisisHelp)
    assert help_.eap == content.messages["help.eap_unset"]


def test_help_with_no_conversation_offers_start_and_no_carrying_on(guide, content):
    help_ = _only(step(guide, None, GetHelp(), NOW))
    assert isinstance(help_, ShowCrisisHelp)
    assert _events(help_.actions) == [Start()]
    assert help_.closing is None
    assert not help_.ends_conversation


def test_help_midway_offers_to_carry_on_where_they_were(guide, content, no):
    state = State((no, 2, 1))
    result = step(guide, state, GetHelp(), NOW)
    help_ = _only(result)
    assert isinstance(help_, ShowCrisisHelp)
    assert _events(help_.actions) == [Continue(), StartOver()]
    assert result.state == State((no, 2, 1), help_seen=True)
    ask = _only(step(guide, result.state, Continue(), NOW))
    assert isinstance(ask, Ask)
    assert ask.number == 4


def test_get_help_is_offered_on_every_message_after_the_first(guide, content, no):
    """Every Ask, result, private card and refusal keeps Get help now one tap away."""
    seen = []
    state: State | None = None
    for event in [Start(), Choose(no), Choose(0), ShowCardEvent(), Back(), Choose(1)]:
        result = step(guide, state, event, NOW)
        seen.extend(result.effects)
        state = result.state
    for answer in _leaning(content, "therapy")[1:]:
        result = step(guide, state, Choose(answer), NOW)
        seen.extend(result.effects)
        state = result.state
    seen.append(_only(step(guide, state, Choose(0), NOW)))
    assert {type(e) for e in seen} == {Ask, ShowCard, ShowResult, Refuse}
    for effect in seen:
        buttons = effect.controls if isinstance(effect, Ask) else effect.actions
        assert GetHelp() in _events(buttons), effect


def _all_words(help_: ShowCrisisHelp) -> str:
    return " ".join(
        filter(
            None,
            [
                help_.title,
                help_.intro,
                help_.emergency,
                *help_.lines,
                help_.elsewhere,
                help_.eap,
                help_.trusted,
                help_.last_checked,
                help_.closing,
            ],
        )
    )


# Results


def test_a_coaching_result_has_reasons_from_the_card_rows_and_both_contacts(guide, content, no):
    answers = _leaning(content, "coaching")
    result = _only(step(guide, State((no, *answers[:-1])), Choose(answers[-1]), NOW))
    assert isinstance(result, ShowResult)
    outcome = content.outcomes["coaching"]
    words = content.messages
    assert result.outcome == "coaching"
    assert result.title == outcome.title
    assert result.summary == outcome.summary
    assert result.heading == words["result.heading"]
    assert result.why_heading == words["result.why_heading"]
    assert 1 <= len(result.reasons) <= 3
    chosen = [content.questions[q].answers[a] for q, a in enumerate(answers)]
    rows = {r for answer in chosen for r in answer.rows}
    for reason in result.reasons:
        row = next(r for r in content.card.rows if r.topic in reason)
        assert row.id in rows
        assert row.coaching in reason
    # the strongest answers come first
    strongest = max(a.weight for a in chosen)
    first = next(a for a in chosen if a.weight == strongest)
    assert content.card.row(first.rows[0]).topic in result.reasons[0]
    assert result.next_steps == (
        words.format("next_steps.coaching", contact=COACHING),
        words.format("next_steps.eap", contact=EAP),
    )
    assert result.not_assessment == words["result.not_assessment"]
    assert _events(result.actions) == [ShowCardEvent(), StartOver(), GetHelp()]


def test_a_therapy_result_has_therapy_reasons_and_the_eap_first(guide, content, no):
    answers = _leaning(content, "therapy")
    result = _only(step(guide, State((no, *answers[:-1])), Choose(answers[-1]), NOW))
    assert isinstance(result, ShowResult)
    assert result.outcome == "therapy"
    assert result.title == content.outcomes["therapy"].title
    assert result.reasons
    for reason in result.reasons:
        row = next(r for r in content.card.rows if r.topic in reason)
        assert row.therapy in reason
    assert EAP in result.next_steps[0]


def test_a_both_result_when_answers_point_both_ways(guide, content, no):
    answers = _leaning(content, "both")
    result = _only(step(guide, State((no, *answers[:-1])), Choose(answers[-1]), NOW))
    assert isinstance(result, ShowResult)
    assert result.outcome == "both"
    assert result.title == content.outcomes["both"].title


def test_without_contacts_the_next_steps_say_whom_to_ask(content, no):
    answers = _leaning(content, "coaching")
    bare = Guide(content, "GB")
    result = _only(step(bare, State((no, *answers[:-1])), Choose(answers[-1]), NOW))
    assert isinstance(result, ShowResult)
    words = content.messages
    assert result.next_steps == (words["next_steps.coaching_unset"], words["next_steps.eap_unset"])


def test_everyday_life_hard_turns_a_coaching_lean_into_both_with_the_counselling_note(
    guide, content, no
):
    question, hard = _everyday(content)
    answers = list(_leaning(content, "coaching"))
    assert outcome_for(content, answers) == "coaching"
    answers[question] = hard
    result = _only(step(guide, State((no, *answers[:-1])), Choose(answers[-1]), NOW))
    assert isinstance(result, ShowResult)
    assert result.outcome != "coaching"
    note = content.questions[question].answers[hard].note
    assert note and note in result.notes
    assert EAP in result.next_steps[0]


def test_a_both_result_gives_its_both_ways_reasons_first(guide, content, no):
    rows = {r.id: r for r in content.card.rows}
    checked = 0
    for answers in itertools.islice(_all_combinations(content), 0, None, 7):
        result = _only(step(guide, State((no, *answers[:-1])), Choose(answers[-1]), NOW))
        assert isinstance(result, ShowResult)
        if result.outcome != "both":
            continue
        chosen = [q.answers[i] for q, i in zip(content.questions, answers, strict=True)]
        both_rows = list(dict.fromkeys(r for a in chosen if a.lean == "both" for r in a.rows))
        expected = [
            content.messages.format(
                "result.reason_both",
                topic=rows[r].topic,
                coaching=rows[r].coaching,
                therapy=rows[r].therapy,
            )
            for r in both_rows[:3]
        ]
        assert list(result.reasons[: len(expected)]) == expected
        checked += bool(expected)
    assert checked


def test_the_result_never_repeats_a_note_or_a_reason(guide, content, no):
    for answers in itertools.islice(_all_combinations(content), 0, None, 97):
        result = _only(step(guide, State((no, *answers[:-1])), Choose(answers[-1]), NOW))
        assert isinstance(result, ShowResult)
        assert len(set(result.reasons)) == len(result.reasons)
        assert len(set(result.notes)) == len(result.notes)


def test_a_result_from_answers_that_lean_nowhere_gives_the_contents_open_reason(content, no):
    unsure = tuple(_lean_index(content, q, "neither") for q in range(len(content.questions)))
    state, last = State((no, *unsure[:-1])), Choose(unsure[-1])
    plain = _only(step(Guide(content, "GB"), state, last, NOW))
    assert isinstance(plain, ShowResult)
    assert plain.outcome == "both"
    opened = content.messages.texts.get(REASON_OPEN)
    assert plain.reasons == ((opened,) if opened else ())
    open_words = "You weren't sure about much yet, and that's a fine place to start."
    texts = {**content.messages.texts, REASON_OPEN: open_words}
    worded = replace(content, messages=replace(content.messages, texts=texts))
    result = _only(step(Guide(worded, "GB"), state, last, NOW))
    assert isinstance(result, ShowResult)
    assert result.reasons == (open_words,)
    leaning = _leaning(content, "coaching")
    coaching = _only(
        step(Guide(worded, "GB"), State((no, *leaning[:-1])), Choose(leaning[-1]), NOW)
    )
    assert isinstance(coaching, ShowResult)
    assert open_words not in coaching.reasons


# Exhaustive: every combination of answers


def _all_combinations(content: Content):
    return itertools.product(*(range(len(q.answers)) for q in content.questions))


def test_every_outcome_is_reachable_and_the_everyday_rule_holds_for_every_combination(
    guide, content, no
):
    question, hard = _everyday(content)
    note = content.questions[question].answers[hard].note
    eap_first = content.messages.format("next_steps.eap", contact=EAP)
    outcomes: dict[str, int] = {}
    checked = 0
    for answers in _all_combinations(content):
        result = _only(step(guide, State((no, *answers[:-1])), Choose(answers[-1]), NOW))
        assert isinstance(result, ShowResult)
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
        chosen = [content.questions[q].answers[a] for q, a in enumerate(answers)]
        ruled_out = {o for a in chosen for o in a.rules_out}
        assert result.outcome not in ruled_out, answers
        if answers[question] == hard:
            # never coaching alone: counselling through the EAP comes first, with the note
            assert result.outcome != "coaching"
            assert result.next_steps[0] == eap_first
            assert note in result.notes
            checked += 1
    total = 1
    for q in content.questions:
        total *= len(q.answers)
    assert sum(outcomes.values()) == total
    assert set(outcomes) == {"coaching", "therapy", "both"}
    assert checked == total // len(content.questions[question].answers)


def test_outcome_for_follows_the_margin_from_the_content(content):
    """Raising the margin past every possible lead leaves only 'both'."""
    wide = replace(content, margin=1000)
    for answers in itertools.islice(_all_combinations(content), 0, None, 53):
        assert outcome_for(wide, answers) == "both"


# Refusals


@pytest.mark.parametrize("reason", REFUSAL_REASONS)
def test_each_refusal_has_its_own_kind_message_and_ways_forward(content, reason):
    refused = refusal(content, reason)
    assert refused.reason == reason
    assert refused.message == content.messages[f"refusals.{reason}"]
    assert _events(refused.actions) == [Start(), GetHelp()]
    assert refused.actions[0].label == content.messages["buttons.start"]


def test_the_refusal_messages_are_all_different(content):
    messages = {refusal(content, reason).message for reason in REFUSAL_REASONS}
    assert len(messages) == len(REFUSAL_REASONS)


# Cards


def test_the_channel_card_offers_to_take_it_privately(guide, content):
    card = _only(step(guide, None, ShowCardEvent(), NOW))
    assert isinstance(card, ShowCard)
    assert card.for_channel
    assert card.card == content.card
    assert len(card.card.rows) == 17
    assert _events(card.actions) == [Start()]
    assert _labels(card.actions) == [content.messages["buttons.take_privately"]]


def test_the_card_within_a_conversation_leads_back_to_it(guide, content, no):
    state = State((no, 1))
    result = step(guide, state, ShowCardEvent(), NOW)
    card = _only(result)
    assert isinstance(card, ShowCard)
    assert not card.for_channel
    assert _events(card.actions) == [Continue(), GetHelp()]
    assert result.state == state
    ask = _only(step(guide, result.state, Continue(), NOW))
    assert isinstance(ask, Ask)
    assert ask.number == 3


def test_the_engine_never_reads_the_clock(guide, no):
    state = State((no, 1))
    assert step(guide, state, Choose(0), 0.0) == step(guide, state, Choose(0), NOW)


# Any state a token could carry, with any event


any_event = st.one_of(
    st.builds(Choose, st.integers(-5, 15)),
    st.sampled_from([Start(), StartOver(), Back(), GetHelp(), Continue(), ShowCardEvent()]),
)


@settings(max_examples=500, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    answers=st.one_of(st.none(), st.lists(st.integers(0, 9), max_size=15).map(tuple)),
    event=any_event,
)
def test_any_state_and_event_give_one_effect_and_a_usable_state(guide, content, answers, event):
    state = None if answers is None else State(answers)
    result = step(guide, state, event, NOW)
    effect = _only(result)
    assert isinstance(effect, Ask | ShowResult | ShowCrisisHelp | ShowCard | Refuse)
    if isinstance(event, GetHelp):
        assert isinstance(effect, ShowCrisisHelp)
    if result.state is not None:
        # whatever comes next can be sealed into a token and continued
        assert len(result.state.answers) <= content.total_questions
        assert all(0 <= a <= 9 for a in result.state.answers)
        assert not isinstance(_only(step(guide, result.state, Continue(), NOW)), Refuse)


def test_a_state_these_questions_cannot_have_is_refused_but_help_is_still_shown(guide, content):
    impossible = State((9, 9))
    refused = step(guide, impossible, Choose(0), NOW)
    assert _seen(_only(refused)) == ("refuse", "stale")
    assert refused.state is None
    assert _seen(_only(step(guide, impossible, ShowCardEvent(), NOW))) == ("refuse", "stale")
    help_ = step(guide, impossible, GetHelp(), NOW)
    assert _seen(_only(help_)) == ("help", "continues")
    assert help_.state is None

"""The terminal chat, driven in-process through real streams, as a person would type it."""

from __future__ import annotations

import dataclasses
import io
import itertools
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.console.card import card_markdown, card_text
from adapters.console.chat import event_for, run_chat, screen_for
from adapters.console.text import Style
from adapters.console.who import console_who
from adapters.runtime import Runtime, build_runtime
from adapters.settings import load_settings
from bot.effects import ShowResult
from bot.engine import outcome_for, refusal, step
from bot.events import Choose, GetHelp, Start
from bot.model import OUTCOMES, Content, OutcomeId
from bot.state import State
from bot.turn import take_turn


def answers_for(content: Content, outcome: OutcomeId) -> list[int]:
    """Some answer indexes to the scored questions that lead to `outcome`, read from content."""
    ranges = [range(len(q.answers)) for q in content.questions]
    for combination in itertools.product(*ranges):
        if outcome_for(content, combination) == outcome:
            return list(combination)
    raise AssertionError(f"no combination of answers leads to {outcome}")


def safety_number(content: Content, action: str) -> int:
    """The number a person types for the safety answer with this action (1-based)."""
    return next(i for i, a in enumerate(content.safety.answers, 1) if a.action == action)


def typed_path(content: Content, outcome: OutcomeId) -> list[str]:
    """The lines a person types to reach `outcome`: "no" to safety, then each answer."""
    first = safety_number(content, "continue")
    return [str(first), *(str(i + 1) for i in answers_for(content, outcome))]


@pytest.fixture
def runtime(tmp_path: Path) -> Runtime:
    settings = load_settings(
        {
            "DATA_DIR": str(tmp_path / "data"),
            "DEFAULT_REGION": "GB",
            "EAP_CONTACT": "call 0800 000 000",
            "COACHING_CONTACT": "coaching@example.com",
        },
        dotenv_path=None,
    )
    return build_runtime(settings)


def chat(runtime: Runtime, *lines: str, end: str = "\n") -> tuple[int, str]:
    stdin = io.StringIO("\n".join(lines) + (end if lines else ""))
    stdout = io.StringIO()
    status = run_chat(runtime, stdin, stdout, locale="en")
    return status, stdout.getvalue()


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_typed_answers_reach_each_result(runtime, outcome):
    content = runtime.book.content()
    status, out = chat(runtime, *typed_path(content, outcome))
    assert status == 0
    words = content.outcomes[outcome]
    assert words.title in out
    assert " ".join(words.summary.split())[:40] in " ".join(out.split())
    assert "Question 9 of 9" in out
    assert "This isn't an assessment" in " ".join(out.split())
    for other in set(OUTCOMES) - {outcome}:
        assert content.outcomes[other].title not in out


def test_the_result_names_the_configured_contacts(runtime):
    content = runtime.book.content()
    _, out = chat(runtime, *typed_path(content, "therapy"))
    assert "call 0800 000 000" in out


def test_every_question_shows_progress_text_numbered_answers_and_controls(runtime):
    content = runtime.book.content()
    _, out = chat(runtime, *typed_path(content, "both"))
    assert out.count(content.intro.split(".")[0]) == 1
    # a terminal is nobody's workspace: the intro says nothing of admins
    assert content.messages["intro_workplace"] not in " ".join(out.split())
    assert "admins" not in out
    for number, question in enumerate(content.questions, start=2):
        assert f"Question {number} of 9" in out
        block = out.split(f"Question {number} of 9")[1].split("Question")[0]
        assert " ".join(question.text.split()) in " ".join(block.split())
        for index, answer in enumerate(question.answers, start=1):
            assert f"  {index}. {answer.label}" in block
        assert "[b] Back  [r] Start over  [h] Get help now  [q] Quit" in block


def test_the_first_question_offers_no_back(runtime):
    _, out = chat(runtime)
    assert "[h] Get help now  [q] Quit" in out
    assert "[b]" not in out


def test_safety_yes_shows_the_emergency_number_and_ends(runtime):
    content = runtime.book.content()
    yes = safety_number(content, "help")
    status, out = chat(runtime, str(yes), "1", "2")
    assert status == 0
    help_part = out.split("Get help now", 1)[1]
    assert "call 999" in help_part
    assert "Samaritans: call 116 123" in help_part
    assert help_part.index("999") < help_part.index("116 123")
    assert "https://findahelpline.com" in help_part
    assert "Question 2 of 9" not in out
    assert out.count("Type r or q") == 2


def test_not_sure_shows_help_then_enter_carries_on(runtime):
    content = runtime.book.content()
    unsure = safety_number(content, "help_then_continue")
    _, out = chat(runtime, str(unsure), "")
    before, after = out.split("[n] Continue", 1)
    assert "call 999" in before
    assert content.messages["help.closing_continue"] in " ".join(before.split())
    assert "Question 2 of 9" in after
    assert "Question 2 of 9" not in before


@pytest.mark.parametrize("carry_on", ["n", "continue", "N"])
def test_not_sure_then_typing_continue_carries_on(runtime, carry_on):
    content = runtime.book.content()
    _, out = chat(runtime, str(safety_number(content, "help_then_continue")), carry_on)
    assert "Question 2 of 9" in out.split("[n] Continue", 1)[1]


def test_back_returns_to_the_previous_question(runtime):
    content = runtime.book.content()
    no = safety_number(content, "continue")
    _, out = chat(runtime, str(no), "1", "b")
    screens = out.split("Question ")[1:]
    assert [s.split("\n")[0] for s in screens] == ["1 of 9", "2 of 9", "3 of 9", "2 of 9"]


def test_start_over_begins_again_with_the_intro(runtime):
    content = runtime.book.content()
    _, out = chat(runtime, str(safety_number(content, "continue")), "1", "r")
    assert out.count(content.intro.split(".")[0]) == 2
    assert out.rstrip().endswith("[h] Get help now  [q] Quit")


def test_help_mid_way_then_carries_on_at_the_same_question(runtime):
    content = runtime.book.content()
    _, out = chat(runtime, str(safety_number(content, "continue")), "2", "h", "")
    help_screen = out.split("Question 3 of 9")[1]
    assert "call 999" in help_screen
    assert help_screen.split("[n] Continue")[1].count("Question") == 0
    assert out.count("Question 3 of 9") == 2


def test_the_card_from_a_result_then_back_to_the_result(runtime):
    content = runtime.book.content()
    _, out = chat(runtime, *typed_path(content, "coaching"), "c", "")
    card_part = out.split(content.card.title)[1]
    assert "Coach and clients on a peer basis" in card_part
    assert "[n] Back to where I was" in card_part
    assert content.outcomes["coaching"].title in card_part.split("[n] Back to where I was")[1]


def test_r_on_the_card_screen_starts_over_as_the_key_table_says(runtime):
    content = runtime.book.content()
    _, out = chat(runtime, *typed_path(content, "coaching"), "c", "r")
    card_part = out.split(content.card.title)[1]
    assert "[n] Back to where I was  [r] Start over  [h] Get help now  [q] Quit" in card_part
    assert "Type n, r, h or q" not in card_part
    after = card_part.split("[q] Quit", 1)[1]
    assert content.intro.split(".")[0] in after
    assert "Question 1 of 9" in after


def _results(runtime: Runtime, outcome: OutcomeId) -> list[ShowResult]:
    """Results for `outcome`: one with the counselling note (where one has it), one without."""
    content = runtime.book.content()
    guide = runtime.book.guide()
    no = safety_number(content, "continue") - 1
    found: dict[bool, ShowResult] = {}
    for answers in itertools.product(*(range(len(q.answers)) for q in content.questions)):
        if outcome_for(content, answers) == outcome:
            (result,) = step(guide, State((no, *answers[:-1])), Choose(answers[-1]), 0).effects
            assert isinstance(result, ShowResult)
            found.setdefault(bool(result.notes), result)
            if len(found) == 2:
                break
    return list(found.values())


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_a_result_reads_top_to_bottom_with_each_part_set_apart(runtime, outcome):
    for result in _results(runtime, outcome):
        words = runtime.book.content().messages
        paragraphs = screen_for((result,), Style(), words).text.split("\n\n")
        assert paragraphs[0].startswith(f"{result.heading}\n{result.title}")
        why = next(p for p in paragraphs if p.startswith(result.why_heading)).splitlines()
        # the heading, then only the reasons, each a bullet
        assert why[1].startswith("  - ")
        assert all(line.startswith(("  - ", "    ")) for line in why[1:])
        for note in result.notes:
            assert Style().paragraph(note) in paragraphs
        steps = next(p for p in paragraphs if p.startswith(result.next_steps_heading))
        assert steps.splitlines()[1].startswith("  - ")
        firsts = [Style().paragraph(n) for n in result.notes[:1]]
        headings = [result.why_heading, *firsts, result.next_steps_heading]
        order = [next(i for i, p in enumerate(paragraphs) if p.startswith(h)) for h in headings]
        assert order == sorted(order)


@pytest.mark.parametrize("typed", ["7", "0", "-1", "x", "b", "c", "1.5", "", "yes please"])
def test_anything_else_gets_a_one_line_hint_and_changes_nothing(runtime, typed):
    status, out = chat(runtime, typed, "q")
    assert status == 0
    assert "Type a number from 1 to 3, or h, q\n" in out
    assert out.count("Question 1 of 9") == 1
    assert "Goodbye" in out


def test_unreadable_and_overlong_lines_get_the_hint(runtime):
    status, out = chat(runtime, "\x00\x01", "9" * 5000, "q")
    assert status == 0
    assert out.count("Type a number from 1 to 3, or h, q") == 2


def test_an_answer_can_be_typed_as_its_words(runtime):
    content = runtime.book.content()
    no = content.safety.answers[safety_number(content, "continue") - 1].label
    _, out = chat(runtime, f"  {no.upper()}  ")
    assert "Question 2 of 9" in out


def test_quit_says_goodbye_and_exits_zero(runtime):
    status, out = chat(runtime, "q")
    assert status == 0
    assert out.endswith("Goodbye. Nothing you typed here was saved.\n")


def test_end_of_input_mid_way_exits_zero_quietly(runtime):
    content = runtime.book.content()
    status, out = chat(runtime, str(safety_number(content, "continue")), "1", end="")
    assert status == 0
    assert "Question 3 of 9" in out
    assert "Goodbye" not in out


def test_piped_output_is_plain_and_fits_80_columns(runtime):
    content = runtime.book.content()
    for outcome in OUTCOMES:
        _, out = chat(runtime, *typed_path(content, outcome), "c", "", "h", "")
        assert "\x1b" not in out
        assert max(len(line) for line in out.splitlines()) <= 80
        assert "> " not in out


def test_a_refusal_offers_start_and_help(runtime):
    content = runtime.book.content()
    screen = screen_for((refusal(content, "expired"),), Style(), content.messages)
    assert content.messages["refusals.expired"][:30] in " ".join(screen.text.split())
    assert "[s] Start  [h] Get help now  [q] Quit" in screen.text
    assert event_for("", screen) == Start()
    assert event_for("h", screen) == GetHelp()
    assert event_for("2", screen) is None
    assert screen.hint == "Type s, h or q (Enter is the same as s)"


def test_a_narrow_style_wraps_every_line(runtime):
    content = runtime.book.content()
    turn = take_turn(runtime.book.guide(), runtime.keyring, console_who(), Start(), None, 0)
    screen = screen_for(turn.effects, Style(width=40), content.messages)
    assert max(len(line) for line in screen.text.splitlines()) <= 40
    assert content.safety.answers[0].label in screen.text


def test_a_walk_through_left_open_too_long_is_refused_kindly_and_can_start_again(runtime):
    content = runtime.book.content()
    moments = iter([1_000_000.0, 1_000_010.0, 1_000_010.0 + 25 * 3600, 1_000_010.0 + 25 * 3600])
    lines = [str(safety_number(content, "continue")), "1", "", "q"]
    out = io.StringIO()
    status = run_chat(
        runtime, io.StringIO("\n".join(lines) + "\n"), out, lambda: next(moments), "en"
    )
    assert status == 0
    text = " ".join(out.getvalue().split())
    assert " ".join(content.messages["refusals.expired"].split()) in text
    assert "[s] Start [h] Get help now [q] Quit" in text
    assert text.count("Question 1 of 9") == 2


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["1", "2", "3", "4", "b", "r", "h", "c", "n", "s", "", "yes", "back"]),
            st.text(max_size=40).map(lambda t: t.replace("\n", " ")),
        ),
        max_size=40,
    )
)
def test_any_typing_never_breaks_the_chat(runtime, lines):
    status, out = chat(
        runtime, *[line for line in lines if line.strip().lower() not in ("q", "quit", "exit")]
    )
    assert status == 0
    assert out.startswith("\n")
    assert "Question 1 of 9" in out


def test_markdown_card_escapes_what_would_break_the_table(content):
    row = dataclasses.replace(content.card.rows[0], coaching="Plans | steps", therapy="*Why* <now>")
    card = dataclasses.replace(content.card, rows=(row, *content.card.rows[1:]))
    table_row = next(line for line in card_markdown(card, "Topic").splitlines() if "Plans" in line)
    assert table_row == f"| {row.topic} | Plans \\| steps | \\*Why\\* \\<now\\> |"
    assert len(re.findall(r"(?<!\\)\|", table_row)) == 4


def test_text_card_wraps_long_rows_under_their_label(content):
    row = dataclasses.replace(content.card.rows[0], coaching="word " * 40)
    card = dataclasses.replace(content.card, rows=(row,))
    lines = card_text(card, Style(width=60)).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("    Coaching: "))
    assert lines[start + 1].startswith(" " * len("    Coaching: ")) and lines[start + 1].strip()
    assert max(len(line) for line in lines) <= 60

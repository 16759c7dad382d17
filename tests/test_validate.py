"""Every validator rule, each on a copy of a small good content folder with one thing broken.

The base folder is tests/fixtures/content/base (a short card, three questions, two regions) plus
the real messages.yaml; each test edits the copy and asserts the exact lines `validate` prints.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from adapters.console.validate import platform_problems, run_validate
from adapters.registry import content_needs
from bot.content import load_content
from bot.content.coverage import check_coverage
from bot.content.longest import LONG_CONTACT, LONGEST_TOKEN, longest_messages
from bot.content.validate import validate_content
from bot.effects import REFUSAL_REASONS, Action, Refuse, ShowResult
from bot.errors import ContentError
from bot.events import Start

HERE = Path(__file__).resolve().parent
BASE = HERE / "fixtures" / "content" / "base"
REAL = HERE.parent / "content"
CONVERSATION = "content/en/conversation.yaml"
CARD = "content/en/card.yaml"


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A good content folder in tmp_path; problems name files relative to tmp_path."""
    folder = tmp_path / "content"
    shutil.copytree(BASE, folder)
    shutil.copy(REAL / "en" / "messages.yaml", folder / "en" / "messages.yaml")
    monkeypatch.chdir(tmp_path)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of `old` in `path`."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def position(path: Path, needle: str, offset: int = 0) -> str:
    """`line:col` of the one occurrence of `needle` in `path` (plus `offset` columns)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(needle) == 1
    before = text[: text.index(needle)]
    line = before.count("\n") + 1
    col = len(before) - (before.rfind("\n") + 1) + 1 + offset
    return f"{line}:{col}"


def problems(root: Path) -> list[str]:
    return [str(p) for p in validate_content(root, content_needs()).problems]


def test_the_base_fixture_is_good(root: Path) -> None:
    validation = validate_content(root, content_needs())
    assert validation.problems == ()
    assert [r.locale for r in validation.reports] == ["en"]
    assert validation.reports[0].coverage.total == 27


# Files and YAML


def test_yaml_syntax(root: Path) -> None:
    edit(
        root / "en" / "conversation.yaml",
        "rows: [time_focus]\n      - id: behind",
        "rows: [time_focus\n      - id: behind",
    )
    assert problems(root) == [
        f"{CONVERSATION}:27:11: YAML syntax: did not find expected ',' or ']'"
    ]


def test_duplicate_yaml_key(root: Path) -> None:
    edit(
        root / "en" / "card.yaml",
        "therapy_heading: Therapy\n",
        "therapy_heading: Therapy\ntitle: Again\n",
    )
    assert problems(root) == [f"{CARD}:6:1: duplicate key 'title'"]


def test_missing_file(root: Path) -> None:
    (root / "en" / "helplines.yaml").unlink()
    assert problems(root) == ["content/en/helplines.yaml:1:1: file is missing"]


def test_unquoted_yes_reads_as_true(root: Path) -> None:
    edit(root / "en" / "conversation.yaml", 'label: "Yes"', "label: Yes")
    assert problems(root) == [
        f"{CONVERSATION}:9:14: 'label' reads as true/false; put the text in quotes"
    ]


# Keys and ids


def test_unknown_key(root: Path) -> None:
    edit(
        root / "en" / "conversation.yaml",
        "        label: Up and down\n",
        "        label: Up and down\n        colour: blue\n",
    )
    assert problems(root) == [f"{CONVERSATION}:50:9: unknown key 'colour'"]


def test_missing_key(root: Path) -> None:
    edit(
        root / "en" / "conversation.yaml",
        "      - id: managing\n        label: Up and down\n",
        "      - id: managing\n",
    )
    assert problems(root) == [f"{CONVERSATION}:48:9: missing key 'label'"]


def test_duplicate_answer_id(root: Path) -> None:
    edit(root / "en" / "conversation.yaml", "      - id: managing", "      - id: fine")
    assert problems(root) == [f"{CONVERSATION}:48:13: duplicate answer id 'fine'"]


def test_duplicate_question_id(root: Path) -> None:
    edit(root / "en" / "conversation.yaml", "  - id: partner", "  - id: attention")
    assert problems(root) == [f"{CONVERSATION}:51:9: duplicate question id 'attention'"]


def test_duplicate_row_id(root: Path) -> None:
    edit(root / "en" / "card.yaml", "  - id: relationship", "  - id: training")
    assert problems(root) == [
        f"{CARD}:15:9: duplicate row id 'training'",
        # the answer that pointed at the renamed row now points at nothing
        f"{CONVERSATION}:57:16: 'relationship' is not a known card row",
    ]


def test_id_that_is_not_an_id(root: Path) -> None:
    edit(root / "en" / "conversation.yaml", "      - id: either", "      - id: Either-way")
    assert problems(root) == [
        f"{CONVERSATION}:61:13: id 'Either-way' must start with a lower-case letter "
        "and use only a-z, 0-9 and _"
    ]


# References


def test_rows_refers_to_nothing(root: Path) -> None:
    edit(root / "en" / "conversation.yaml", "rows: [relationship]", "rows: [friendship]")
    assert problems(root) == [f"{CONVERSATION}:57:16: 'friendship' is not a known card row"]


def test_rules_out_refers_to_nothing(root: Path) -> None:
    edit(root / "en" / "conversation.yaml", "rules_out: [coaching]", "rules_out: [coachng]")
    assert problems(root) == [f"{CONVERSATION}:46:21: 'coachng' is not a known outcome"]


def test_instead_refers_to_nothing(root: Path) -> None:
    edit(root / "en" / "conversation.yaml", "instead: both", "instead: neither")
    assert problems(root) == [f"{CONVERSATION}:73:14: 'neither' is not another known outcome"]


def test_next_steps_refers_to_nothing(root: Path) -> None:
    edit(
        root / "en" / "conversation.yaml",
        "next_steps: [eap, coaching]\n  both:",
        "next_steps: [eap, hr]\n  both:",
    )
    assert problems(root) == [f"{CONVERSATION}:77:23: 'hr' is not a known next step"]


# What every combination of answers shows


def test_unreachable_outcome(root: Path) -> None:
    conversation = root / "en" / "conversation.yaml"
    # nothing leans towards therapy any more
    edit(
        conversation,
        "        label: To what happened\n        lean: therapy",
        "        label: To what happened\n        lean: neither",
    )
    edit(
        conversation,
        "        label: Hard to keep up with\n        lean: therapy",
        "        label: Hard to keep up with\n        lean: neither",
    )
    edit(
        conversation,
        "        label: Someone trained in mental health\n        lean: therapy",
        "        label: Someone trained in mental health\n        lean: neither",
    )
    assert problems(root) == [
        f"{CONVERSATION}:74:3: outcome 'therapy' is never reached by any combination of answers"
    ]


def test_answer_that_never_changes_any_outcome(root: Path) -> None:
    edit(
        root / "en" / "conversation.yaml",
        "scoring:",
        "  - id: season\n    text: Which season do you like?\n    answers:\n"
        "      - id: summer\n        label: Summer\n      - id: winter\n        label: Winter\n\n"
        "scoring:",
    )
    idle = "never changes the outcome: whatever the other answers, any answer to 'season' ends"
    assert problems(root) == [
        f"{CONVERSATION}:68:9: answer 'summer' {idle} the same way",
        f"{CONVERSATION}:70:9: answer 'winter' {idle} the same way",
    ]


def test_rules_out_that_does_not_hold(root: Path) -> None:
    conversation = root / "en" / "conversation.yaml"
    edit(conversation, "    instead: both\n", "")
    edit(
        conversation,
        "        label: Hard to keep up with\n        lean: therapy",
        "        label: Hard to keep up with\n        lean: neither",
    )
    # "ahead" (2) and "planner" (1) still lead by 3 with "hard" chosen
    assert problems(root) == [
        f"{CONVERSATION}:46:20: 'rules_out' says never 'coaching', yet 1 combination with "
        "this answer ends in 'coaching'; give that outcome an 'instead'"
    ]


# Platform limits


def test_button_label_over_slack_limit(root: Path) -> None:
    label = "Either way, I would be glad of someone to talk to and I don't mind who it is"
    assert len(label) == 76
    edit(root / "en" / "conversation.yaml", "label: Either\n", f"label: {label}\n")
    assert problems(root) == [
        f"{CONVERSATION}:62:16: 'label' is 76 characters; a button label allows at most 75"
    ]


def test_button_label_at_slack_limit_is_fine(root: Path) -> None:
    edit(root / "en" / "conversation.yaml", "label: Either\n", f"label: {'e' * 75}\n")
    assert problems(root) == []


def test_button_message_over_slack_limit(root: Path) -> None:
    messages = root / "en" / "messages.yaml"
    edit(messages, "  back: Back\n", f"  back: {'b' * 76}\n")
    at = position(messages, "b" * 76)
    assert problems(root) == [
        f"content/en/messages.yaml:{at}: 'buttons.back' is 76 characters; "
        "a button label allows at most 75"
    ]


def test_header_over_slack_limit(root: Path) -> None:
    edit(
        root / "en" / "conversation.yaml",
        "title: Both might be worth exploring",
        f"title: {'t' * 151}",
    )
    assert problems(root) == [
        f"{CONVERSATION}:79:12: 'title' is 151 characters; a heading allows at most 150"
    ]


def test_paragraph_over_discord_message_limit(root: Path) -> None:
    # Discord sends the conversation as message text, which allows 2000 (Slack sections 3000)
    edit(
        root / "en" / "card.yaml",
        "intro: Coaching and therapy can both help people change.",
        f"intro: {'w' * 2001}",
    )
    assert problems(root) == [
        f"{CARD}:3:8: 'intro' is 2001 characters; a paragraph allows at most 2000"
    ]


def test_note_over_discord_field_limit(root: Path) -> None:
    edit(
        root / "en" / "conversation.yaml",
        "note: Talking with a counsellor is often a good first step.",
        f"note: {'n' * 1025}",
    )
    assert problems(root) == [
        f"{CONVERSATION}:47:15: 'note' is 1025 characters; one field allows at most 1024"
    ]


def test_card_row_over_discord_field_limit(root: Path) -> None:
    # each side fits alone; "**Coaching:** ... **Therapy:** ..." as one field does not
    edit(
        root / "en" / "card.yaml",
        "coaching: Emphasis on present and future",
        f"coaching: {'c' * 600}",
    )
    edit(
        root / "en" / "card.yaml", "therapy: Emphasis on past and present", f"therapy: {'p' * 400}"
    )
    assert problems(root) == [
        f"{CARD}:7:5: the row is 1028 characters; one field allows at most 1024"
    ]


def test_question_over_discord_message_limit(root: Path) -> None:
    # the intro and the safety question are one message
    conversation = root / "en" / "conversation.yaml"
    edit(
        conversation,
        "intro: I'm an automated tool, not a coach or a clinician.",
        f"intro: {'i' * 1500}",
    )
    edit(
        conversation,
        "text: Are you thinking about ending your life or hurting yourself?",
        f"text: {'s' * 480}",
    )
    workplace = yaml.safe_load((root / "en" / "messages.yaml").read_text())["intro_workplace"]
    assert problems(root) == [
        # 1500 + 480 + "Question 15 of 15" (the longest progress line a token allows) + two
        # parts' markup (8 each), and on Slack and Discord a space and the workplace sentence
        f"{CONVERSATION}:5:3: the question is {2013 + 1 + len(workplace)} characters; "
        "one message allows at most 2000"
    ]


def test_card_over_discord_embed_limit(root: Path) -> None:
    card = root / "en" / "card.yaml"
    edit(card, "intro: Coaching and therapy can both help people change.", f"intro: {'i' * 2000}")
    edit(card, "tendency_note: These are tendencies, not rules.", f"tendency_note: {'t' * 1000}")
    extra = "".join(
        f"  - id: extra_{n}\n    topic: Extra\n"
        f"    coaching: {'c' * 480}\n    therapy: {'p' * 480}\n"
        for n in range(3)
    )
    edit(card, "similarities_title:", extra + "similarities_title:")
    # rows as fields: the three first 343, three extra 3 x (5 + 14 + 480 + 14 + 480); title 34,
    # intro 2000, similarities title 24, note 1000; similarities as a list 86; attribution and
    # disclaimer with a separator 17 + 45 + 3
    assert problems(root) == [
        f"{CARD}:2:1: the card is 6531 characters; the card as one message allows at most 6000"
    ]


def test_card_footer_over_discord_limit(root: Path) -> None:
    card = root / "en" / "card.yaml"
    edit(card, "tendency_note: These are tendencies, not rules.", f"tendency_note: {'t' * 1000}")
    edit(card, "attribution: Adapted from CTI.", f"attribution: {'a' * 1000}")
    # note, a line break, credit, a space, disclaimer (45): 2047 fits
    assert problems(root) == []
    edit(
        card, "disclaimer: General information, not advice about anyone.", f"disclaimer: {'d' * 47}"
    )
    assert problems(root) == [
        f"{CARD}:2:1: the card's footer is 2049 characters; a footer allows at most 2048"
    ]


def test_placeholder_the_engine_does_not_fill(root: Path) -> None:
    messages = root / "en" / "messages.yaml"
    edit(
        messages, "progress: Question {number} of {total}", "progress: Question {numbr} of {total}"
    )
    at = position(messages, "Question {numbr}")
    assert problems(root) == [
        f"content/en/messages.yaml:{at}: 'progress' cannot fill in {{numbr}}; "
        "it can use {number}, {total}",
        f"content/en/messages.yaml:{at}: 'progress' must include {{number}}",
    ]


def test_placeholder_left_out(root: Path) -> None:
    messages = root / "en" / "messages.yaml"
    edit(messages, 'line: "{name}: {contact}"', 'line: "{name}"')
    at = position(messages, '"{name}"')
    assert problems(root) == [
        f"content/en/messages.yaml:{at}: 'help.line' must include {{contact}}"
    ]


def test_stray_brace(root: Path) -> None:
    messages = root / "en" / "messages.yaml"
    edit(messages, 'line: "{name}: {contact}"', 'line: "{name}: {contact"')
    at = position(messages, '"{name}: {contact"')
    assert problems(root) == [
        f"content/en/messages.yaml:{at}: 'help.line' has a stray brace "
        "(expected '}' before end of string); write {{ or }} for a brace"
    ]


# Helplines


def test_last_checked_is_not_a_date(root: Path) -> None:
    edit(root / "en" / "helplines.yaml", 'last_checked: "2026-11-27"', 'last_checked: "27/11/2026"')
    assert problems(root) == [
        "content/en/helplines.yaml:2:15: 'last_checked' must be a date like 2026-01-31"
    ]


def test_unquoted_date_is_fine(root: Path) -> None:
    edit(root / "en" / "helplines.yaml", 'last_checked: "2026-11-27"', "last_checked: 2026-11-27")
    assert problems(root) == []
    assert load_content(root).helplines.last_checked == "2026-11-27"


def test_region_code(root: Path) -> None:
    edit(root / "en" / "helplines.yaml", "  GB:", "  UK1:")
    assert problems(root) == [
        "content/en/helplines.yaml:12:3: region 'UK1' must be a two-letter code"
    ]


# Locales


@pytest.fixture
def french(root: Path) -> Path:
    """A second locale, for now a word-for-word copy of en."""
    shutil.copytree(root / "en", root / "fr")
    assert problems(root) == []
    return root / "fr"


def test_locale_missing_a_message(root: Path, french: Path) -> None:
    edit(french / "messages.yaml", "  back: Back\n", "")
    at = position(french / "messages.yaml", "buttons:")
    line = at.split(":")[0]
    # reported at the nearest parent that exists: the buttons mapping's first key
    assert problems(root) == [
        f"content/fr/messages.yaml:{int(line) + 1}:3: missing message 'buttons.back'"
    ]


def test_locale_missing_a_whole_section(root: Path, french: Path) -> None:
    text = (french / "messages.yaml").read_text(encoding="utf-8")
    start = text.index("refusals:")
    end = text.index("\n\n", start) + 2
    (french / "messages.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    # no refusals mapping left: the nearest parent is the file's top mapping
    at = position(french / "messages.yaml", "progress:")
    assert problems(root) == [
        f"content/fr/messages.yaml:{at}: missing message 'refusals.{reason}'"
        for reason in ("content_changed", "expired", "foreign", "stale", "tampered")
    ]


def test_locale_with_a_message_en_lacks(root: Path, french: Path) -> None:
    edit(french / "messages.yaml", "  back: Back\n", "  back: Retour\n  backk: Retour\n")
    at = position(french / "messages.yaml", "backk: Retour")
    assert problems(root) == [
        f"content/fr/messages.yaml:{at}: unknown message 'buttons.backk' (en/ has none)"
    ]


def test_locale_missing_a_card_row(root: Path, french: Path) -> None:
    edit(
        french / "card.yaml",
        "  - id: relationship\n    topic: The relationship\n"
        "    coaching: Coach and clients on a peer basis\n"
        "    therapy: Hierarchical difference between therapist and clients\n",
        "",
    )
    assert problems(root) == [
        "content/fr/card.yaml:7:3: missing card row 'relationship' (en/ has it)",
        # the French answer still points at the row it lost
        "content/fr/conversation.yaml:57:16: 'relationship' is not a known card row",
    ]


def test_locale_missing_a_question(root: Path, french: Path) -> None:
    text = (french / "conversation.yaml").read_text(encoding="utf-8")
    start = text.index("  - id: partner")
    end = text.index("scoring:")
    (french / "conversation.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    assert problems(root) == [
        "content/fr/conversation.yaml:19:3: missing question 'partner' (en/ has it)"
    ]


def test_locale_missing_an_answer(root: Path, french: Path) -> None:
    edit(french / "conversation.yaml", "      - id: managing\n        label: Up and down\n", "")
    assert problems(root) == [
        "content/fr/conversation.yaml:38:7: missing answer 'managing' (en/ has it)"
    ]


def test_locale_missing_an_outcome(root: Path, french: Path) -> None:
    text = (french / "conversation.yaml").read_text(encoding="utf-8")
    start = text.index("  both:\n    title")
    (french / "conversation.yaml").write_text(text[:start], encoding="utf-8")
    assert problems(root) == ["content/fr/conversation.yaml:69:3: missing outcome 'both'"]


def test_locale_missing_a_safety_answer(root: Path, french: Path) -> None:
    edit(
        french / "conversation.yaml",
        "    - id: unsure\n      label: I'm not sure\n      action: help_then_continue\n",
        "",
    )
    assert problems(root) == [
        "content/fr/conversation.yaml:8:5: missing answer 'unsure' (en/ has it)"
    ]


def test_locale_that_scores_differently(root: Path, french: Path) -> None:
    edit(
        french / "conversation.yaml",
        "        label: Mostly fine\n        lean: coaching",
        "        label: Mostly fine\n        lean: therapy",
    )
    assert problems(root) == [
        "content/fr/conversation.yaml:38:9: answer 'fine' scores differently from en/; "
        "lean, weight and rules_out must match"
    ]


def test_locale_with_answers_in_another_order(root: Path, french: Path) -> None:
    edit(
        french / "conversation.yaml",
        "      - id: planner\n        label: A thinking partner\n        lean: coaching\n"
        "        rows: [relationship]\n      - id: trained\n"
        "        label: Someone trained in mental health\n        lean: therapy\n",
        "      - id: trained\n        label: Someone trained in mental health\n"
        "        lean: therapy\n      - id: planner\n        label: A thinking partner\n"
        "        lean: coaching\n        rows: [relationship]\n",
    )
    assert problems(root) == [
        "content/fr/conversation.yaml:54:7: answers must be in the same order as in en/"
    ]


def test_a_translation_of_wording_only_is_fine(root: Path, french: Path) -> None:
    edit(french / "conversation.yaml", "label: Mostly fine", "label: Plutôt bien")
    edit(french / "messages.yaml", "  back: Back\n", "  back: Retour\n")
    assert problems(root) == []
    assert load_content(root, "fr").fingerprint == load_content(root, "en").fingerprint


def test_start_up_refuses_a_locale_missing_keys(root: Path, french: Path) -> None:
    edit(french / "messages.yaml", "  back: Back\n", "")
    with pytest.raises(ContentError) as caught:
        load_content(root, "fr")
    assert [p.message for p in caught.value.problems] == ["missing message 'buttons.back'"]


def test_every_problem_is_reported_at_once(root: Path) -> None:
    edit(root / "en" / "conversation.yaml", "rows: [relationship]", "rows: [friendship]")
    edit(
        root / "en" / "card.yaml",
        "therapy_heading: Therapy\n",
        "therapy_heading: Therapy\ncolour: blue\n",
    )
    edit(root / "en" / "helplines.yaml", 'last_checked: "2026-11-27"', 'last_checked: "soon"')
    assert problems(root) == [
        f"{CARD}:6:1: unknown key 'colour'",
        f"{CONVERSATION}:57:16: 'friendship' is not a known card row",
        "content/en/helplines.yaml:2:15: 'last_checked' must be a date like 2026-01-31",
    ]


def test_not_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert problems(tmp_path / "nowhere") == ["nowhere:1:1: no such content folder"]


def test_a_folder_without_locales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    assert problems(tmp_path / "empty") == ["empty:1:1: no locale folders (like en/)"]


def test_one_locale_folder_can_be_checked_alone(root: Path) -> None:
    validation = validate_content(root / "en", content_needs())
    assert validation.problems == ()
    assert [r.locale for r in validation.reports] == ["en"]


# The command line


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", "validate", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(HERE.parent)},
    )


def test_command_exits_1_and_prints_the_line(root: Path) -> None:
    edit(root / "en" / "conversation.yaml", "rows: [relationship]", "rows: [friendship]")
    done = run("content", cwd=root.parent)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"{CONVERSATION}:57:16: 'friendship' is not a known card row",
        "1 problem in content",
    ]
    assert "Traceback" not in done.stderr


def test_command_exits_0_on_the_real_content(tmp_path: Path) -> None:
    done = run(str(REAL), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("ok: ")
    # one way of counting: the chat's "Question 1 of 9" is the safety question
    total = load_content(REAL, "en").total_questions
    assert f" {total} questions (the first is the safety question)" in done.stdout
    assert total == 9


def test_command_report_splits_every_combination(root: Path) -> None:
    done = run("content", "--report", cwd=root.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "en: outcomes over all 27 answer combinations"
    split = {line.split()[0]: (int(line.split()[1]), line.split()[2]) for line in lines[1:4]}
    assert set(split) == {"coaching", "both", "therapy"}
    assert sum(count for count, _ in split.values()) == 27
    # worked out by hand: attention (2), everyday (1 or 2, "hard" rules out coaching), partner (1)
    assert split == {"coaching": (5, "18.5%"), "both": (16, "59.3%"), "therapy": (6, "22.2%")}
    assert lines[4].startswith("ok: content (en)")


def test_command_report_on_the_real_content(tmp_path: Path) -> None:
    done = run(str(REAL), "--report", cwd=tmp_path)
    lines = done.stdout.splitlines()
    total = int(lines[0].split()[4])
    counts = [int(line.split()[1]) for line in lines[1:4]]
    assert [line.split()[0] for line in lines[1:4]] == ["coaching", "both", "therapy"]
    assert sum(counts) == total == 4 * 4 * 4 * 3 * 3 * 4 * 3 * 4


def test_locale_with_an_answer_en_lacks(root: Path, french: Path) -> None:
    edit(french / "conversation.yaml", "      - id: managing", "      - id: coping")
    assert problems(root) == [
        "content/fr/conversation.yaml:38:7: missing answer 'managing' (en/ has it)",
        "content/fr/conversation.yaml:48:9: unknown answer 'coping' (en/ has none)",
    ]


def test_locale_with_a_question_and_a_row_en_lacks(root: Path, french: Path) -> None:
    edit(french / "conversation.yaml", "  - id: partner", "  - id: ally")
    edit(french / "card.yaml", "  - id: relationship", "  - id: bond")
    edit(french / "conversation.yaml", "rows: [relationship]", "rows: [bond]")
    assert problems(root) == [
        "content/fr/card.yaml:7:3: missing card row 'relationship' (en/ has it)",
        "content/fr/card.yaml:15:9: unknown card row 'bond' (en/ has none)",
        "content/fr/conversation.yaml:19:3: missing question 'partner' (en/ has it)",
        "content/fr/conversation.yaml:51:5: unknown question 'ally' (en/ has none)",
    ]


def test_locale_whose_safety_answer_acts_differently(root: Path, french: Path) -> None:
    edit(french / "conversation.yaml", "      action: help_then_continue", "      action: continue")
    assert problems(root) == [
        "content/fr/conversation.yaml:11:7: answer 'unsure' must have the same action as in en/"
    ]


def test_duplicate_safety_answer_id(root: Path) -> None:
    edit(root / "en" / "conversation.yaml", '    - id: "no"', "    - id: unsure")
    assert problems(root) == [f"{CONVERSATION}:14:11: duplicate answer id 'unsure'"]


def test_safety_question_without_a_way_to_help(root: Path) -> None:
    edit(root / "en" / "conversation.yaml", "      action: help\n", "      action: continue\n")
    assert problems(root) == [f"{CONVERSATION}:8:5: the safety question needs a 'help' answer"]


def test_placeholder_with_a_format_that_cannot_fill_it(root: Path) -> None:
    messages = root / "en" / "messages.yaml"
    edit(messages, 'line: "{name}: {contact}"', 'line: "{name}: {contact:d}"')
    at = position(messages, '"{name}: {contact:d}"')
    assert problems(root) == [
        f"content/en/messages.yaml:{at}: 'help.line' cannot be filled in: "
        "Unknown format code 'd' for object of type 'str'"
    ]


def test_crisis_lines_over_discord_field_limit(root: Path) -> None:
    edit(root / "en" / "helplines.yaml", "contact: call or text 988", f"contact: {'9' * 1000}")
    # "988 Suicide & Crisis Lifeline: " (31) + 1000 + " (free, 24/7)" (13) + a list item's 3
    assert problems(root) == [
        "content/en/helplines.yaml:5:3: the list of lines for US is 1047 characters; "
        "one field allows at most 1024"
    ]


def test_result_why_over_discord_field_limit(root: Path) -> None:
    card = root / "en" / "card.yaml"
    edit(card, "coaching: Emphasis on present and future", f"coaching: {'c' * 600}")
    edit(card, "coaching: Coach and clients on a peer basis", f"coaching: {'p' * 420}")
    # "Time focus, in coaching: ccc…" (625) and "The relationship, in coaching: ppp…" (451),
    # each with a list item's 3; the both result can also show "Training, in therapy: …" (66)
    assert problems(root) == [
        f"{CONVERSATION}:69:3: the 'coaching' result's why is 1082 characters; "
        "one field allows at most 1024",
        f"{CONVERSATION}:78:3: the 'both' result's why is 1148 characters; "
        "one field allows at most 1024",
    ]


def test_result_over_discord_message_limit(root: Path) -> None:
    conversation = root / "en" / "conversation.yaml"
    edit(conversation, "summary: A counsellor might suit you.", f"summary: {'s' * 1500}")
    words = yaml.safe_load((root / "en" / "messages.yaml").read_text(encoding="utf-8"))
    contact = "x" * 200  # the longest contact settings accept
    reason = words["result"]["reason_therapy"].format
    steps = [
        max(
            words["next_steps"][name].format(contact=contact),
            words["next_steps"][f"{name}_unset"],
            key=len,
        )
        for name in ("eap", "coaching")
    ]
    expected = (
        len("Therapy might be worth exploring")
        + 1500  # summary
        + len(reason(topic="Time focus", text="Emphasis on past and present"))
        + 3
        + len(reason(topic="Training", text="Trained to work with major mental illness"))
        + 3
        + len("Talking with a counsellor is often a good first step.")
        + 3  # the one note
        + sum(len(step) + 3 for step in steps)
        + len(words["result"]["heading"])
        + len(words["result"]["why_heading"])
        + len(words["result"]["next_steps_heading"])
        + len(words["result"]["not_assessment"])
        + 4 * 8  # four parts' markup
    )
    assert expected > 2000
    assert problems(root) == [
        f"{CONVERSATION}:74:3: the 'therapy' result is {expected} characters; "
        "one message allows at most 2000"
    ]


def test_validate_renders_the_longest_messages_for_each_platform(root: Path) -> None:
    # 700 ampersands pass as text, but Slack receives each one escaped as "&amp;"
    edit(
        root / "en" / "card.yaml",
        "intro: Coaching and therapy can both help people change.",
        f"intro: '{'&' * 700}'",
    )
    assert problems(root) == []
    out = io.StringIO()
    assert run_validate(root, report=False, out=out) == 1
    section = "on Slack, block 1 (section): text is 3500 characters; at most 3000"
    assert out.getvalue().splitlines() == [
        f"{CARD}:2:1: the card in a channel: {section}",
        f"{CARD}:2:1: the card in a conversation: {section}",
        "2 problems in content",
    ]


def test_validate_prints_ok_for_the_base_fixture(root: Path) -> None:
    out = io.StringIO()
    assert run_validate(root, report=False, out=out) == 0
    assert out.getvalue() == (
        "ok: content (en): 4 questions (the first is the safety question), "
        "27 combinations of the scored answers checked\n"
    )


def test_longest_messages_cover_every_kind(root: Path) -> None:
    content = load_content(root)
    samples = longest_messages(content, check_coverage(content).examples)
    kinds = {(s.kind, s.key) for s in samples}
    assert {("question", q.id) for q in content.questions} <= kinds
    assert {("result", o) for o in ("coaching", "therapy", "both")} <= kinds
    assert {("help", code) for code in ("US", "GB", "")} <= kinds
    assert {("card", "channel"), ("card", "private"), ("safety", "safety")} <= kinds
    assert {("message", f"refusals.{r}") for r in REFUSAL_REASONS} <= kinds
    result = next(s.effect for s in samples if s.key == "therapy")
    assert isinstance(result, ShowResult)
    assert result.notes == ("Talking with a counsellor is often a good first step.",)
    assert all(LONG_CONTACT in step for step in result.next_steps)


def test_discord_and_slack_limits_on_rendered_messages() -> None:
    fits = Refuse("stale", "x" * 2000, (Action(Start(), "Start", "primary"),))
    assert platform_problems(fits, LONGEST_TOKEN) == []
    too_long = Refuse("stale", "x" * 3001, (Action(Start(), "L" * 81, "primary"),))
    assert platform_problems(too_long, LONGEST_TOKEN) == [
        "on Slack, block 0 (section): text is 3001 characters; at most 3000",
        "on Slack, block 1 (actions) button: text is 81 characters; at most 75",
        "on Discord, text is 3001 characters; at most 2000",
        "on Discord, button label is 81 characters; at most 80",
    ]


def test_too_many_combinations_to_check_one_by_one(root: Path) -> None:
    answers = "".join(f"      - id: a{n}\n        label: Answer {n}\n" for n in range(10))
    extra = "".join(
        f"  - id: extra_{q}\n    text: Extra question {q}?\n    answers:\n{answers}\n"
        for q in range(5)
    )
    edit(root / "en" / "conversation.yaml", "scoring:", extra + "scoring:")
    out = io.StringIO()
    assert run_validate(root, report=True, out=out) == 1
    assert out.getvalue().splitlines() == [
        f"{CONVERSATION}:19:3: the answers make 2700000 combinations; at most 1000000 can be "
        "checked one by one (fewer questions or answers)",
        "en: too many answer combinations to split",
        "1 problem in content",
    ]


def test_key_that_reads_as_true_or_false(root: Path) -> None:
    edit(
        root / "en" / "card.yaml", "therapy_heading: Therapy\n", "therapy_heading: Therapy\nno: 1\n"
    )
    assert problems(root) == [f"{CARD}:6:1: key False must be text; put it in quotes"]


def test_file_that_is_not_utf8(root: Path) -> None:
    (root / "en" / "card.yaml").write_bytes("title: Caf\xe9\n".encode("latin-1"))
    assert problems(root) == [
        f"{CARD}:1:1: not UTF-8 text (invalid continuation byte)",
    ]


def test_every_duplicate_key_in_a_file_is_reported(root: Path) -> None:
    edit(
        root / "en" / "card.yaml",
        "therapy_heading: Therapy\n",
        "therapy_heading: Therapy\ntitle: Again\nintro: Again\n",
    )
    assert problems(root) == [
        f"{CARD}:6:1: duplicate key 'title'",
        f"{CARD}:7:1: duplicate key 'intro'",
    ]


def test_a_folder_where_a_file_should_be(root: Path) -> None:
    (root / "en" / "helplines.yaml").unlink()
    (root / "en" / "helplines.yaml").mkdir()
    assert problems(root) == ["content/en/helplines.yaml:1:1: cannot be read (Is a directory)"]

"""The real content: it validates clean, every combination behaves, the words are right."""

from __future__ import annotations

import functools
import itertools
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.registry import content_needs
from adapters.settings import load_settings
from bot.content import (
    CONTACT_LENGTH,
    REQUIRED_MESSAGES,
    file_label,
    load_content,
    load_located,
    locales,
)
from bot.content.coverage import check_coverage, combination_count, combinations
from bot.content.validate import validate_content
from bot.effects import ShowResult
from bot.engine import Guide, outcome_for, step
from bot.errors import ContentError, SettingsError
from bot.events import Choose
from bot.model import OUTCOMES, Content
from bot.state import State
from tests.helplines import ESTABLISHED

ROOT = Path(__file__).resolve().parent.parent / "content"


def test_content_validates_clean() -> None:
    validation = validate_content(ROOT)
    assert [str(p) for p in validation.problems] == []
    assert [r.locale for r in validation.reports] == locales(ROOT)


# Every combination of answers


def test_every_outcome_is_reachable(content: Content) -> None:
    reached = {outcome_for(content, combo) for combo in combinations(content)}
    assert reached == set(OUTCOMES)


def test_everyday_life_rule_holds_for_every_combination(content: Content) -> None:
    hard = [
        (q, a)
        for q, question in enumerate(content.questions)
        for a, answer in enumerate(question.answers)
        if "coaching" in answer.rules_out
    ]
    everyday = content.questions[[q.id for q in content.questions].index("everyday")]
    assert [everyday.answers[a].label for q, a in hard] == ["Hard to keep up with for a while now"]
    checked = 0
    for combo in combinations(content):
        if any(combo[q] == a for q, a in hard):
            assert outcome_for(content, combo) != "coaching", combo
            checked += 1
    assert checked == combination_count(content) // len(everyday.answers)


def test_the_hard_answer_points_to_counselling_first(content: Content) -> None:
    everyday = next(q for q in content.questions if q.id == "everyday")
    hard = next(a for a in everyday.answers if a.rules_out)
    assert hard.lean == "therapy"
    assert hard.note is not None and "EAP" in hard.note and "first step" in hard.note


def test_split_has_both_as_the_common_middle(content: Content) -> None:
    coverage = check_coverage(content)
    assert coverage.total == combination_count(content) == 27648
    assert sum(coverage.split.values()) == coverage.total
    assert coverage.split["both"] > max(coverage.split["coaching"], coverage.split["therapy"])
    for single in ("coaching", "therapy"):
        assert 0.15 <= coverage.share(single) <= 0.35, (single, coverage.share(single))


def test_every_answer_can_change_the_outcome(content: Content) -> None:
    for q, question in enumerate(content.questions):
        changes = False
        for combo in combinations(content):
            if combo[q] != 0:
                continue
            outcomes = {
                outcome_for(content, (*combo[:q], a, *combo[q + 1 :]))
                for a in range(len(question.answers))
            }
            if len(outcomes) > 1:
                changes = True
                break
        assert changes, question.id


def test_coverage_agrees_with_the_engine(content: Content) -> None:
    coverage = check_coverage(content)
    counted = {o: 0 for o in OUTCOMES}
    for combo in itertools.product(*(range(len(q.answers)) for q in content.questions)):
        counted[outcome_for(content, combo)] += 1
    assert coverage.split == counted
    assert coverage.unreachable == ()
    assert coverage.idle_answers == ()
    assert coverage.rule_breaks == ()


# What DOMAIN.md asks of the words


def test_card_has_the_seventeen_rows_paired_as_published(content: Content) -> None:
    card = content.card
    assert len(card.rows) == 17
    assert card.row("relationship").coaching == "Coach and clients on a peer basis"
    assert (
        card.row("relationship").therapy == "Hierarchical difference between therapist and clients"
    )
    assert card.row("who_designs").coaching == "Alliance designed by coach and client together"
    assert card.row("who_designs").therapy == "Treatment plan largely designed by therapist"
    assert all(row.topic for row in card.rows)
    assert len(card.similarities) >= 5
    assert "CTI" in card.attribution
    assert "not advice" in card.disclaimer


def test_safety_question_comes_first_with_help_continue_and_not_sure(content: Content) -> None:
    actions = [a.action for a in content.safety.answers]
    assert actions == ["help", "help_then_continue", "continue"]
    assert "ending your life" in content.safety.text


def test_intro_says_what_it_is_in_one_line(content: Content) -> None:
    intro = content.intro
    assert "\n" not in intro
    assert "automated tool" in intro
    assert "not a coach or a clinician" in intro
    assert "don't keep your answers" in intro
    # who controls the workspace is said only where there is one (Guide.workplace)
    assert "admins" not in intro
    assert "admins" in content.messages["intro_workplace"]


def test_each_question_has_a_neutral_answer_and_both_paths(content: Content) -> None:
    assert len(content.questions) == 8
    for question in content.questions:
        leans = [a.lean for a in question.answers]
        assert 2 <= len(leans) <= 4, question.id
        assert "neither" in leans, question.id
        assert "coaching" in leans and "therapy" in leans, question.id


def test_coaching_and_therapy_answers_weigh_the_same(content: Content) -> None:
    for question in content.questions:
        coaching = [a.weight for a in question.answers if a.lean == "coaching"]
        therapy = [a.weight for a in question.answers if a.lean == "therapy"]
        assert coaching == therapy, question.id


def test_results_are_tendencies_with_next_steps(content: Content) -> None:
    for outcome in content.outcomes.values():
        assert outcome.title.endswith("might be worth exploring")
        assert "eap" in outcome.next_steps
    assert content.outcomes["coaching"].instead == "both"
    assert "isn't an assessment" in content.messages["result.not_assessment"]


FORBIDDEN = re.compile(r"committed suicide|diagnos(?:e|is) (?:you|with)|disorder|symptom", re.I)


def test_words_never_diagnose_or_use_harmful_phrases(content: Content) -> None:
    texts = [content.intro, content.safety.text, *content.messages.texts.values()]
    for question in content.questions:
        texts.append(question.text)
        texts.extend(a.label for a in question.answers)
        texts.extend(a.note for a in question.answers if a.note)
    for outcome in content.outcomes.values():
        texts.extend((outcome.title, outcome.summary))
    for text in texts:
        assert not FORBIDDEN.search(text), text


def test_helplines_per_region(content: Content) -> None:
    helplines = content.helplines
    assert set(helplines.regions) == set(ESTABLISHED)
    assert helplines.elsewhere == "https://findahelpline.com"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", helplines.last_checked)
    for code, (emergency, line) in ESTABLISHED.items():
        region = helplines.regions[code]
        assert emergency in region.emergency, code
        assert any(line in h.contact for h in region.lines), code
    for code, region in helplines.regions.items():
        samaritans = any("Samaritans" in h.name for h in region.lines)
        assert samaritans == (code in ("GB", "IE")), code


def test_every_label_fits_a_slack_button(content: Content) -> None:
    labels = [a.label for q in content.questions for a in q.answers]
    labels += [a.label for a in content.safety.answers]
    labels += [content.messages[k] for k in REQUIRED_MESSAGES if k.startswith("buttons.")]
    assert max(len(label) for label in labels) <= content_needs().limits.button == 75


# The loader


def test_wording_leaves_the_fingerprint_alone_scoring_changes_it(
    tmp_path: Path, content: Content
) -> None:
    root = tmp_path / "content"
    shutil.copytree(ROOT, root)
    conversation = root / "en" / "conversation.yaml"
    text = conversation.read_text(encoding="utf-8")
    conversation.write_text(text.replace("A bit of both", "Some of both"), encoding="utf-8")
    assert load_content(root).fingerprint == content.fingerprint
    conversation.write_text(text.replace("margin: 2", "margin: 3"), encoding="utf-8")
    assert load_content(root).fingerprint != content.fingerprint


def test_places_point_at_the_written_answers(content: Content) -> None:
    located = load_located(ROOT)
    lines = (ROOT / "en" / "conversation.yaml").read_text(encoding="utf-8").splitlines()
    for (q, a), where in located.places.answer.items():
        answer_id = content.questions[q].answers[a].id
        assert lines[where.line - 1][where.col - 1 :] == f"id: {answer_id}"
    for outcome, where in located.places.outcome.items():
        assert lines[where.line - 1][where.col - 1 :] == f"{outcome}:"


def test_a_broken_folder_raises_with_every_problem(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(ROOT, root)
    card = root / "en" / "card.yaml"
    card.write_text(
        card.read_text(encoding="utf-8").replace("topic: Time focus", "topic: ''"),
        encoding="utf-8",
    )
    (root / "en" / "helplines.yaml").write_text("regions: [\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(root)
    label = file_label(root / "en")
    assert [str(p) for p in caught.value.problems] == [
        f"{label}/card.yaml:39:12: 'topic' must be non-empty text",
        f"{label}/helplines.yaml:2:1: YAML syntax: did not find expected node content",
    ]


def test_locales_finds_every_folder_with_content(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "conversation.yaml").write_text("{}", encoding="utf-8")
    (tmp_path / "de").mkdir()
    (tmp_path / "de" / "messages.yaml").write_text("{}", encoding="utf-8")
    (tmp_path / "notes").mkdir()
    assert locales(tmp_path) == ["en", "de"]


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    locale=st.sampled_from(["en", "fr"]),
    name=st.sampled_from(["card.yaml", "conversation.yaml", "messages.yaml", "helplines.yaml"]),
    cut=st.integers(min_value=0, max_value=10_000),
    length=st.integers(min_value=0, max_value=40),
    insert=st.text(alphabet=st.sampled_from(list(" -:[]{}'\"#&*!|>\n\tabc019é")), max_size=12),
)
def test_any_damaged_file_gives_problems_never_a_crash(
    tmp_path: Path, locale: str, name: str, cut: int, length: int, insert: str
) -> None:
    root = tmp_path / "fuzz" / "content"
    shutil.copytree(ROOT, root, dirs_exist_ok=True)
    # a translation that starts as a copy of en/: damaging it exercises the comparison with en/
    shutil.copytree(ROOT / "en", root / "fr", dirs_exist_ok=True)
    path = root / locale / name
    original = (ROOT / "en" / name).read_text(encoding="utf-8")
    cut %= len(original)
    path.write_text(original[:cut] + insert + original[cut + length :], encoding="utf-8")
    try:
        load_content(root, locale)
    except ContentError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.line >= 1 and problem.col >= 1
            # damage in one file may show in another (an answer's row no longer on the card)
            assert Path(problem.file).parent.name == locale or problem.file.endswith(locale)
    validation = validate_content(root / locale)
    assert all(str(p).count(":") >= 3 for p in validation.problems)


def test_contacts_are_measured_at_the_longest_settings_accept() -> None:
    longest = "x" * CONTACT_LENGTH
    settings = load_settings({"EAP_CONTACT": longest, "COACHING_CONTACT": longest}, None)
    assert settings.eap_contact == longest
    with pytest.raises(SettingsError):
        load_settings({"EAP_CONTACT": longest + "x"}, None)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.?!])\s+", text) if s]


def test_words_are_plain_short_sentences_and_short_answers(content: Content) -> None:
    # a 12-year-old's reading level: no sentence over 20 words, answers a glance long
    texts = [content.intro, content.safety.text]
    texts += [q.text for q in content.questions]
    texts += [a.note for q in content.questions for a in q.answers if a.note]
    texts += [o.summary for o in content.outcomes.values()]
    for text in texts:
        for sentence in _sentences(text):
            assert len(sentence.split()) <= 20, sentence
    for question in content.questions:
        for answer in question.answers:
            assert len(answer.label.split()) <= 12, answer.label


def test_hard_to_keep_up_always_points_to_the_eap_first(guide: Guide) -> None:
    content = guide.content
    everyday = [q.id for q in content.questions].index("everyday")
    hard = next(i for i, a in enumerate(content.questions[everyday].answers) if a.rules_out)
    go_on = next(i for i, a in enumerate(content.safety.answers) if a.action == "continue")
    eap_first = content.messages.format("next_steps.eap", contact=guide.eap_contact)
    note = content.questions[everyday].answers[hard].note
    seen = 0
    for combo in combinations(content):
        if combo[everyday] != hard:
            continue
        state = State((go_on, *combo[:-1]))
        (result,) = step(guide, state, Choose(combo[-1]), 0.0).effects
        assert isinstance(result, ShowResult)
        assert result.outcome in ("therapy", "both")
        assert result.next_steps[0] == eap_first
        assert note in result.notes
        seen += 1
    assert seen == combination_count(content) // len(content.questions[everyday].answers)


# The translations: de, fr and es say the same things as en, in their own words


TRANSLATED = ("de", "fr", "es")


@functools.cache
def _translation(locale: str) -> Content:
    return load_content(ROOT, locale)


@dataclass(frozen=True)
class Wording:
    """What one locale must say (and must never say) where en says its English equivalent."""

    ending_life: str
    self_harm: str
    unsafe: str
    result_title: str
    not_assessment: str
    eap: str
    first_step: str
    peer: str
    hierarchy: str
    alliance: str
    treatment_plan: str
    free: str
    swiss_line: str
    never: re.Pattern[str]
    """Words safe-messaging guidance rules out, anywhere in the locale."""
    never_in_conversation: re.Pattern[str]
    """Clinical words the conversation and messages avoid (the card may name them)."""
    other_address: re.Pattern[str]
    """The form of address this locale does not use."""
    own_address: re.Pattern[str]


WORDING = {
    "de": Wording(
        ending_life="sich das Leben zu nehmen",
        self_harm="sich selbst zu verletzen",
        unsafe="nicht sicher",
        result_title="könnte einen Blick wert sein",
        not_assessment="keine Einschätzung",
        eap="Mitarbeiterberatung (EAP)",
        first_step="erster Schritt",
        peer="Augenhöhe",
        hierarchy="Hierarchischer Unterschied",
        alliance="Arbeitsbündnis",
        treatment_plan="Behandlungsplan",
        free="kostenlos",
        swiss_line="Die Dargebotene Hand",
        never=re.compile(
            r"selbstmord|freitod|suizid (?:begeh|beg[ia]ng)|erfolgreiche\w* suizid", re.I
        ),
        never_in_conversation=re.compile(
            r"diagnostizier\w* (?:sie|bei ihnen)|störung|symptom", re.I
        ),
        other_address=re.compile(r"\b(?:du|dich|dir|dein\w*|euch|euer|eure\w*)\b", re.I),
        own_address=re.compile(r"\b(?:Sie|Ihnen|Ihr\w*)\b"),
    ),
    "fr": Wording(
        ending_life="mettre fin à vos jours",
        self_harm="vous faire du mal",
        unsafe="en sécurité",
        result_title="piste",
        not_assessment="ni une évaluation ni un diagnostic",
        eap="programme d'aide aux employés (PAE)",
        first_step="première étape",
        peer="égal à égal",
        hierarchy="Rapport hiérarchique",
        alliance="Alliance",
        treatment_plan="Plan de traitement",
        free="gratuit",
        swiss_line="La Main Tendue",
        never=re.compile(r"commett\w*|commis un suicide|suicide réussi|réussi son suicide", re.I),
        never_in_conversation=re.compile(r"diagnostiqu\w* (?:chez )?vous|trouble|symptôme", re.I),
        other_address=re.compile(r"(?<![\w-])(?:tu|toi|ton|ta|tes|te)(?![\w-])|\bt'", re.I),
        own_address=re.compile(r"\b(?:vous|votre|vos)\b", re.I),
    ),
    "es": Wording(
        ending_life="quitarte la vida",
        self_harm="hacerte daño",
        unsafe="a salvo",
        result_title="Podría valer la pena explorar",
        not_assessment="no es una evaluación ni un diagnóstico",
        eap="Programa de Asistencia al Empleado (PAE)",
        first_step="primer paso",
        peer="pie de igualdad",
        hierarchy="Diferencia jerárquica",
        alliance="Alianza",
        treatment_plan="Plan de tratamiento",
        free="gratis",
        swiss_line="Die Dargebotene Hand / La Main Tendue / Telefono Amico",
        never=re.compile(r"comet(?:er|ió|ido|e)\w*|suicidio consumado", re.I),
        never_in_conversation=re.compile(r"diagnosticar(?:te|le)|trastorno|síntoma", re.I),
        other_address=re.compile(
            r"\b(?:usted|ustedes|vosotr[oa]s|vuestr[oa]s?|os|llame|escriba|pregunte|elija)\b", re.I
        ),
        own_address=re.compile(r"\b(?:tú|tu|tus|te|ti)\b", re.I),
    ),
}


def _conversation_words(content: Content) -> list[str]:
    texts = [content.intro, content.safety.text, *content.messages.texts.values()]
    texts += [a.label for a in content.safety.answers]
    for question in content.questions:
        texts.append(question.text)
        texts.extend(a.label for a in question.answers)
        texts.extend(a.note for a in question.answers if a.note)
    for outcome in content.outcomes.values():
        texts.extend((outcome.title, outcome.summary))
    return texts


def _card_words(content: Content) -> list[str]:
    card = content.card
    texts = [card.title, card.intro, card.coaching_heading, card.therapy_heading]
    texts += [card.similarities_title, *card.similarities]
    texts += [card.tendency_note, card.attribution, card.disclaimer]
    for row in card.rows:
        texts.extend((row.topic, row.coaching, row.therapy))
    return texts


def _helpline_words(content: Content) -> list[str]:
    texts: list[str] = []
    for region in content.helplines.regions.values():
        texts.extend((region.name, region.emergency))
        for line in region.lines:
            texts.extend((line.contact, line.hours or ""))
    return texts


def _every_word(content: Content) -> list[str]:
    return _conversation_words(content) + _card_words(content) + _helpline_words(content)


def _numbers(text: str) -> list[str]:
    return [n.replace(" ", "") for n in re.findall(r"\d(?:[\d ]*\d)?", text)]


@pytest.mark.parametrize("locale", TRANSLATED)
def test_a_translation_scores_every_combination_exactly_as_en(
    content: Content, locale: str
) -> None:
    translated = _translation(locale)
    assert translated.fingerprint == content.fingerprint
    assert check_coverage(translated).split == check_coverage(content).split


def _has_words(template: str) -> bool:
    """Whether a message says anything beyond its placeholders ("{label}: {total}" does not)."""
    return bool(re.search(r"[^\W\d_]", re.sub(r"\{\w+\}", "", template)))


@pytest.mark.parametrize("locale", TRANSLATED)
def test_a_translation_leaves_no_sentence_in_english(content: Content, locale: str) -> None:
    translated = _translation(locale)
    same = {
        key
        for key, text in translated.messages.texts.items()
        if text == content.messages[key] and _has_words(text)
    }
    # a key letter may be the same letter (h for help and for Hilfe)
    assert not {k for k in same if not k.startswith("terminal.keys.")}, same
    assert translated.intro != content.intro
    assert translated.safety.text != content.safety.text
    for mine, theirs in zip(translated.questions, content.questions, strict=True):
        assert mine.text != theirs.text
        for answer, original in zip(mine.answers, theirs.answers, strict=True):
            assert answer.label != original.label or answer.label == "No", answer.label
    for row, original in zip(translated.card.rows, content.card.rows, strict=True):
        assert (row.topic, row.coaching, row.therapy) != (
            original.topic,
            original.coaching,
            original.therapy,
        )
        assert row.coaching != original.coaching and row.therapy != original.therapy, row.id


@pytest.mark.parametrize("locale", TRANSLATED)
def test_a_translation_keeps_one_form_of_address(locale: str) -> None:
    wording = WORDING[locale]
    translated = _translation(locale)
    for text in _every_word(translated):
        assert not wording.other_address.search(text), text
    addressed = [t for t in _conversation_words(translated) if wording.own_address.search(t)]
    assert len(addressed) >= 30


@pytest.mark.parametrize("locale", TRANSLATED)
def test_a_translation_asks_the_safety_question_the_safe_way(content: Content, locale: str) -> None:
    wording = WORDING[locale]
    translated = _translation(locale)
    question = translated.safety.text
    assert wording.ending_life in question
    assert wording.self_harm in question
    assert wording.unsafe in question
    actions = [a.action for a in translated.safety.answers]
    assert actions == [a.action for a in content.safety.answers]
    for text in _every_word(translated):
        assert not wording.never.search(text), text
    for text in _conversation_words(translated):
        assert not wording.never_in_conversation.search(text), text


@pytest.mark.parametrize("locale", TRANSLATED)
def test_a_translation_says_what_the_results_are_and_are_not(locale: str) -> None:
    wording = WORDING[locale]
    translated = _translation(locale)
    for outcome in translated.outcomes.values():
        assert wording.result_title in outcome.title, outcome.title
    assert wording.not_assessment in translated.messages["result.not_assessment"]
    everyday = next(q for q in translated.questions if q.id == "everyday")
    hard = next(a for a in everyday.answers if a.rules_out)
    assert hard.note is not None
    assert wording.eap in hard.note and wording.first_step in hard.note


@pytest.mark.parametrize("locale", TRANSLATED)
def test_a_translated_card_pairs_the_rows_as_published_and_keeps_the_credit(
    content: Content, locale: str
) -> None:
    wording = WORDING[locale]
    card = _translation(locale).card
    assert [r.id for r in card.rows] == [r.id for r in content.card.rows]
    assert wording.peer in card.row("relationship").coaching
    assert wording.hierarchy in card.row("relationship").therapy
    assert wording.alliance in card.row("who_designs").coaching
    assert wording.treatment_plan in card.row("who_designs").therapy
    assert len(card.similarities) == len(content.card.similarities)
    assert "CTI (Co-Active Training Institute)" in card.attribution
    assert "Hayden & Whitworth, 1995" in card.attribution


@pytest.mark.parametrize("locale", TRANSLATED)
def test_a_translation_lists_every_region_with_the_same_numbers(
    content: Content, locale: str
) -> None:
    wording = WORDING[locale]
    mine, theirs = _translation(locale).helplines, content.helplines
    assert mine.last_checked == theirs.last_checked
    assert mine.elsewhere == theirs.elsewhere
    assert list(mine.regions) == list(theirs.regions)
    for code, region in mine.regions.items():
        original = theirs.regions[code]
        assert _numbers(region.emergency) == _numbers(original.emergency), code
        assert len(region.lines) == len(original.lines), code
        for line, other in zip(region.lines, original.lines, strict=True):
            assert _numbers(line.contact) == _numbers(other.contact), (code, line.contact)
            # free where the service says free, and nowhere else
            free = "free" in (other.hours or "")
            assert (wording.free in (line.hours or "")) == free, (code, line.hours)
        samaritans = any("Samaritans" in line.name for line in region.lines)
        assert samaritans == (code in ("GB", "IE")), code
    assert [line.name for line in mine.regions["CH"].lines] == [wording.swiss_line]


@pytest.mark.parametrize("locale", TRANSLATED)
def test_a_translation_is_plain_short_sentences_and_short_answers(locale: str) -> None:
    translated = _translation(locale)
    texts = [translated.intro, translated.safety.text]
    texts += [q.text for q in translated.questions]
    texts += [a.note for q in translated.questions for a in q.answers if a.note]
    texts += [o.summary for o in translated.outcomes.values()]
    for text in texts:
        for sentence in _sentences(text):
            assert len(_words(sentence)) <= 20, sentence
    for question in translated.questions:
        for answer in question.answers:
            assert len(_words(answer.label)) <= 12, answer.label


def _words(text: str) -> list[str]:
    """Words, not the punctuation French sets apart with a no-break space."""
    return [w for w in text.split() if any(c.isalnum() for c in w)]


def test_french_sets_its_punctuation_apart_with_a_no_break_space() -> None:
    for text in _every_word(_translation("fr")):
        assert not re.search(r"[^\S\u00a0][:;!?»]|«[^\S\u00a0]", text), text
        assert not re.search(r"\w[;!?»]|«\w", text), text

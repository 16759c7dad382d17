"""The conversation rules: `step(guide, state, event, now)` alone decides what comes next."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from bot.effects import (
    Action,
    Ask,
    Effect,
    RefusalReason,
    Refuse,
    ShowCard,
    ShowCrisisHelp,
    ShowResult,
)
from bot.events import Back, Choose, Continue, Event, GetHelp, Start, StartOver
from bot.events import ShowCard as ShowCardEvent
from bot.model import Answer, Content, Outcome, OutcomeId, Region
from bot.reasons import MAX_REASONS, REASON_LEANS, reason_message
from bot.state import State

EMERGENCY_LOCAL = "help.emergency_local"
"""Optional message: what to do in immediate danger where the content knows no emergency number."""


REASON_OPEN = "result.reason_open"
"""Optional message: the why of a result when no answer leaned towards either path."""

INTRO_WORKPLACE = "intro_workplace"
"""Message added to the intro on a workplace platform: who controls the workspace."""


@dataclass(frozen=True)
class Guide:
    """One locale's content with one workspace's region and contacts: all a step needs to know.

    `workplace` is set where the conversation runs in a workspace that others administer (a
    chat platform), not in a person's own terminal.
    """

    content: Content
    region_code: str | None = None
    eap_contact: str | None = None
    coaching_contact: str | None = None
    workplace: bool = False

    @cached_property
    def intro(self) -> str:
        """The one-line note at the start; in a workplace it also says who controls it."""
        if self.workplace:
            return f"{self.content.intro} {self.content.messages[INTRO_WORKPLACE]}"
        return self.content.intro

    @cached_property
    def questions_shown(self) -> dict[tuple[int, bool], Ask]:
        """Each question as this guide shows it, by its number and whether the intro leads it:
        the same for everyone, so made once."""
        return {}

    @cached_property
    def region(self) -> Region | None:
        """The helplines for this workspace's region, when the content knows it."""
        return self.content.helplines.for_region(self.region_code)

    @cached_property
    def crisis_help(self) -> tuple[str | None, tuple[str, ...], str, str, str]:
        """Emergency line, crisis lines, elsewhere, EAP and last-checked sentences."""
        words = self.content.messages
        region = self.region
        # where the content knows no number, the general sentence (when the content has one)
        emergency = (
            words.format("help.emergency", number=region.emergency)
            if region
            else words.texts.get(EMERGENCY_LOCAL)
        )
        lines: tuple[str, ...] = ()
        if region:
            lines = tuple(
                words.format("help.line", name=line.name, contact=line.contact)
                + (f" ({line.hours})" if line.hours else "")
                for line in region.lines
            )
        # "somewhere else?" only reads right after lines listed for here
        elsewhere = words.format(
            "help.elsewhere" if lines else "help.find_a_helpline",
            url=self.content.helplines.elsewhere,
        )
        eap = (
            words.format("help.eap", contact=self.eap_contact)
            if self.eap_contact
            else words["help.eap_unset"]
        )
        checked = words.format("help.last_checked", date=self.content.helplines.last_checked)
        return emergency, lines, elsewhere, eap, checked


@dataclass(frozen=True)
class Step:
    """The state after an event and what to show for it."""

    state: State | None
    effects: tuple[Effect, ...]


def step(guide: Guide, state: State | None, event: Event, now: float) -> Step:
    """Decide what follows `event` in a conversation at `state` (None: no conversation yet).

    `now` is the time of the event in seconds; the engine never reads a clock itself.
    """
    # expiry is checked when the token is opened; here `now` only dates a new walk-through
    # only a token signed for answers these questions cannot have is unusable here
    usable = state is None or _is_valid(guide.content, state)
    match event:
        case Start() | StartOver():
            return _ask(guide, State(began=int(now)), with_intro=True)
        case GetHelp():
            return _help(guide, state if usable else None, closing_key="help.closing")
        case ShowCardEvent() if usable:
            return _card(guide, state)
    if state is None or not usable:
        return _refuse(guide, None, "stale")
    match event:
        case Continue():
            return _resume(guide, state)
        case Back():
            if not state.answers or _ended_by_safety(guide.content, state):
                return _refuse(guide, state, "stale")
            return _ask(guide, replace(state, answers=state.answers[:-1]))
        case Choose(answer=index):
            return _choose(guide, state, index)
    return _refuse(guide, state, "stale")


def outcome_for(content: Content, answers: Sequence[int]) -> OutcomeId:
    """The outcome for a complete set of answers to the scored questions (safety excluded)."""
    chosen = _chosen(content, answers)
    coaching = sum(a.weight for a in chosen if a.lean == "coaching")
    therapy = sum(a.weight for a in chosen if a.lean == "therapy")
    # every "both" answer widens the middle band a single path has to clear
    needed = content.margin + sum(a.weight for a in chosen if a.lean == "both")
    ruled_out = {o for a in chosen for o in a.rules_out}
    lead = coaching - therapy
    outcome: OutcomeId
    if lead >= needed:
        outcome = "coaching"
    elif -lead >= needed:
        outcome = "therapy"
    else:
        outcome = "both"
    seen = {outcome}
    while outcome in ruled_out:
        instead = content.outcomes[outcome].instead
        if instead is None or instead in seen:
            break
        outcome = instead
        seen.add(outcome)
    return outcome


def _chosen(content: Content, answers: Sequence[int]) -> list[Answer]:
    return [q.answers[i] for q, i in zip(content.questions, answers, strict=False)]


def _is_valid(content: Content, state: State) -> bool:
    answers = state.answers
    if len(answers) > content.total_questions:
        return False
    if answers and answers[0] >= len(content.safety.answers):
        return False
    if _ended_by_safety(content, state) and len(answers) > 1:
        return False
    return all(i < len(q.answers) for q, i in zip(content.questions, answers[1:], strict=False))


def _ended_by_safety(content: Content, state: State) -> bool:
    return bool(state.answers) and content.safety.answers[state.answers[0]].action == "help"


def _controls(guide: Guide, state: State) -> tuple[Action, ...]:
    words = guide.content.messages
    controls = []
    if state.answers:
        controls.append(Action(Back(), words["buttons.back"]))
        controls.append(Action(StartOver(), words["buttons.start_over"]))
    controls.append(Action(GetHelp(), words["buttons.get_help"], "danger"))
    return tuple(controls)


def _ask(guide: Guide, state: State, with_intro: bool = False) -> Step:
    key = (len(state.answers) + 1, with_intro)
    effect = guide.questions_shown.get(key)
    if effect is None:
        effect = guide.questions_shown[key] = _question(guide, state, with_intro)
    return Step(state, (effect,))


def _question(guide: Guide, state: State, with_intro: bool) -> Ask:
    content = guide.content
    number = len(state.answers) + 1
    if number == 1:
        question_id, text = content.safety.id, content.safety.text
        labels = [a.label for a in content.safety.answers]
    else:
        question = content.questions[number - 2]
        question_id, text = question.id, question.text
        labels = [a.label for a in question.answers]
    effect = Ask(
        question_id=question_id,
        text=text,
        number=number,
        total=content.total_questions,
        progress=content.messages.format("progress", number=number, total=content.total_questions),
        answers=tuple(Action(Choose(i), label) for i, label in enumerate(labels)),
        controls=_controls(guide, state),
        intro=guide.intro if with_intro else None,
    )
    return effect


def _choose(guide: Guide, state: State, index: int) -> Step:
    content = guide.content
    if len(state.answers) >= content.total_questions or _ended_by_safety(content, state):
        return _refuse(guide, state, "stale")
    options = (
        len(content.safety.answers)
        if not state.answers
        else len(content.questions[len(state.answers) - 1].answers)
    )
    if not 0 <= index < options:
        return _refuse(guide, state, "stale")
    after = replace(state, answers=(*state.answers, index))
    if not state.answers:
        action = content.safety.answers[index].action
        if action == "help":
            return _help(guide, after, closing_key=None)
        if action == "help_then_continue":
            return _help(guide, after, closing_key="help.closing_continue")
    if len(after.answers) == content.total_questions:
        return _result(guide, after)
    return _ask(guide, after)


def _resume(guide: Guide, state: State) -> Step:
    content = guide.content
    if _ended_by_safety(content, state):
        return _help(guide, state, closing_key=None)
    if len(state.answers) == content.total_questions:
        return _result(guide, state)
    return _ask(guide, state)


def _help(guide: Guide, state: State | None, closing_key: str | None) -> Step:
    words = guide.content.messages
    emergency, lines, elsewhere, eap, checked = guide.crisis_help
    ends = state is not None and _ended_by_safety(guide.content, state)
    actions: list[Action] = []
    if state is not None and not ends:
        actions.append(Action(Continue(), words["buttons.continue"], "primary"))
    if state is not None and state.answers:
        actions.append(Action(StartOver(), words["buttons.start_over"]))
    if state is None:
        actions.append(Action(Start(), words["buttons.start"], "primary"))
    if state is not None:
        state = replace(state, help_seen=True)
    effect = ShowCrisisHelp(
        title=words["help.title"],
        intro=words["help.intro"],
        emergency=emergency,
        lines=lines,
        elsewhere=elsewhere,
        eap=eap,
        trusted=words["help.trusted"],
        last_checked=checked,
        # with no conversation there is nothing to carry on with
        closing=words[closing_key] if closing_key and state is not None and not ends else None,
        actions=tuple(actions),
        ends_conversation=ends,
    )
    return Step(state, (effect,))


def _card(guide: Guide, state: State | None) -> Step:
    words = guide.content.messages
    if state is None:
        actions: tuple[Action, ...] = (Action(Start(), words["buttons.take_privately"], "primary"),)
    else:
        actions = (
            Action(Continue(), words["buttons.back_to_conversation"]),
            Action(GetHelp(), words["buttons.get_help"], "danger"),
        )
    return Step(state, (ShowCard(guide.content.card, actions, for_channel=state is None),))


def _result(guide: Guide, state: State) -> Step:
    content = guide.content
    words = content.messages
    scored = state.answers[1:]
    outcome_id = outcome_for(content, scored)
    outcome = content.outcomes[outcome_id]
    chosen = _chosen(content, scored)
    notes = tuple(dict.fromkeys(a.note for a in chosen if a.note))
    effect = ShowResult(
        outcome=outcome_id,
        heading=words["result.heading"],
        title=outcome.title,
        summary=outcome.summary,
        why_heading=words["result.why_heading"],
        reasons=_reasons(content, chosen, outcome_id) or _open_reason(content),
        notes=notes,
        next_steps_heading=words["result.next_steps_heading"],
        next_steps=_next_steps(guide, outcome),
        not_assessment=words["result.not_assessment"],
        actions=(
            Action(ShowCardEvent(), words["buttons.see_card"]),
            Action(StartOver(), words["buttons.start_over"]),
            Action(GetHelp(), words["buttons.get_help"], "danger"),
        ),
    )
    return Step(state, (effect,))


def _open_reason(content: Content) -> tuple[str, ...]:
    """When no answer leaned anywhere, the content's sentence for that (when it has one)."""
    text = content.messages.texts.get(REASON_OPEN)
    return (text,) if text else ()


def _reasons(content: Content, chosen: Sequence[Answer], outcome: OutcomeId) -> tuple[str, ...]:
    """The card rows behind the person's answers that lean the way of the outcome.

    The most telling lean comes first (for "both", the answers that leaned both ways), then the
    strongest answers within it.
    """
    leans = REASON_LEANS[outcome]
    ranked = sorted(
        (a for a in chosen if a.lean in leans and a.rows),
        key=lambda a: (leans.index(a.lean), -a.weight),
    )
    reasons: list[str] = []
    seen: set[str] = set()
    for answer in ranked:
        for row_id in answer.rows:
            if row_id in seen or len(reasons) >= MAX_REASONS:
                continue
            seen.add(row_id)
            key, values = reason_message(answer.lean, content.card.row(row_id))
            reasons.append(content.messages.format(key, **values))
    return tuple(reasons)


def _next_steps(guide: Guide, outcome: Outcome) -> tuple[str, ...]:
    words = guide.content.messages
    contacts = {"eap": guide.eap_contact, "coaching": guide.coaching_contact}
    steps = []
    for name in outcome.next_steps:
        contact = contacts.get(name)
        if contact:
            steps.append(words.format(f"next_steps.{name}", contact=contact))
        else:
            steps.append(words[f"next_steps.{name}_unset"])
    return tuple(steps)


def _refuse(guide: Guide, state: State | None, reason: RefusalReason) -> Step:
    return Step(state, (refusal(guide.content, reason),))


def refusal(content: Content, reason: RefusalReason) -> Refuse:
    """The kind message for a click that cannot be used, with buttons to start afresh or get help.

    Get help now stays offered here too: a refused click must never take help out of reach.
    """
    words = content.messages
    return Refuse(
        reason=reason,
        message=words[f"refusals.{reason}"],
        actions=(
            Action(Start(), words["buttons.start"], "primary"),
            Action(GetHelp(), words["buttons.get_help"], "danger"),
        ),
    )

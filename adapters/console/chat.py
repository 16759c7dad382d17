"""The walk-through in a terminal: typed at a prompt, or piped one answer per line."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TextIO

from adapters.console.card import card_text
from adapters.console.language import terminal_locale
from adapters.console.pager import page
from adapters.console.text import Style, is_tty, style_for
from adapters.console.who import console_who
from adapters.conversation import ConversationService
from adapters.runtime import Runtime
from adapters.storage.interface import NoStorage
from bot.content.keys import plain_typed, typed_words
from bot.effects import Action, Ask, Effect, Refuse, ShowCard, ShowCrisisHelp, ShowResult
from bot.events import Back, Continue, Event, GetHelp, Start, StartOver
from bot.events import ShowCard as ShowCardEvent
from bot.model import Messages
from bot.state import Who

logger = logging.getLogger(__name__)

QUIT = "quit"
ACTIONS: Mapping[type, str] = {
    Back: "back",
    StartOver: "start_over",
    GetHelp: "get_help",
    ShowCardEvent: "see_card",
    Continue: "continue",
    Start: "start",
}
"""The action each kind of button is; the content says which letter and words type it."""
ENTER_CARRIES_ON = (Continue, Start)
"""Buttons that pressing Enter alone chooses, first match wins."""
PROMPT = "> "
MAX_LINE = 1024


@dataclass(frozen=True)
class Screen:
    """What one turn shows, and what each thing a person can type leads to."""

    text: str
    choices: Mapping[str, Event | str]
    """What each typed letter, number or word leads to: an event, or QUIT."""
    on_enter: Event | None
    hint: str


def key_for(words: Messages, action: str) -> str:
    """The letter typed for an action (``back``, ``quit``, ...) in these words."""
    return words[f"terminal.keys.{action}"]


def screen_for(effects: tuple[Effect, ...], style: Style, words: Messages) -> Screen:
    """Lay out a turn's effects in these words and gather the keys that answer them (pure).

    A screen that leads back into a conversation but offers no Start over of its own (the card)
    gets one, so the start-over key works wherever the key table says it does.
    """
    blocks: list[str] = []
    numbered: tuple[Action, ...] = ()
    lettered: list[Action] = []
    for effect in effects:
        blocks.append(render(effect, style))
        if isinstance(effect, Ask):
            numbered = effect.answers
            lettered.extend(effect.controls)
        else:
            lettered.extend(effect.actions)
    kinds = [type(a.event) for a in lettered]
    if Continue in kinds and StartOver not in kinds:
        lettered.insert(kinds.index(Continue) + 1, Action(StartOver(), words["buttons.start_over"]))
    lettered = _unique(lettered)
    choices: dict[str, Event | str] = {}
    for number, action in enumerate(numbered, start=1):
        choices[str(number)] = action.event
        choices.setdefault(plain_typed(action.label), action.event)
    letters = [key_for(words, ACTIONS[type(a.event)]) for a in lettered]
    for letter, action in zip(letters, lettered, strict=True):
        choices[letter] = action.event
    quit_key = key_for(words, QUIT)
    choices[quit_key] = QUIT
    for action in lettered:
        choices.setdefault(plain_typed(action.label), action.event)
        for word in typed_words(words[f"terminal.words.{ACTIONS[type(action.event)]}"]):
            choices.setdefault(word, action.event)
    for word in (plain_typed(words["terminal.quit"]), *typed_words(words["terminal.words.quit"])):
        choices.setdefault(word, QUIT)
    on_enter = next(
        (a.event for kind in ENTER_CARRIES_ON for a in lettered if isinstance(a.event, kind)),
        None,
    )
    legend = [f"[{letter}] {a.label}" for letter, a in zip(letters, lettered, strict=True)]
    legend.append(f"[{quit_key}] {words['terminal.quit']}")
    blocks.append(_legend(legend, style.width))
    enter_key = key_for(words, ACTIONS[type(on_enter)]) if on_enter is not None else None
    return Screen(
        "\n\n".join(b for b in blocks if b) + "\n",
        choices,
        on_enter,
        _hint(words, len(numbered), [*letters, quit_key], enter_key),
    )


def _legend(entries: list[str], width: int) -> str:
    """The keys in a row, two spaces apart, wrapped between entries, never inside one."""
    lines = [""]
    for entry in entries:
        candidate = f"{lines[-1]}  {entry}" if lines[-1] else entry
        if len(candidate) <= width or not lines[-1]:
            lines[-1] = candidate
        else:
            lines.append(entry)
    return "\n".join(lines)


def _unique(actions: list[Action]) -> list[Action]:
    """The actions that have a key, each kind once."""
    seen: set[type] = set()
    kept = []
    for action in actions:
        kind = type(action.event)
        if kind in ACTIONS and kind not in seen:
            seen.add(kind)
            kept.append(action)
    return kept


def _hint(words: Messages, numbers: int, keys: list[str], enter_key: str | None) -> str:
    """What may be typed here; the last of `keys` is the quit key."""
    if numbers > 1:
        hint = words.format("terminal.hint_numbers", last=numbers, keys=", ".join(keys))
    elif numbers:
        hint = words.format("terminal.hint_one", keys=", ".join(keys))
    elif len(keys) > 1:
        hint = words.format("terminal.hint_keys", keys=", ".join(keys[:-1]), key=keys[-1])
    else:
        hint = words.format("terminal.hint_quit", key=keys[-1])
    if enter_key is not None:
        hint += " " + words.format("terminal.hint_enter", key=enter_key)
    return hint


def render(effect: Effect, style: Style) -> str:
    """One effect as plain text, wrapped to the style's width (pure)."""
    match effect:
        case Ask():
            return _render_ask(effect, style)
        case ShowResult():
            return _render_result(effect, style)
        case ShowCrisisHelp():
            return _render_help(effect, style)
        case ShowCard():
            return card_text(effect.card, style).rstrip("\n")
        case Refuse():
            return style.paragraph(effect.message)


def _render_ask(ask: Ask, style: Style) -> str:
    parts = []
    if ask.intro:
        parts += [style.paragraph(ask.intro), ""]
    parts += [ask.progress, style.strong(style.paragraph(ask.text)), ""]
    parts += [style.hanging(f"  {n}. ", a.label) for n, a in enumerate(ask.answers, start=1)]
    return "\n".join(parts)


def _render_result(result: ShowResult, style: Style) -> str:
    parts = [
        result.heading,
        style.strong(style.paragraph(result.title)),
        style.paragraph(result.summary),
    ]
    if result.reasons:
        parts += ["", style.strong(result.why_heading)]
        parts += [style.item("-", r) for r in result.reasons]
    for note in result.notes:
        parts += ["", style.paragraph(note)]
    if result.next_steps:
        parts += ["", style.strong(result.next_steps_heading)]
        parts += [style.item("-", s) for s in result.next_steps]
    parts += ["", style.paragraph(result.not_assessment)]
    return "\n".join(parts)


def _render_help(help_: ShowCrisisHelp, style: Style) -> str:
    parts = [style.strong(help_.title), style.paragraph(help_.intro), ""]
    if help_.emergency:
        parts.append(style.strong(style.paragraph(help_.emergency)))
    parts += [style.item("-", line) for line in help_.lines]
    parts += [style.paragraph(p) for p in (help_.elsewhere, help_.eap, help_.trusted)]
    parts.append(style.paragraph(help_.last_checked))
    if help_.closing:
        parts += ["", style.paragraph(help_.closing)]
    return "\n".join(parts)


def event_for(line: str, screen: Screen) -> Event | str | None:
    """What a typed line means on this screen: an event, QUIT, or None when it means nothing."""
    typed = plain_typed(line)
    if not typed:
        return screen.on_enter
    return screen.choices.get(typed)


def _read_line(stdin: TextIO) -> str | None:
    """One line, at most MAX_LINE characters kept; None at the end of input."""
    try:
        line = stdin.readline(MAX_LINE)
        if not line:
            return None
        if len(line) == MAX_LINE and not line.endswith("\n"):
            # an overlong line: drop the rest of it so it counts as one unreadable answer
            while (rest := stdin.readline(MAX_LINE)) and not rest.endswith("\n"):
                pass
            return "\x00"
    except UnicodeDecodeError:
        return "\x00"
    return line


def _edited_line() -> str | None:
    """One line typed at the terminal with line editing; None at the end of input."""
    try:
        return input(PROMPT) + "\n"
    except EOFError:
        return None


def run_chat(
    runtime: Runtime,
    stdin: TextIO,
    stdout: TextIO,
    clock: Callable[[], float] = time.time,
    locale: str | None = None,
) -> int:
    """Hold the conversation on these streams until quit or end of input; returns exit status.

    It speaks `locale` (SettingsError when the content has no such language), else the language
    LC_ALL, LC_MESSAGES or LANG sets when the content has it, else DEFAULT_LOCALE.
    """
    language = terminal_locale(runtime.book, locale, os.environ)
    style = style_for(stdout)
    interactive = is_tty(stdin)
    conversations = ConversationService(runtime, NoStorage(), clock, workplace=False)
    who = console_who()

    def write(text: str) -> None:
        stdout.write(text)
        stdout.flush()

    # at the process's own terminal, input() brings line editing (arrow keys, history)
    editing = interactive and stdin is sys.stdin and stdout is sys.stdout
    if editing:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401

    # each turn runs on the loop; the typing happens between turns, outside it, so Ctrl-C
    # interrupts a read as it would in any terminal program
    with asyncio.Runner() as loop:
        return _converse(
            loop, conversations, who, language, stdin, stdout, write, style, interactive, editing
        )


def _converse(
    loop: asyncio.Runner,
    conversations: ConversationService,
    who: Who,
    language: str,
    stdin: TextIO,
    stdout: TextIO,
    write: Callable[[str], None],
    style: Style,
    interactive: bool,
    editing: bool,
) -> int:
    try:
        event: Event = Start()
        token: str | None = None
        while True:
            logger.debug("terminal turn: %s", type(event).__name__)
            turn = loop.run(conversations.take(who, event, token, language))
            token = turn.token
            words = turn.guide.content.messages
            screen = screen_for(turn.effects, style, words)
            if interactive:
                page("\n" + screen.text, stdout)  # the card is taller than most terminals
            else:
                write("\n" + screen.text)
            while True:
                if editing:
                    line = _edited_line()
                else:
                    if interactive:
                        write(PROMPT)
                    line = _read_line(stdin)
                if line is None:
                    if interactive:
                        write("\n")
                    logger.debug("terminal conversation ended at end of input")
                    return 0
                chosen = event_for(line, screen)
                if chosen == QUIT:
                    write(words["terminal.goodbye"] + "\n")
                    return 0
                if isinstance(chosen, str) or chosen is None:
                    write(screen.hint + "\n")
                    continue
                event = chosen
                break
    except KeyboardInterrupt:
        write("\n")
        return 130

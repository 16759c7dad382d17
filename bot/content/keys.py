"""The terminal's typed keys and words: one letter per action, and nothing two actions share."""

from __future__ import annotations

from collections.abc import Mapping

from bot.content.located_yaml import Where
from bot.content.reading import Reader
from bot.content.rules import TERMINAL_ACTIONS


def typed_words(text: str) -> tuple[str, ...]:
    """The comma-separated words of a `terminal.words.*` message, as a person would type them."""
    return tuple(w for w in (plain_typed(part) for part in text.split(",")) if w)


def plain_typed(text: str) -> str:
    """What a typed line is compared as: lower case, single spaces, no closing punctuation."""
    return " ".join(text.lower().strip(" .!?").split())


def check_terminal_keys(
    reader: Reader, texts: Mapping[str, str], places: Mapping[str, Where]
) -> None:
    """Each action's key is one lower-case letter; no key or word belongs to two actions."""
    owner: dict[str, str] = {}
    for action in TERMINAL_ACTIONS:
        key = f"terminal.keys.{action}"
        letter = texts.get(key)
        if letter is None:
            continue
        if len(letter) != 1 or not letter.isalpha() or not letter.islower():
            reader.fail(places[key], f"'{key}' must be one lower-case letter, not '{letter}'")
        elif letter in owner:
            reader.fail(places[key], f"'{key}' is '{letter}', already the key for {owner[letter]}")
        else:
            owner[letter] = action
    for action in TERMINAL_ACTIONS:
        key = f"terminal.words.{action}"
        if key not in texts:
            continue
        for word in typed_words(texts[key]):
            if word.isdigit():
                reader.fail(places[key], f"'{key}' lists '{word}', which is an answer's number")
            elif owner.get(word, action) != action:
                reader.fail(places[key], f"'{key}' lists '{word}', already typed for {owner[word]}")
            else:
                owner[word] = action

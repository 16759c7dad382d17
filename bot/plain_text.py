"""Text people are shown as someone wrote it: no hidden, direction-changing or line-breaking marks.

A contact such as an EAP's phone number or link reaches the help message word for word, so a
character that shows nothing (U+200B), breaks the line (U+2028) or turns the text around
(U+202E) could hide or disguise what it says. Those are Unicode's control, format, separator,
private-use and unassigned characters and its default-ignorable ones (which includes the
variation selectors that restyle emoji), plus the blank braille pattern.
"""

from __future__ import annotations

import unicodedata

_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Unicode's Default_Ignorable_Code_Point ranges, and U+2800 BRAILLE PATTERN BLANK
_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)


def hidden(character: str) -> bool:
    """Whether a character shows nothing, breaks the line or changes the text's direction."""
    point = ord(character)
    if unicodedata.category(character) in _HIDDEN_CATEGORIES:
        return True
    return any(low <= point <= high for low, high in _IGNORABLE)


def invisible_character(text: str) -> str | None:
    """The first such character in `text`, as 'U+202E (RIGHT-TO-LEFT OVERRIDE)'; None if none."""
    for character in text:
        if hidden(character):
            name = unicodedata.name(character, "no name")
            return f"U+{ord(character):04X} ({name})"
    return None


def on_one_line(text: str) -> str:
    """The text with every hidden character written as its escape (a line break as \\n), so
    that a name with one in it, a file path say, still shows whole on one line."""
    return "".join(
        character.encode("unicode_escape").decode() if hidden(character) else character
        for character in text
    )

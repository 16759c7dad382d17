"""Content: the YAML of every locale, read, checked and frozen into the model the engine reads.

Every problem is reported as file:line:col. Reading the files is in loading; the rules every
folder follows in rules; whole-message fits in fit; text limits in limits; the comparison with
the reference locale in locale_match; checking a whole folder (every combination scored) in
validate.
"""

from bot.content.fit import longest_reasons
from bot.content.loading import (
    Located,
    content_folders,
    file_label,
    fingerprint,
    load_content,
    load_located,
    locales,
)
from bot.content.reading import Places
from bot.content.rules import (
    CONTACT_LENGTH,
    FILES,
    MAX_ANSWERS,
    MAX_QUESTIONS,
    REFERENCE_LOCALE,
    REQUIRED_MESSAGES,
)

__all__ = [
    "CONTACT_LENGTH",
    "FILES",
    "MAX_ANSWERS",
    "MAX_QUESTIONS",
    "REFERENCE_LOCALE",
    "REQUIRED_MESSAGES",
    "Located",
    "Places",
    "content_folders",
    "file_label",
    "fingerprint",
    "load_content",
    "load_located",
    "locales",
    "longest_reasons",
]

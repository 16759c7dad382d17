"""Every screen of every platform, rendered in de, fr and es, holds no English left in code.

The English originals come from content/en: any of its sentences (or the words around a
placeholder) found in a German, French or Spanish screen was written into code instead of being
looked up. Words each language shares with English (command names, service names, "Coaching")
are in the translation's own content too, and are not counted.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from adapters.admin import WorkspaceAdmin, fix_list, outcome_text
from adapters.console.card import card_markdown, card_text
from adapters.console.chat import screen_for
from adapters.console.text import Style
from adapters.discord.admin import SettingsForm
from adapters.discord.render import render as discord_render
from adapters.runtime import Runtime, build_runtime
from adapters.settings import Settings
from adapters.slack.admin import notice_view, settings_view
from adapters.slack.render import home_view, text_message
from adapters.slack.render import render as slack_render
from adapters.storage.interface import MonthCounts, NoStorage, WorkspacePrefs
from adapters.storage.stats import stats_text
from adapters.storage.validation import Invalid, validate_prefs
from adapters.teams.render import notice_card
from adapters.teams.render import render as teams_render
from bot.content import load_content
from bot.content.coverage import check_coverage
from bot.content.longest import LONGEST_TOKEN, longest_messages
from bot.effects import Action, Effect, ShowCard
from bot.events import Start
from bot.model import Content
from tests.conftest import CONTENT_ROOT

TRANSLATED = ("de", "fr", "es")
WRONG_FORM = {
    "region": "ZZ",
    "eap_contact": "http://x.example.com",
    "coaching_contact": "x" * 400,
    "locale": "xx",
    "card_channels": "general",
    "card_roles": "@admins",
}
MONTHS = [MonthCounts("2026-11", {"started": 12, "finished": 7, "both": 5})]
# English words no German, French or Spanish sentence uses
ENGLISH_WORDS = re.compile(r"\b(?:the|and|you|your|please|with|this|that|here|could|can't)\b", re.I)


def _runtime(tmp_path: Path, locale: str) -> Runtime:
    return build_runtime(
        Settings(
            state_secret="languages",
            data_dir=tmp_path,
            default_locale=locale,
            default_region="DE",
            eap_contact="https://eap.example.com",
        )
    )


def _fragments(template: str) -> list[str]:
    """The literal words of a message around its placeholders."""
    parts = [literal for literal, *_ in string.Formatter().parse(template)]
    return [p.strip() for p in parts if re.search(r"[A-Za-z]{4}", p)]


def english_originals(mine: Content) -> set[str]:
    """What content/en says that the translation's own content does not also say."""
    en = load_content(CONTENT_ROOT, "en")
    own = "\n".join(_all_texts(mine))
    originals: set[str] = set()
    for key, text in en.messages.texts.items():
        if key.startswith("terminal.keys.") or key == "language_name":
            continue
        originals.update(f for f in _fragments(text) if f not in own)
    originals.update(t for t in _all_texts(en) if re.search(r"[A-Za-z]{4}", t) and t not in own)
    # the settings forms list every language under its own name
    originals.discard(en.messages["language_name"])
    return originals


def _all_texts(content: Content) -> list[str]:
    card = content.card
    texts = [content.intro, content.safety.text, *content.messages.texts.values()]
    texts += [a.label for a in content.safety.answers]
    for question in content.questions:
        texts += [question.text, *(a.label for a in question.answers)]
        texts += [a.note for a in question.answers if a.note]
    for outcome in content.outcomes.values():
        texts += [outcome.title, outcome.summary]
    texts += [card.title, card.intro, card.coaching_heading, card.therapy_heading]
    texts += [card.similarities_title, *card.similarities, card.tendency_note]
    texts += [card.attribution, card.disclaimer]
    for row in card.rows:
        texts += [row.topic, row.coaching, row.therapy]
    return texts


VISIBLE = {"text", "label", "placeholder", "title", "description", "name", "value", "content"}
"""The keys of Block Kit, embed and component JSON whose strings a person reads."""


def _strings(value: Any, key: str = "text") -> Iterable[str]:
    """Every string a person reads in a rendered payload (Block Kit, embeds, components)."""
    if isinstance(value, str):
        if key in VISIBLE:
            yield value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _strings(item, name)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item, key)


def _effects(content: Content) -> list[Effect]:
    return [sample.effect for sample in longest_messages(content, check_coverage(content).examples)]


def terminal_screens(runtime: Runtime, content: Content) -> list[str]:
    words = content.messages
    shown = [screen_for((effect,), Style(), words) for effect in _effects(content)]
    texts = [s.text for s in shown] + [s.hint for s in shown]
    texts += [words["terminal.goodbye"], card_text(content.card, Style())]
    texts.append(card_markdown(content.card, words["terminal.card_topic"]))
    return texts


def slack_screens(runtime: Runtime, content: Content) -> list[str]:
    words = content.messages
    admin = WorkspaceAdmin(runtime, NoStorage(), "slack")
    payloads: list[Any] = [slack_render(effect, LONGEST_TOKEN) for effect in _effects(content)]
    card = next(e for e in _effects(content) if isinstance(e, ShowCard))
    start = Action(Start(), words["buttons.start"], "primary")
    intro = runtime.book.guide(workplace=True).intro
    payloads.append(home_view(intro, words["usage"], start, card))
    payloads.append(settings_view(admin, WorkspacePrefs(region="DE"), "T1", content.locale))
    invalid = validate_prefs(WRONG_FORM, regions=admin.regions, locales=admin.locales)
    assert isinstance(invalid, Invalid)
    for key in ("slack.saving", "slack.saved", "slack.not_admin", "slack.not_here"):
        payloads.append(notice_view(words[key], words))
    payloads.append(notice_view(outcome_text(invalid, "slack.saved", words), words))
    for key in ("usage", "notices.card_not_here", "notices.reply_failed", "slack.no_form"):
        payloads.append(text_message(words[key]))
    payloads.append(text_message(stats_text(MONTHS, words)))
    payloads.append(text_message(stats_text([], words)))
    return list(_strings(payloads))


async def discord_screens(runtime: Runtime, content: Content) -> list[str]:
    words = content.messages
    admin = WorkspaceAdmin(runtime, NoStorage(), "discord")
    payloads: list[Any] = []
    for effect in _effects(content):
        reply = discord_render(effect, LONGEST_TOKEN)
        payloads.append(
            [reply.content, [e.to_dict() for e in reply.embeds], reply.view().to_components()]
        )
    form = SettingsForm(admin, WorkspacePrefs(), "1", words)
    payloads.append([form.title, form.to_components()])
    invalid = validate_prefs(WRONG_FORM, regions=admin.regions, locales=admin.locales)
    assert isinstance(invalid, Invalid)
    payloads.append(fix_list(invalid, words))
    payloads.append(stats_text(MONTHS, words))
    return list(_strings(payloads))


def teams_screens(runtime: Runtime, content: Content) -> list[str]:
    words = content.messages
    payloads: list[Any] = [teams_render(effect, LONGEST_TOKEN) for effect in _effects(content)]
    card = next(e for e in _effects(content) if isinstance(e, ShowCard))
    for key in ("teams.sent_privately", "teams.open_chat"):
        payloads.append(teams_render(card, None, words[key]))
    payloads.append(notice_card(words["teams.usage"]))
    return list(_strings(payloads))


def _leftovers(texts: list[str], originals: set[str]) -> list[str]:
    shown = "\n".join(" ".join(t.split()) for t in texts)
    found = [o for o in originals if re.search(rf"(?<!\w){_pattern(o)}(?!\w)", shown)]
    return sorted(found)


def _pattern(text: str) -> str:
    return re.escape(" ".join(text.split()))


def _english_words(texts: list[str], content: Content) -> list[str]:
    own = " ".join(_all_texts(content))
    return sorted(
        {m.group(0) for t in texts for m in ENGLISH_WORDS.finditer(t) if m.group(0) not in own}
    )


@pytest.mark.parametrize("locale", TRANSLATED)
async def test_no_screen_of_any_platform_shows_english(tmp_path: Path, locale: str) -> None:
    runtime = _runtime(tmp_path, locale)
    content = runtime.book.content(locale)
    originals = english_originals(content)
    assert len(originals) > 200, "the English to look for"
    screens = {
        "terminal": terminal_screens(runtime, content),
        "slack": slack_screens(runtime, content),
        "discord": await discord_screens(runtime, content),
        "teams": teams_screens(runtime, content),
    }
    for platform, texts in screens.items():
        assert texts, platform
        assert _leftovers(texts, originals) == [], platform
        assert _english_words(texts, content) == [], platform


async def test_the_discord_screens_read_include_the_forms_placeholders(tmp_path: Path) -> None:
    runtime = _runtime(tmp_path, "de")
    words = runtime.book.content("de").messages
    discord = await discord_screens(runtime, runtime.book.content("de"))
    assert words["discord.admin.form_title"] in discord
    assert words["discord.admin.roles_placeholder"] in discord


async def test_the_check_finds_english_where_it_is_left(tmp_path: Path) -> None:
    # the same screens in English are full of it: the check can fail
    runtime = _runtime(tmp_path, "en")
    german = runtime.book.content("de")
    english = terminal_screens(runtime, runtime.book.content("en"))
    assert len(_leftovers(english, english_originals(german))) > 100
    assert _english_words(english, german)
    # one English sentence dropped into a German screen is found
    assert _leftovers(["Willkommen. Saving…"], english_originals(german)) == ["Saving…"]


def test_the_screens_read_include_the_forms_titles_and_labels(tmp_path: Path) -> None:
    runtime = _runtime(tmp_path, "de")
    words = runtime.book.content("de").messages
    slack = slack_screens(runtime, runtime.book.content("de"))
    assert words["slack.form_title"] in slack and words["admin.labels.region"] in slack

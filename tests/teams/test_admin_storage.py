"""The real Teams app (the same web app, conversations and SDK connector the process serves) on
storage that keeps no settings, and on a database that cannot be reached: an admin is told so
kindly, and nothing changes. Every admin card, in every language and at its longest, is an
Adaptive Card Teams can show, under 28 KB."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.admin import NotSaved, fix_list, outcome_text
from adapters.conversation import ConversationService
from adapters.runtime import Runtime, build_runtime
from adapters.settings import Settings
from adapters.storage.interface import MonthCounts, NoStorage, Storage, WorkspacePrefs
from adapters.storage.stats import stats_text
from adapters.storage.validation import Invalid, validate_prefs
from adapters.teams.admin import TeamsAdmin, fingerprint
from adapters.teams.auth import MicrosoftKeys, TokenCheck
from adapters.teams.connector import BotToken, Connector
from adapters.teams.conversations import TeamsConversations
from adapters.teams.limits import MESSAGE_BYTES, message_problems, size_of
from adapters.teams.render import invoke_reply, message, notice_card
from adapters.teams.server import MESSAGES_PATH, build_web_app
from adapters.teams.settings import TeamsSettings
from tests.conftest import words
from tests.loopback import listen
from tests.storing import unreachable_storage
from tests.teams.conftest import STATE_SECRET, Person, actions, shown_text
from tests.teams.fake_microsoft import APP_ID, APP_PASSWORD, FakeMicrosoft
from tests.teams.test_admin import ADMIN, inputs, save_action
from tests.teams.test_cards import LOCALES, assert_adaptive_card
from tests.test_no_english import _english_words, _leftovers, _strings, english_originals

EN = words("en")


def _runtime(folder: Path, microsoft: FakeMicrosoft | None = None, locale: str = "en") -> Runtime:
    teams = TeamsSettings(
        app_id=APP_ID,
        app_password=APP_PASSWORD,
        openid_url=microsoft.openid_url if microsoft else None,
        token_url=microsoft.token_url if microsoft else None,
        admins=frozenset({ADMIN}),
    )
    return build_runtime(
        Settings(
            state_secret=STATE_SECRET,
            data_dir=folder,
            default_locale=locale,
            default_region="GB",
            eap_contact="https://eap.example.com",
            sections=(teams,),
        )
    )


@dataclass
class App:
    """The Teams app served on loopback, as Person expects a bot to be."""

    url: str


async def _serve(microsoft: FakeMicrosoft, storage: Storage, folder: Path) -> AsyncIterator[App]:
    runtime = _runtime(folder, microsoft)
    teams = runtime.settings.section(TeamsSettings)
    async with aiohttp.ClientSession() as session:
        keys = MicrosoftKeys(teams.openid_url_or_default, lambda: session)
        connector = Connector(teams, BotToken(teams, lambda: session))
        service = ConversationService(runtime, storage)
        conversations = TeamsConversations(service, connector, teams.admins)
        web_app = build_web_app(conversations, TokenCheck(keys, APP_ID))
        runner, base = await listen(web_app)
        try:
            yield App(base + MESSAGES_PATH)
        finally:
            await runner.cleanup()
            await connector.close()


@pytest.fixture
async def without_database(microsoft, tmp_path) -> AsyncIterator[App]:
    async for app in _serve(microsoft, NoStorage(), tmp_path):
        yield app


@pytest.fixture
async def database_away(microsoft, tmp_path) -> AsyncIterator[App]:
    storage = unreachable_storage(tmp_path)
    try:
        async for app in _serve(microsoft, storage, tmp_path / "data"):
            yield app
    finally:
        storage.close()


def _sam(app: App, microsoft: FakeMicrosoft, http: aiohttp.ClientSession) -> Person:
    return Person(app, microsoft, http, user="29:sam", aad=ADMIN, conversation="a:sam")


async def test_without_a_database_an_admin_is_told_so_kindly(without_database, microsoft, http):
    sam = _sam(without_database, microsoft, http)
    for command in ("settings", "stats"):
        (card,) = await sam.say(command)
        assert_adaptive_card(card)
        assert shown_text(card) == EN["admin.no_database"]
    # a Save pressed anyway (from a form shown before the database went) changes nothing
    action = {"verb": "cot:settings", "data": {"opened": fingerprint(WorkspacePrefs())}}
    card = await sam.press(action)
    assert shown_text(card) == EN["admin.no_database"]


async def test_with_the_database_away_a_save_says_it_could_not_save(database_away, microsoft, http):
    sam = _sam(database_away, microsoft, http)
    (form,) = await sam.say("settings")
    card = await sam.press(save_action(form, region="US", eap_contact="Ask HR"))
    assert_adaptive_card(card)
    assert EN["admin.not_saved"] in shown_text(card)
    # the form again, with what they typed, so they can try again later
    assert inputs(card)["region"] == "US" and inputs(card)["eap_contact"] == "Ask HR"
    (card,) = await sam.say("stats")
    assert EN["admin.no_stats"] in shown_text(card)


def _longest_cards(admin: TeamsAdmin, locale: str) -> list[dict[str, Any]]:
    """Every card an admin can be shown, filled as full as each can be."""
    content = admin.service.runtime.book.contents[locale]
    said = content.messages
    wrong = validate_prefs(
        {
            "region": "ZZZ" * 40,
            "eap_contact": "x" * 800,
            "coaching_contact": "javascript:" + "y" * 300,
            "locale": "xx" * 50,
        },
        regions=admin.workspaces.regions,
        locales=admin.workspaces.locales,
    )
    assert isinstance(wrong, Invalid)
    longest = {
        "region": "US",
        "eap_contact": "e" * 200,
        "coaching_contact": "c" * 200,
        "locale": locale,
    }
    months = [
        MonthCounts(f"2026-{m:02d}", dict.fromkeys(("started", "finished", "both"), 99995))
        for m in range(1, 7)
    ]
    cards = [
        admin.form(content, longest, "0" * 16),
        admin.form(content, longest, "0" * 16, fix_list(wrong, said), "Attention"),
        admin.form(content, longest, "0" * 16, outcome_text(NotSaved("away"), "x", said)),
        admin.not_admin_card(said, ADMIN),
        admin.stats_card(said, stats_text(months, said)),
        admin.stats_card(said, stats_text([], said)),
    ]
    for key in ("teams.admin.private_only", "teams.admin.not_here", "admin.no_database"):
        cards.append(notice_card(said[key]))
    return cards


@pytest.mark.parametrize("locale", LOCALES)
def test_every_admin_card_is_a_valid_adaptive_card_under_28_kb(tmp_path, locale):
    runtime = _runtime(tmp_path, locale=locale)
    admin = TeamsAdmin(ConversationService(runtime, NoStorage()), frozenset({ADMIN}))
    for card in _longest_cards(admin, locale):
        assert_adaptive_card(card)
        assert message_problems(message(card)) == []
        assert size_of(invoke_reply(card)) < MESSAGE_BYTES
    form = _longest_cards(admin, locale)[0]
    (save,) = actions(form)
    assert save["title"] == words(locale)["teams.admin.save"]
    assert save["verb"].startswith("cot:")


@pytest.mark.parametrize("locale", ("de", "fr", "es"))
def test_no_admin_card_shows_english_in_another_language(tmp_path, locale):
    runtime = _runtime(tmp_path, locale=locale)
    admin = TeamsAdmin(ConversationService(runtime, NoStorage()), frozenset({ADMIN}))
    content = runtime.book.contents[locale]
    texts = list(_strings(_longest_cards(admin, locale)))
    assert texts
    assert _leftovers(texts, english_originals(content)) == []
    assert _english_words(texts, content) == []

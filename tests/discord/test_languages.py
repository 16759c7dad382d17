"""Discord in the person's language: the interaction's locale, then the server's setting, then the
server's own language, then the default."""

from __future__ import annotations

import dataclasses
import functools

import pytest

from adapters.storage.interface import WorkspacePrefs
from bot.content import load_content
from bot.model import Content
from tests.conftest import CONTENT_ROOT, words
from tests.discord.conftest import ALEX, HR, Discord, Person, dm_channel, logged_in
from tests.discord.fake_discord import GUILD_ID
from tests.discord.test_conversation import path_to, safety_label
from tests.storing import sqlite_storage

DISCORD_LOCALES = {"de": "de", "fr": "fr", "es": "es-ES"}


@functools.cache
def _content(locale: str) -> Content:
    return load_content(CONTENT_ROOT, locale)


def speaking(person: Person, locale: str) -> Person:
    return dataclasses.replace(person, locale=locale)


@pytest.mark.parametrize("locale", ["de", "fr", "es"])
@pytest.mark.parametrize("outcome", ["coaching", "therapy", "both"])
async def test_a_walk_through_reaches_each_result_in_the_persons_language(
    bot: Discord, locale, outcome
):
    person = speaking(ALEX, DISCORD_LOCALES[locale])
    content = _content(locale)
    opened = await bot.command(person)
    (thread,) = bot.fake.threads.values()
    assert thread["name"] == words(locale).format("discord.thread_name", name="Alex")
    assert opened.message.content.startswith(words(locale)["discord.thread_opened"][:12])
    (message,) = bot.thread_messages()
    assert content.safety.text in message.content
    assert words(locale).format("discord.thread_welcome", mention=f"<@{ALEX.id}>") in (
        message.content
    )
    for label in path_to(content, outcome):
        message = (await bot.click(person, message, label)).message
    assert content.outcomes[outcome].title in message.content
    assert message.labels() == [
        words(locale)[key] for key in ("buttons.see_card", "buttons.start_over", "buttons.get_help")
    ]


@pytest.mark.parametrize("locale", ["de", "fr", "es"])
async def test_the_help_path_is_in_the_persons_language(bot: Discord, locale):
    person = speaking(ALEX, DISCORD_LOCALES[locale])
    content = _content(locale)
    await bot.command(person)
    (message,) = bot.thread_messages()
    seen = await bot.click(person, message, safety_label(content, "help"))
    assert words(locale)["help.intro"] in seen.message.content
    assert words(locale).format("help.emergency", number="999") in seen.message.content


async def test_a_walk_through_keeps_its_language_after_a_restart(bot: Discord, runtime):
    person = speaking(ALEX, "fr")
    content = _content("fr")
    await bot.command(person)
    (message,) = bot.thread_messages()
    seen = await bot.click(person, message, safety_label(content, "continue"))
    await bot.client.close()
    replacement = await logged_in(runtime)
    try:
        # the person's client is in German now; the walk-through began in French
        after = Discord(bot.fake, replacement)
        answer = content.questions[0].answers[0].label
        seen = await after.click(speaking(ALEX, "de"), seen.message, answer)
        assert content.questions[1].text in seen.message.content
    finally:
        await replacement.close()


@pytest.mark.parametrize(
    ("discord_says", "expected"),
    [("es-419", "es"), ("es-ES", "es"), ("fr", "fr"), ("en-GB", "en"), ("pt-BR", "en")],
)
async def test_a_region_variant_gets_the_nearest_language(bot: Discord, discord_says, expected):
    await bot.command(speaking(ALEX, discord_says))
    (message,) = bot.thread_messages()
    assert _content(expected).safety.text in message.content


@pytest.fixture
async def stored_bot(fake, runtime, api_base, tmp_path):
    workspaces = sqlite_storage(tmp_path)
    client = await logged_in(runtime, workspaces)
    yield Discord(fake, client), workspaces
    await client.close()


async def test_an_unknown_locale_gets_the_servers_setting_before_its_own_language(stored_bot):
    bot, workspaces = stored_bot
    await workspaces.save_settings("discord", GUILD_ID, WorkspacePrefs(locale="de"))
    bot.guild_locale = "fr"
    await bot.command(speaking(ALEX, "ja"))
    (message,) = bot.thread_messages()
    assert _content("de").safety.text in message.content


async def test_without_a_setting_the_servers_own_language_comes_next(bot: Discord):
    bot.guild_locale = "es-ES"
    await bot.command(speaking(ALEX, "ja"))
    (message,) = bot.thread_messages()
    assert _content("es").safety.text in message.content


async def test_no_language_the_content_has_is_the_default(bot: Discord):
    bot.guild_locale = "ko"
    await bot.command(speaking(ALEX, "ja"))
    (message,) = bot.thread_messages()
    assert _content("en").safety.text in message.content


async def test_the_channel_card_is_in_the_servers_language_whoever_posts_it(stored_bot):
    bot, workspaces = stored_bot
    await workspaces.save_settings("discord", GUILD_ID, WorkspacePrefs(locale="fr"))
    seen = await bot.command(speaking(HR, "de"), "card")
    (embed,) = seen.message.embeds
    assert embed["title"] == _content("fr").card.title
    assert seen.message.labels() == [words("fr")["buttons.take_privately"]]


async def test_in_a_dm_the_card_is_in_the_persons_language(bot: Discord):
    person = speaking(ALEX, "es-419")
    seen = await bot.command(person, "card", channel=dm_channel(person))
    (embed,) = seen.message.embeds
    assert embed["title"] == _content("es").card.title


async def test_refusals_and_usage_are_in_the_persons_language(bot: Discord):
    seen = await bot.command(speaking(ALEX, "de"), "card")
    assert seen.message.content == words("de")["discord.card_not_allowed"]
    seen = await bot.command(speaking(ALEX, "fr"), "help")
    assert seen.message.content == words("fr")["discord.usage"]

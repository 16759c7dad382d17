"""Damaged buttons and odd commands get a kind answer; nothing ever escapes as an error."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.discord.buttons import TEMPLATE, parse_custom_id
from bot.events import Event
from tests.discord.conftest import ALEX, Discord


@given(st.text(max_size=120))
def test_any_custom_id_parses_to_a_click_or_nothing(custom_id):
    click = parse_custom_id(custom_id)
    assert click is None or isinstance(click.event, Event.__args__)  # type: ignore[attr-defined]


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FFF), max_size=90))
def test_every_conversation_button_reaches_the_bot(tail):
    custom_id = f"cot:s:{tail.replace(':', '')}"
    assert TEMPLATE.fullmatch(custom_id) is not None


@pytest.mark.parametrize(
    "custom_id",
    [
        "cot::",
        "cot:s:extra",
        "cot:c9:" + "A" * 33,
        "cot:zz:" + "A" * 33,
        "cot:c1:é" + "A" * 32,
        "cot:k:",
        "cot:b:",
    ],
)
async def test_a_damaged_button_gets_a_kind_private_answer(bot: Discord, custom_id, caplog):
    caplog.set_level(logging.WARNING)
    await bot.command(ALEX)
    (message,) = bot.thread_messages()
    message.components[0]["components"][0]["custom_id"] = custom_id
    seen = await bot.click(ALEX, message, message.labels()[0])
    assert seen.callback["type"] == 4
    assert seen.callback["data"]["flags"] == 64
    assert seen.callback["data"]["content"] or seen.callback["data"]["embeds"]
    first_button = seen.callback["data"]["components"][0]["components"][0]["label"]
    assert first_button in ("Start", "Take it privately")
    assert bot.fake.messages[message.id].content == message.content, "the message stays as it was"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_an_unknown_show_choice_starts_the_walk_through(bot: Discord):
    seen = await bot.command(ALEX, show="something-new")
    assert "private thread" in seen.message.content


async def test_a_refused_reply_gets_one_line_and_the_bot_carries_on(bot: Discord):
    bot.fake.fail("POST", r"/callback$", 400, body={"message": "Invalid Form Body", "code": 50035})
    seen = await bot.command(ALEX, show="help")
    assert (
        seen.callback["data"]["content"]
        == "Sorry, my reply didn't get through just now. Please try again in a moment."
    )
    assert seen.callback["data"]["flags"] == 64
    seen = await bot.command(ALEX, show="help")
    assert "show: card" in seen.callback["data"]["content"]


async def test_an_unreadable_interaction_is_dropped_and_the_next_one_answered(bot: Discord, caplog):
    caplog.set_level(logging.WARNING)
    await bot.command(ALEX)
    (message,) = bot.thread_messages()
    payload = bot.click_payload(ALEX, message, message.labels()[0])
    bot.client._connection.parsers["INTERACTION_CREATE"]({**payload, "id": "not-a-snowflake"})
    assert any("could not be read" in r.getMessage() for r in caplog.records)
    seen = await bot.command(ALEX, show="help")
    assert "show: card" in seen.callback["data"]["content"]

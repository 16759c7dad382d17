"""Discord's REST API misbehaving: slow answers, hard rate limits, 5xx and refused connections.
The person gets one clear line where Discord still lets one through; the client lives on, and
the same conversation continues from its buttons afterwards.
"""

from __future__ import annotations

import logging
import time

import discord

from tests.discord.conftest import ALEX, SAM, Discord
from tests.loopback import free_port
from tests.reliability.conftest import SlowDiscord, wait_for_log

BUSY = "Discord is busy right now"


async def first_question(bot: Discord, person=ALEX):
    before = set(bot.fake.threads)
    await bot.command(person)
    (thread,) = set(bot.fake.threads) - before
    return next(m for m in bot.thread_messages() if m.channel_id == thread)


async def test_a_slow_discord_holds_up_only_the_reply_it_is_slow_on(bot: Discord):
    fake: SlowDiscord = bot.fake  # type: ignore[assignment]
    message = await first_question(bot)
    fake.slow("POST", r"/callback$", 2.0)
    slow_click = bot.click_payload(ALEX, message, "No")
    bot.feed(slow_click)
    started = time.monotonic()
    await first_question(bot, SAM)
    assert time.monotonic() - started < 1.5, "another person's command was not held up"
    seen = await bot.answered(slow_click)
    assert "Question 2 of 9" in seen.message.content


async def test_hard_rate_limits_on_every_reply_leave_the_client_working(bot: Discord, caplog):
    caplog.set_level(logging.WARNING)
    message = await first_question(bot)
    # the click's reply and the one-line notice are both refused
    bot.fake.fail("POST", r"/callback$", 429, times=2, body={"message": "Too many", "code": 0})
    payload = bot.click_payload(ALEX, message, "No")
    bot.feed(payload)
    await wait_for_log(caplog, "Could not tell the person about a problem")
    seen = await bot.click(ALEX, message, "No")
    assert "Question 2 of 9" in seen.message.content


async def test_one_hard_rate_limit_gets_the_busy_line(bot: Discord):
    message = await first_question(bot)
    bot.fake.fail("POST", r"/callback$", 429, body={"message": "Too many", "code": 0})
    seen = await bot.click(ALEX, message, "No")
    assert seen.callback["data"]["content"].startswith(BUSY)
    assert seen.callback["data"]["flags"] == 64


async def test_server_errors_and_soft_rate_limits_are_waited_out(bot: Discord):
    bot.fake.fail("POST", r"/threads$", 502)
    bot.fake.fail(
        "POST",
        r"/channels/\d+/messages$",
        429,
        body={"message": "You are being rate limited.", "retry_after": 0.2, "global": False},
        headers={"Via": "1.1 google", "X-RateLimit-Scope": "user"},
    )
    message = await first_question(bot)
    assert "Question 1 of 9" in message.content
    statuses = [c.status for c in bot.fake.calls if c.method == "POST" and "/threads" in c.path]
    assert statuses == [502, 201]


async def test_refused_connections_then_discord_returns(bot: Discord, caplog, monkeypatch):
    caplog.set_level(logging.WARNING)
    message = await first_question(bot)
    monkeypatch.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{free_port()}/api/v10")
    payload = bot.click_payload(ALEX, message, "No")
    bot.feed(payload)
    await wait_for_log(caplog, "Could not tell the person about a problem")
    assert "Discord could not be reached (ClientConnectorError)" in caplog.text
    # nothing escaped to discord.py's own handler, whose line names the button ("label='No'")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "'No'" not in caplog.text
    monkeypatch.setattr(discord.http.Route, "BASE", bot.fake.base)
    seen = await bot.click(ALEX, message, "No")
    assert "Question 2 of 9" in seen.message.content
    content = bot.client.runtime.book.content("en")
    for question in content.questions:
        seen = await bot.click(ALEX, seen.message, question.answers[0].label)
    assert "Where to go next" in seen.message.content

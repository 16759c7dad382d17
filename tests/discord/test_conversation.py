"""Whole conversations through the real discord.py client, as a person sees them."""

from __future__ import annotations

import itertools

import discord
import pytest

from bot.engine import outcome_for
from bot.model import Content
from tests.discord.conftest import (
    ALEX,
    HR,
    NEEDED,
    SAM,
    Discord,
    dm_channel,
    logged_in,
    text_channel,
    thread_channel,
)


def safety_label(content: Content, action: str) -> str:
    return next(a.label for a in content.safety.answers if a.action == action)


def path_to(content: Content, outcome: str) -> list[str]:
    """Answer labels (safety "no" first) that lead to `outcome`."""
    choices = [range(len(q.answers)) for q in content.questions]
    for answers in itertools.product(*choices):
        if outcome_for(content, answers) == outcome:
            labels = [q.answers[i].label for q, i in zip(content.questions, answers, strict=True)]
            return [safety_label(content, "continue"), *labels]
    raise AssertionError(f"no answers lead to {outcome}")


@pytest.fixture
def content(runtime) -> Content:
    return runtime.book.content("en")


async def test_quiz_opens_a_private_thread_with_the_first_question(bot: Discord, content):
    seen = await bot.command(ALEX)

    assert seen.callback == {"type": 5, "data": {"flags": 64}}
    (created,) = bot.fake.calls_for("POST", r"/channels/\d+/threads$")
    assert created.body["type"] == 12
    assert created.body["invitable"] is False
    assert "Alex" in created.body["name"]
    thread_id = next(iter(bot.fake.threads))
    assert bot.fake.thread_members == [(thread_id, ALEX.id)]
    (first,) = bot.thread_messages()
    assert f"{content.intro} {content.messages['intro_workplace']}" in first.content
    assert "Question 1 of 9" in first.content
    assert content.safety.text in first.content
    assert f"<@{ALEX.id}>" in first.content
    assert first.labels() == [*(a.label for a in content.safety.answers), "Get help now"]
    assert seen.message.ephemeral
    assert f"<#{thread_id}>" in seen.message.content
    assert seen.message.components == []
    order = [c.path.rsplit("/", 1)[-1] for c in bot.fake.calls if c.method != "GET"]
    assert order == ["callback", "threads", ALEX.id, "messages", "@original"], "defer comes first"


@pytest.mark.parametrize("outcome", ["coaching", "therapy", "both"])
async def test_a_full_conversation_reaches_each_result(bot: Discord, content, outcome):
    await bot.command(ALEX)
    (message,) = bot.thread_messages()
    for number, label in enumerate(path_to(content, outcome), start=1):
        assert f"Question {number} of 9" in message.content
        seen = await bot.click(ALEX, message, label)
        assert seen.callback["type"] == 7, "each click edits the same message"
        assert seen.message.id == message.id
        message = seen.message
    result = content.outcomes[outcome]
    assert result.title in message.content
    assert result.summary in message.content
    assert "Where to go next" in message.content
    assert content.messages["result.not_assessment"] in message.content
    assert message.labels() == ["See the full comparison", "Start over", "Get help now"]


async def test_safety_yes_ends_with_help_and_no_more_questions(bot: Discord, content):
    await bot.command(ALEX)
    (message,) = bot.thread_messages()
    seen = await bot.click(ALEX, message, safety_label(content, "help"))
    text = seen.message.content
    assert "If you are in danger right now, call 999." in text
    assert "Samaritans" in text
    assert "findahelpline.com" in text
    assert "Question 2" not in text
    assert not any(a.label in seen.message.labels() for a in content.questions[0].answers)
    assert "Continue" not in seen.message.labels()


async def test_not_sure_shows_help_then_lets_them_continue(bot: Discord, content):
    await bot.command(ALEX)
    (message,) = bot.thread_messages()
    seen = await bot.click(ALEX, message, safety_label(content, "help_then_continue"))
    assert "findahelpline.com" in seen.message.content
    seen = await bot.click(ALEX, seen.message, "Continue")
    assert "Question 2 of 9" in seen.message.content


async def test_back_and_start_over(bot: Discord, content):
    await bot.command(ALEX)
    (message,) = bot.thread_messages()
    seen = await bot.click(ALEX, message, safety_label(content, "continue"))
    seen = await bot.click(ALEX, seen.message, content.questions[0].answers[0].label)
    assert "Question 3 of 9" in seen.message.content
    seen = await bot.click(ALEX, seen.message, "Back")
    assert "Question 2 of 9" in seen.message.content
    assert content.questions[0].text in seen.message.content
    seen = await bot.click(ALEX, seen.message, "Start over")
    assert "Question 1 of 9" in seen.message.content
    assert seen.message.labels()[-1] == "Get help now"
    assert "Back" not in seen.message.labels()


async def test_get_help_now_and_see_the_card_keep_the_way_back(bot: Discord, content):
    await bot.command(ALEX)
    (message,) = bot.thread_messages()
    seen = await bot.click(ALEX, message, safety_label(content, "continue"))
    seen = await bot.click(ALEX, seen.message, "Get help now")
    assert "findahelpline.com" in seen.message.content
    seen = await bot.click(ALEX, seen.message, "Continue")
    assert "Question 2 of 9" in seen.message.content
    for label in path_to(content, "both")[1:]:
        seen = await bot.click(ALEX, seen.message, label)
    seen = await bot.click(ALEX, seen.message, "See the full comparison")
    (embed,) = seen.message.embeds
    assert len(embed["fields"]) == 18
    seen = await bot.click(ALEX, seen.message, "Back to where I was")
    assert seen.message.embeds == []
    assert content.outcomes["both"].title in seen.message.content


async def test_a_click_after_a_restart_continues(bot: Discord, runtime, content):
    await bot.command(ALEX)
    (message,) = bot.thread_messages()
    seen = await bot.click(ALEX, message, safety_label(content, "continue"))
    await bot.client.close()

    replacement = await logged_in(runtime)
    try:
        after = Discord(bot.fake, replacement)
        seen = await after.click(ALEX, seen.message, content.questions[0].answers[1].label)
        assert "Question 3 of 9" in seen.message.content
        assert seen.callback["type"] == 7
    finally:
        await replacement.close()


async def test_someone_elses_click_is_refused_privately_and_changes_nothing(bot: Discord, content):
    await bot.command(ALEX)
    (message,) = bot.thread_messages()
    before = message.content
    seen = await bot.click(SAM, message, safety_label(content, "continue"))
    assert seen.callback["type"] == 4
    assert seen.callback["data"]["flags"] == 64
    assert "someone else's" in seen.callback["data"]["content"]
    buttons = [b["label"] for row in seen.callback["data"]["components"] for b in row["components"]]
    assert "Start" in buttons, "their own walk-through is one press away"
    assert bot.fake.messages[message.id].content == before


async def test_someone_elses_get_help_shows_them_help_privately(bot: Discord, content):
    await bot.command(ALEX)
    (message,) = bot.thread_messages()
    before = message.content
    seen = await bot.click(SAM, message, "Get help now")
    assert seen.callback["type"] == 4
    assert seen.callback["data"]["flags"] == 64
    assert "findahelpline.com" in seen.callback["data"]["content"]
    assert bot.fake.messages[message.id].content == before


async def test_someone_elses_start_over_starts_their_own_privately(bot: Discord, content):
    await bot.command(ALEX)
    (message,) = bot.thread_messages()
    seen = await bot.click(ALEX, message, safety_label(content, "continue"))
    owners_view = seen.message.content
    seen = await bot.click(SAM, seen.message, "Start over")
    assert seen.callback["type"] == 4
    assert seen.callback["data"]["flags"] == 64
    assert "Question 1 of 9" in seen.callback["data"]["content"]
    assert bot.fake.messages[message.id].content == owners_view


async def test_without_thread_permission_it_runs_in_ephemeral_messages(bot: Discord, content):
    no_threads = discord.Permissions(NEEDED.value)
    no_threads.create_private_threads = False
    seen = await bot.command(ALEX, app_permissions=no_threads)

    assert bot.fake.calls_for("POST", r"/threads$") == []
    assert seen.message.ephemeral
    assert "not allowed to open private threads" in seen.message.content
    assert "Question 1 of 9" in seen.message.content
    seen = await bot.click(ALEX, seen.message, safety_label(content, "continue"))
    assert seen.callback["type"] == 7
    assert "Question 2 of 9" in seen.message.content
    assert "not allowed" not in seen.message.content


async def test_when_discord_forbids_the_thread_it_falls_back(bot: Discord, content):
    bot.fake.fail("POST", r"/threads$", 403, body={"message": "Missing Permissions", "code": 50013})
    seen = await bot.command(ALEX)
    assert "not allowed to open private threads" in seen.message.content
    assert seen.message.labels()[0] == content.safety.answers[0].label


async def test_when_the_thread_cannot_be_used_it_is_removed_and_falls_back(bot: Discord, content):
    bot.fake.fail("POST", r"/channels/\d+/messages$", 403, body={"message": "no", "code": 50001})
    seen = await bot.command(ALEX)
    assert "not allowed to open private threads" in seen.message.content
    assert bot.fake.calls_for("DELETE", r"/channels/\d+$")
    assert bot.fake.threads == {}


async def test_in_a_dm_it_runs_in_ephemeral_messages(bot: Discord, content):
    seen = await bot.command(ALEX, channel=dm_channel(ALEX))
    assert bot.fake.calls_for("POST", r"/threads$") == []
    assert "direct messages can't have threads" in seen.message.content
    seen = await bot.click(ALEX, seen.message, safety_label(content, "continue"))
    assert "Question 2 of 9" in seen.message.content


async def test_inside_a_thread_it_runs_in_ephemeral_messages(bot: Discord):
    seen = await bot.command(ALEX, channel=thread_channel())
    assert bot.fake.calls_for("POST", r"/threads$") == []
    assert "a thread can't hold another thread" in seen.message.content


async def test_help_is_private(bot: Discord):
    seen = await bot.command(ALEX, show="help")
    assert seen.callback["type"] == 4
    assert seen.callback["data"]["flags"] == 64
    assert "show: card" in seen.callback["data"]["content"]


async def test_an_unreadable_button_gets_a_kind_answer(bot: Discord, content):
    await bot.command(ALEX)
    (message,) = bot.thread_messages()
    message.components[0]["components"][0]["custom_id"] = "cot:c0:not-a-real-token"
    seen = await bot.click(ALEX, message, message.labels()[0])
    assert seen.callback["type"] == 4
    assert seen.callback["data"]["content"] == content.messages["refusals.tampered"]
    assert seen.callback["data"]["flags"] == 64


async def test_an_expired_walk_through_says_so_and_offers_a_new_start(bot: Discord, content):
    await bot.command(ALEX)
    (message,) = bot.thread_messages()
    bot.client.conversations.service.clock = lambda: 4_000_000_000.0
    seen = await bot.click(ALEX, message, safety_label(content, "continue"))
    assert seen.callback["data"]["content"] == content.messages["refusals.expired"]
    assert seen.callback["data"]["flags"] == 64
    bot.client.conversations.service.clock = __import__("time").time
    start = bot.fake.messages[max(bot.fake.messages, key=int)]
    seen = await bot.click(ALEX, start, "Start")
    assert seen.callback["type"] == 7, "Start on a private message continues right there"
    assert "Question 1 of 9" in seen.message.content


async def test_text_channel_name_reaches_the_thread_in_that_channel(bot: Discord):
    await bot.command(ALEX, channel=text_channel("700000000000000009", "wellbeing"))
    (created,) = bot.fake.calls_for("POST", r"/channels/\d+/threads$")
    assert created.path == "/channels/700000000000000009/threads"


async def test_hr_posts_the_card_and_take_it_privately_opens_a_thread(bot: Discord, content):
    seen = await bot.command(HR, show="card")
    assert seen.callback["type"] == 4
    assert not seen.message.ephemeral
    (embed,) = seen.message.embeds
    assert len(embed["fields"]) == 18
    assert [f["name"] for f in embed["fields"][:17]] == [r.topic for r in content.card.rows]
    assert "Adapted from CTI" in embed["footer"]["text"]
    assert seen.message.labels() == ["Take it privately"]

    took = await bot.click(SAM, seen.message, "Take it privately")
    assert took.callback == {"type": 5, "data": {"flags": 64}}
    assert bot.fake.thread_members[-1][1] == SAM.id
    assert "private thread" in took.message.content
    assert bot.fake.messages[seen.message.id].embeds == seen.message.embeds, "the card stays"


async def test_members_without_manage_messages_cannot_post_the_card(bot: Discord):
    seen = await bot.command(ALEX, show="card")
    assert seen.callback["data"]["flags"] == 64
    assert "Only members who can manage messages" in seen.callback["data"]["content"]
    assert "embeds" not in seen.callback["data"] or not seen.callback["data"]["embeds"]


async def test_rest_500_is_retried_and_the_person_never_notices(bot: Discord, content):
    await bot.command(ALEX)
    (message,) = bot.thread_messages()
    bot.fake.fail("POST", r"/callback$", 500)
    seen = await bot.click(ALEX, message, safety_label(content, "continue"))
    assert "Question 2 of 9" in seen.message.content
    assert [c.status for c in bot.fake.calls if c.path.endswith("/callback")][-2:] == [500, 200]


async def test_rate_limit_with_retry_after_is_waited_out(bot: Discord, content):
    bot.fake.fail(
        "POST",
        r"/threads$",
        429,
        body={"message": "You are being rate limited.", "retry_after": 0.05, "global": False},
        headers={"Via": "1.1 google", "X-RateLimit-Scope": "user"},
    )
    await bot.command(ALEX)
    assert len(bot.thread_messages()) == 1
    assert [c.status for c in bot.fake.calls if c.path.endswith("/threads")] == [429, 201]


async def test_a_hard_rate_limit_gets_one_clear_line_and_the_bot_carries_on(bot: Discord, content):
    await bot.command(ALEX)
    (message,) = bot.thread_messages()
    bot.fake.fail("POST", r"/callback$", 429, body={"message": "Too many", "code": 0})
    seen = await bot.click(ALEX, message, safety_label(content, "continue"))
    assert seen.callback["data"]["flags"] == 64
    assert seen.callback["data"]["content"].startswith("Discord is busy right now")
    seen = await bot.click(ALEX, message, safety_label(content, "continue"))
    assert "Question 2 of 9" in seen.message.content


async def test_a_hard_rate_limit_on_the_thread_falls_back(bot: Discord):
    bot.fake.fail("POST", r"/threads$", 429, body={"message": "Too many", "code": 0})
    seen = await bot.command(ALEX)
    assert "couldn't open a private thread just now" in seen.message.content
    assert "Question 1 of 9" in seen.message.content


async def test_a_missing_permission_gets_one_clear_line(bot: Discord, content):
    await bot.command(ALEX)
    (message,) = bot.thread_messages()
    bot.fake.fail(
        "POST", r"/callback$", 403, body={"message": "Missing Permissions", "code": 50013}
    )
    seen = await bot.click(ALEX, message, safety_label(content, "continue"))
    assert seen.callback["data"]["flags"] == 64
    assert seen.callback["data"]["content"].startswith("I'm not allowed to do that in this channel")
    seen = await bot.click(ALEX, message, safety_label(content, "continue"))
    assert "Question 2 of 9" in seen.message.content

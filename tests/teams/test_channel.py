"""In a channel or group chat: mentioning the bot with `card` posts the comparison card, whose
"Take it privately" starts a walk-through in a personal chat (made through the Bot Connector)."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.teams.conftest import Person, labels, shown_text
from tests.teams.fake_microsoft import APP_ID, TENANT

pytestmark = pytest.mark.slow

CHANNEL = "19:general@thread.tacv2;messageid=1700000000000"


@pytest.fixture
def channel_person(bot, microsoft, http):
    microsoft.forget()
    return Person(bot, microsoft, http, conversation=CHANNEL, conversation_type="channel")


def _rows(card):
    return [item for item in card["body"] if str(item.get("id", "")).startswith("row-")]


async def test_card_in_a_channel_posts_17_paired_rows_as_a_reply(
    channel_person, microsoft, content
):
    (card,) = await channel_person.say("<at>Coaching or therapy?</at> card")
    (call,) = microsoft.connector_calls()
    assert call.path.startswith(f"/amer/v3/conversations/{CHANNEL}/activities/activity-in-")
    rows = _rows(card)
    assert len(rows) == 17 == len(content.card.rows)
    for shown, row in zip(rows, content.card.rows, strict=True):
        topic, pair = shown["items"]
        assert topic["text"] == row.topic
        coaching, therapy = pair["columns"]
        assert coaching["items"][0]["text"] == row.coaching
        assert therapy["items"][0]["text"] == row.therapy
    text = shown_text(card)
    assert content.card.coaching_heading in text and content.card.therapy_heading in text
    assert content.card.similarities_title in text
    assert content.card.attribution in text
    assert labels(card) == ["Take it privately"]


async def test_other_words_in_a_channel_explain_and_start_nothing(channel_person, content):
    (card,) = await channel_person.say("<at>Coaching or therapy?</at> hello")
    assert "mention me with the word card" in shown_text(card)
    assert "Question" not in shown_text(card)


async def test_take_it_privately_opens_a_personal_chat_with_the_walk_through(
    channel_person, microsoft
):
    (card,) = await channel_person.say("<at>Coaching or therapy?</at> card")
    microsoft.forget()
    answer = await channel_person.click("Take it privately", card)
    # the channel card stays, with a line for whoever clicked
    assert "started your walk-through in a private chat" in shown_text(answer)
    assert len(_rows(answer)) == 17
    create, send = microsoft.connector_calls()
    assert (create.method, create.path) == ("POST", "/amer/v3/conversations")
    assert create.body["members"] == [{"id": "29:alice"}]
    assert create.body["bot"] == {"id": f"28:{APP_ID}"}
    assert create.body["tenantId"] == TENANT
    assert send.path.startswith("/amer/v3/conversations/a:personal-")
    assert send.path.endswith("/activities")
    walk = send.body["attachments"][0]["content"]
    assert "Question 1 of 9" in shown_text(walk)


async def test_when_no_personal_chat_can_be_made_it_says_how_to_open_one(
    channel_person, microsoft, bot
):
    (card,) = await channel_person.say("<at>Coaching or therapy?</at> card")
    microsoft.forget()
    microsoft.fail("/amer/v3/conversations", 403)
    answer = await channel_person.click("Take it privately", card)
    assert "Open one yourself" in shown_text(answer)
    assert len(_rows(answer)) == 17
    assert "could not start a walk-through in a private chat" in bot.output()


async def test_in_a_group_chat_too(bot, microsoft, http):
    microsoft.forget()
    person = Person(
        bot, microsoft, http, conversation="19:group@thread.v2", conversation_type="groupChat"
    )
    (card,) = await person.say("<at>Coaching or therapy?</at>   CARD ")
    assert len(_rows(card)) == 17


async def test_a_private_chat_slow_to_open_still_gets_its_walk_through(channel_person, microsoft):
    (card,) = await channel_person.say("<at>Coaching or therapy?</at> card")
    microsoft.forget()
    microsoft.slow("/amer/v3/conversations", 6)
    answer = await channel_person.click("Take it privately", card)
    # Teams would give up on a click answered this late; the person is told how to open it
    assert "Open one yourself" in shown_text(answer)
    deadline = time.monotonic() + 30
    while not [
        c
        for c in microsoft.connector_calls()
        if c.path.startswith("/amer/v3/conversations/a:personal-")
    ]:
        assert time.monotonic() < deadline, "the walk-through never reached the private chat"
        await asyncio.sleep(0.1)
    (walk,) = microsoft.sent_cards()
    assert "Question 1 of 9" in shown_text(walk)

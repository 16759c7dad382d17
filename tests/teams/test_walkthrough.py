"""A walk-through in a personal chat with the real `coach-or-therapy teams` process: any message
starts it, each click is an invoke whose answer replaces the card in place."""

from __future__ import annotations

import pytest

from tests.teams.conftest import Person, actions, labels, shown_text
from tests.teams.fake_microsoft import APP_ID, BOT_TOKEN_PREFIX

pytestmark = pytest.mark.slow

SAFETY_NO = "No"


@pytest.fixture
def person(bot, microsoft, http):
    microsoft.forget()
    return Person(bot, microsoft, http)


async def test_any_message_starts_with_the_intro_and_the_safety_question(
    person, microsoft, content
):
    cards = await person.say("hello there")
    assert len(cards) == 1
    card = cards[0]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    text = shown_text(card)
    assert "Question 1 of 9" in text
    assert content.safety.text in text
    assert content.intro.split("\n")[0].strip() in text
    assert labels(card) == [*(a.label for a in content.safety.answers), "Get help now"]
    assert all(a["type"] == "Action.Execute" for a in actions(card))
    # the reply went to the conversation's serviceUrl as a reply, with the bot's own token
    (call,) = microsoft.connector_calls()
    assert call.path.startswith("/amer/v3/conversations/a:alice-chat/activities/")
    assert call.authorization.startswith(f"Bearer {BOT_TOKEN_PREFIX}")
    assert call.body["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"


async def test_the_start_command_starts_too(person):
    (card,) = await person.say("<at>Coaching or therapy?</at> start")
    assert "Question 1 of 9" in shown_text(card)


@pytest.mark.parametrize(
    ("answer", "title"),
    [
        (0, "Coaching might be worth exploring"),
        (1, "Therapy or counselling might be worth exploring"),
        (2, "Both might be worth exploring"),
    ],
)
async def test_a_full_walk_through_reaches_each_result(person, microsoft, content, answer, title):
    await person.say("hi")
    await person.click(SAFETY_NO)
    for number, question in enumerate(content.questions, start=2):
        text = shown_text(person.card)
        assert f"Question {number} of 9" in text
        assert question.text in text
        assert labels(person.card)[-3:] == ["Back", "Start over", "Get help now"]
        await person.click(question.answers[answer].label)
    text = shown_text(person.card)
    assert title in text
    assert "Why this might fit" in text and "Where to go next" in text
    assert labels(person.card) == ["See the full comparison", "Start over", "Get help now"]
    # every click was answered in place: one message sent, at the start
    assert len(microsoft.connector_calls()) == 1


async def test_safety_yes_shows_help_and_ends(person):
    await person.say("hi")
    card = await person.click("Yes")
    text = shown_text(card)
    assert "If you are in danger right now, call 999" in text
    assert "Samaritans: call 116 123" in text
    assert "https://eap.example.com" in text
    assert "Question" not in text
    assert "Continue" not in labels(card)


async def test_get_help_now_then_carry_on(person):
    await person.say("hi")
    await person.click(SAFETY_NO)
    card = await person.click("Get help now")
    assert "call 999" in shown_text(card)
    card = await person.click("Continue")
    assert "Question 2 of 9" in shown_text(card)


async def test_back_and_start_over(person, content):
    await person.say("hi")
    await person.click(SAFETY_NO)
    await person.click(content.questions[0].answers[0].label)
    assert "Question 3 of 9" in shown_text(person.card)
    card = await person.click("Back")
    assert "Question 2 of 9" in shown_text(card)
    assert content.questions[0].text in shown_text(card)
    card = await person.click("Start over")
    assert "Question 1 of 9" in shown_text(card)
    assert "Back" not in labels(card)


async def test_help_explains_and_card_shows_the_comparison(person, content):
    (usage,) = await person.say("help")
    assert "mention me with the word card" in shown_text(usage)
    (card,) = await person.say("card")
    assert content.card.title in shown_text(card)
    assert "Take it privately" in labels(card)
    walk = await person.click("Take it privately")
    assert "Question 1 of 9" in shown_text(walk)


async def test_someone_elses_card_is_refused_kindly(bot, microsoft, http, person):
    await person.say("hi")
    theirs = await person.click(SAFETY_NO)
    answer = next(a for a in actions(theirs) if a["verb"] == "cot:c0")
    bob = Person(bot, microsoft, http, user="29:bob", aad="aad-bob", conversation="a:bob-chat")
    card = await bob.press(answer)
    assert "belong to someone else's walk-through" in shown_text(card)
    assert labels(card) == ["Start", "Get help now"]
    # and Alice's walk-through did not move
    mine = await person.press(answer)
    assert "Question 3 of 9" in shown_text(mine)


async def test_a_tampered_token_is_refused_kindly(person):
    await person.say("hi")
    card = await person.click(SAFETY_NO)
    answer = next(a for a in actions(card) if a["verb"] == "cot:c0")
    token = answer["data"]["token"]
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    refused = await person.press({**answer, "data": {"token": flipped}})
    assert "couldn't read that button" in shown_text(refused)
    for verb, data in (("cot:zz", {"token": token}), ("cot:c0", {"token": 17}), ("x", [])):
        garbage = await person.press({"verb": verb, "data": data})
        assert "couldn't read that button" in shown_text(garbage)
        assert labels(garbage) == ["Start", "Get help now"]


async def test_the_token_binds_the_tenant(bot, microsoft, http, person):
    await person.say("hi")
    card = await person.click(SAFETY_NO)
    answer = next(a for a in actions(card) if a["verb"] == "cot:c0")
    elsewhere = Person(bot, microsoft, http, tenant="00000000-0000-0000-0000-00000000beef")
    refused = await elsewhere.press(answer)
    assert "belong to someone else's walk-through" in shown_text(refused)


async def test_adding_the_bot_is_welcomed_with_a_start_button(person, microsoft):
    bot_id = f"28:{APP_ID}"
    status, _ = await person.post(
        person.activity("conversationUpdate", membersAdded=[{"id": bot_id}])
    )
    assert status == 200
    (welcome,) = microsoft.sent_cards()
    assert "Send me any message" in shown_text(welcome)
    assert labels(welcome) == ["Start"]
    (call,) = microsoft.connector_calls()
    assert call.path == "/amer/v3/conversations/a:alice-chat/activities"
    card = await person.click("Start", welcome)
    assert "Question 1 of 9" in shown_text(card)
    # someone else joining a chat, or the bot added to a team, sends nothing to the person
    microsoft.forget()
    await person.post(person.activity("conversationUpdate", membersAdded=[{"id": "29:bob"}]))
    assert microsoft.connector_calls() == []

"""The comparison card in a channel, Take it privately, the result's card, and App Home."""

from __future__ import annotations

from tests.slack.conftest import Person, button, buttons, shown_text


def row_sections(message):
    return [b for b in message["blocks"] if b.get("block_id", "").startswith("row-")]


async def test_card_is_posted_in_channel_with_17_rows(slack, content):
    message = await slack.command("card")
    assert message["response_type"] == "in_channel"
    rows = row_sections(message)
    assert len(rows) == 17
    first = content.card.rows[0]
    assert rows[0]["text"]["text"] == f"*{first.topic}*"
    assert [f["text"] for f in rows[0]["fields"]] == [first.coaching, first.therapy]
    text = shown_text(message)
    assert "*Coaching*" in text and "*Therapy*" in text
    assert "What they have in common" in text
    assert "Adapted from CTI" in text
    assert [b["text"]["text"] for b in buttons(message)] == ["Take it privately"]
    assert "value" not in buttons(message)[0], "the channel card carries nobody's state"
    assert message["text"] == content.card.title


async def test_take_it_privately_starts_a_private_walk_through_and_keeps_the_card(slack):
    card = await slack.command("card")
    someone = Person(slack, user="U2")
    reply = await someone.click("Take it privately", on=card, ephemeral=False)
    assert reply["replace_original"] is False
    assert reply["response_type"] == "ephemeral"
    assert "Question 1 of 9" in shown_text(reply)


async def test_the_card_can_be_limited_to_some_channels(serve):
    server = await serve(slack_card_channels=("CHR",))
    elsewhere = await server.command("card", channel="C1")
    assert elsewhere["response_type"] == "ephemeral"
    assert "can't be posted in this channel" in shown_text(elsewhere)
    assert not row_sections(elsewhere)
    allowed = await server.command("card", channel="CHR")
    assert allowed["response_type"] == "in_channel"
    assert len(row_sections(allowed)) == 17


async def test_see_the_full_comparison_keeps_the_result(slack, content):
    person = Person(slack)
    await person.start()
    await person.click("No")
    for question in content.questions:
        await person.click(question.answers[0].label)
    result = person.message
    reply = await person.click("See the full comparison")
    assert reply["replace_original"] is False
    assert len(row_sections(reply)) == 17
    assert person.message is result
    back = await person.click("Back to where I was", on=reply)
    assert "Coaching might be worth exploring" in shown_text(back)


async def test_app_home_is_published_and_its_start_opens_a_dm(slack):
    status = await slack.event({"type": "app_home_opened", "user": "U7", "tab": "home"})
    assert status == 200
    published = await slack.fake.wait_for(f"{slack.fake.base}/api/views.publish")
    assert published[0]["user_id"] == "U7"
    view = published[0]["view"]
    assert view["type"] == "home"
    text = shown_text(view)
    assert "not a coach or a clinician" in text
    assert len(row_sections(view)) == 17
    start = button(view, "Start")
    await slack.click(start, user="U7", view=True)
    posted = await slack.fake.wait_for(f"{slack.fake.base}/api/chat.postMessage")
    assert posted[0]["channel"] == "U7"
    assert "Question 1 of 9" in shown_text(posted[0])
    assert posted[0]["text"]

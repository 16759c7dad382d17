"""A person's walk-through, through the real app over real HTTP."""

from __future__ import annotations

import pytest

from adapters.storage.interface import WorkspacePrefs
from tests.slack.conftest import Person, buttons, shown_text
from tests.storing import counted, sqlite_storage, statements_sent, storage_on, unreachable_storage

SAFETY_NO = "No"


def labels(message):
    return [b["text"]["text"] for b in buttons(message)]


async def test_slash_command_answers_with_the_private_safety_question(slack):
    person = Person(slack)
    message = await person.start()
    assert message["response_type"] == "ephemeral"
    text = shown_text(message)
    assert "not a coach or a clinician" in text
    # Slack is a workplace platform: the intro says who controls the workspace
    assert "This workspace's admins control the workspace." in text
    assert "Question 1 of 9" in text
    assert "ending your life" in text
    assert labels(message) == ["Yes", "I'm not sure", "No", "Get help now"]
    assert message["text"].startswith("Question 1 of 9")
    # the question comes inside the ack: besides Bolt's own auth.test, Slack is only asked the
    # person's language
    assert {c.path for c in slack.fake.calls} <= {"/api/auth.test", "/api/users.info"}
    (asked,) = slack.fake.api_method("users.info")
    assert asked["user"] == "U1" and asked["include_locale"] in ("1", "true")


async def test_start_word_also_starts(slack):
    message = await Person(slack).start("start")
    assert "Question 1 of 9" in shown_text(message)


@pytest.mark.parametrize(
    ("answer", "title"),
    [
        (0, "Coaching might be worth exploring"),
        (1, "Therapy or counselling might be worth exploring"),
        (2, "Both might be worth exploring"),
    ],
)
async def test_a_full_conversation_reaches_each_result(slack, content, answer, title):
    person = Person(slack)
    await person.start()
    await person.click(SAFETY_NO)
    for number, question in enumerate(content.questions, start=2):
        text = shown_text(person.message)
        assert f"Question {number} of 9" in text
        assert question.text in text
        assert labels(person.message)[-3:] == ["Back", "Start over", "Get help now"]
        reply = await person.click(question.answers[answer].label)
        assert reply["replace_original"] is True
    result = person.message
    text = shown_text(result)
    assert title in text
    assert "Why this might fit" in text
    assert "Where to go next" in text
    assert "isn't an assessment" in text and "not saved" in text
    assert labels(result) == ["See the full comparison", "Start over", "Get help now"]
    assert title in result["text"]


async def test_safety_yes_shows_help_and_ends(slack):
    person = Person(slack)
    await person.start()
    reply = await person.click("Yes")
    text = shown_text(reply)
    assert "If you are in danger right now, call 999" in text
    assert "Samaritans: call 116 123" in text
    assert "findahelpline.com" in text
    assert "https://eap.example.com" in text
    assert "Question" not in text
    assert "Continue" not in labels(reply)
    assert reply["replace_original"] is True


async def test_not_sure_shows_help_then_carries_on(slack):
    person = Person(slack)
    await person.start()
    reply = await person.click("I'm not sure")
    assert "call 999" in shown_text(reply)
    assert "Continue" in labels(reply)
    reply = await person.click("Continue")
    assert "Question 2 of 9" in shown_text(reply)


async def test_back_and_start_over(slack, content):
    person = Person(slack)
    await person.start()
    await person.click(SAFETY_NO)
    await person.click(content.questions[0].answers[0].label)
    assert "Question 3 of 9" in shown_text(person.message)
    reply = await person.click("Back")
    assert "Question 2 of 9" in shown_text(reply)
    assert content.questions[0].text in shown_text(reply)
    reply = await person.click("Start over")
    assert "Question 1 of 9" in shown_text(reply)
    assert "Back" not in labels(reply)


async def test_get_help_now_is_on_every_question_and_help_can_be_left(slack):
    person = Person(slack)
    await person.start()
    await person.click(SAFETY_NO)
    reply = await person.click("Get help now")
    assert "call 999" in shown_text(reply)
    reply = await person.click("Continue")
    assert "Question 2 of 9" in shown_text(reply)


async def test_help_and_unknown_words_show_usage(slack):
    for text in ("help", "what is this"):
        message = await Person(slack).start(text)
        assert message["response_type"] == "ephemeral"
        assert "/coach-or-therapy card" in shown_text(message)
        assert message["text"]


async def test_a_click_on_another_replica_continues(serve, content):
    first, second = await serve(), await serve()
    person = Person(first)
    await person.start()
    await person.click(SAFETY_NO)
    person.server = second
    reply = await person.click(content.questions[0].answers[0].label)
    assert "Question 3 of 9" in shown_text(reply)


async def test_workspace_settings_shape_the_help_and_counts_are_anonymous(serve, content, tmp_path):
    storage = sqlite_storage(tmp_path)
    await storage.save_settings(
        "slack", "T1", WorkspacePrefs(region="US", eap_contact="call 555 0100")
    )
    person = Person(await serve(workspaces=storage))
    await person.start()
    reply = await person.click("I'm not sure")
    text = shown_text(reply)
    assert "call 911" in text and "988" in text and "Samaritans" not in text
    assert "call 555 0100" in text
    await person.click("Continue")
    for question in content.questions:
        await person.click(question.answers[0].label)
    await storage.counts.flush()
    assert counted(storage.engine) == [
        ("slack", "T1", "coaching", 1),
        ("slack", "T1", "finished", 1),
        ("slack", "T1", "help_shown", 1),
        ("slack", "T1", "started", 1),
    ]
    storage.close()


async def test_storage_trouble_never_reaches_the_person(serve, content, tmp_path):
    person = Person(await serve(workspaces=unreachable_storage(tmp_path)))
    await person.start()
    reply = await person.click(SAFETY_NO)
    assert "Question 2 of 9" in shown_text(reply)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
async def test_warm_settings_cost_no_database_round_trip_per_click(
    serve, content, tmp_path, request, database
):
    if database == "sqlite":
        storage = sqlite_storage(tmp_path)
    else:
        server = request.getfixturevalue("postgres_server")
        janitor = server.janitor("slack_warm")
        janitor.init()
        request.addfinalizer(janitor.drop)
        storage = storage_on(server.url("slack_warm"))
    await storage.save_settings("slack", "T1", WorkspacePrefs(region="US"))
    person = Person(await serve(workspaces=storage))
    with statements_sent(storage.engine) as watched:
        await person.start()
        await person.click(SAFETY_NO)
        for question in content.questions:
            await person.click(question.answers[0].label)
        help_message = await person.click("Get help now")
    assert watched.sent == [], "no click waited on the database"
    assert "call 911" in shown_text(help_message), "the stored region was used"
    with statements_sent(storage.engine) as watched:
        await storage.counts.flush()
    assert len(watched.sent) == 1, "the counts went in one statement"
    storage.close()


async def test_extra_words_reach_their_handlers_and_a_failing_one_still_answers(serve, content):
    async def ping(bot, call):
        await call.ack({"response_type": "ephemeral", "text": f"pong {call.command.rest}"})

    async def broken(bot, call):
        raise RuntimeError("storage is down")

    server = await serve(commands={"ping": ping, "broken": broken})
    assert (await server.command("ping a b"))["text"] == "pong a b"
    reply = await server.command("broken")
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == content.messages["notices.reply_failed"]
    assert "Question 1 of 9" in shown_text(await server.command(""))


async def test_a_walk_through_is_counted_once_however_its_result_is_shown_again(
    serve, content, tmp_path
):
    storage = sqlite_storage(tmp_path)
    person = Person(await serve(workspaces=storage))
    await person.start()
    await person.click(SAFETY_NO)
    for question in content.questions[:-1]:
        await person.click(question.answers[0].label)
    last_question = person.message
    last_label = content.questions[-1].answers[0].label
    await person.click(last_label)
    for _ in range(3):
        await person.click("Get help now")
        await person.click("Continue")
        card = await person.click("See the full comparison")
        await person.click("Back to where I was", on=card)
    for _ in range(5):  # the last question's button again, from a client that still shows it
        await person.click(last_label, on=last_question)
    await person.click(content.questions[-1].answers[1].label, on=last_question)
    assert counted(await _flushed(storage)) == [
        ("slack", "T1", "coaching", 1),
        ("slack", "T1", "finished", 1),
        ("slack", "T1", "help_shown", 1),
        ("slack", "T1", "started", 1),
    ]
    storage.close()


async def _flushed(storage):
    await storage.counts.flush()
    return storage.engine

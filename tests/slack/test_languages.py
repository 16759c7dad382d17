"""Slack in the person's language: users.info's locale, then the workspace's, then the default."""

from __future__ import annotations

import asyncio
import functools

import pytest

from adapters.storage.interface import WorkspacePrefs
from bot.content import load_content
from bot.model import Content
from tests.conftest import CONTENT_ROOT, words
from tests.slack.conftest import Person, shown_text
from tests.storing import sqlite_storage

SLACK_LOCALES = {"de": "de-DE", "fr": "fr-FR", "es": "es-ES"}


@functools.cache
def _content(locale: str) -> Content:
    return load_content(CONTENT_ROOT, locale)


def _safety(locale: str, action: str) -> str:
    return next(a.label for a in _content(locale).safety.answers if a.action == action)


@pytest.mark.parametrize("locale", ["de", "fr", "es"])
@pytest.mark.parametrize("answer", [0, 1, 2])
async def test_a_walk_through_reaches_each_result_in_the_persons_language(slack, locale, answer):
    slack.fake.locales["U1"] = SLACK_LOCALES[locale]
    content = _content(locale)
    person = Person(slack)
    first = shown_text(await person.start())
    assert content.safety.text in first
    assert words(locale)["intro_workplace"] in first
    await person.click(_safety(locale, "continue"))
    for question in content.questions:
        assert question.text in shown_text(person.message)
        await person.click(question.answers[answer].label)
    result = shown_text(person.message)
    outcome = ("coaching", "therapy", "both")[answer]
    assert content.outcomes[outcome].title in result
    assert words(locale)["result.not_assessment"] in result


@pytest.mark.parametrize("locale", ["de", "fr", "es"])
async def test_the_help_path_is_in_the_persons_language(slack, locale):
    slack.fake.locales["U1"] = SLACK_LOCALES[locale]
    person = Person(slack)
    await person.start()
    help_ = shown_text(await person.click(_safety(locale, "help")))
    said = words(locale)
    assert said["help.intro"] in help_
    # the workspace's region (GB): its emergency number, in the person's words
    assert said.format("help.emergency", number="999") in help_
    assert "Samaritans" in help_


async def test_a_walk_through_keeps_its_language_on_another_replica_and_after_a_restart(
    serve, fake_slack
):
    first, second = await serve(), await serve()
    fake_slack.locales["U1"] = "fr-FR"
    person = Person(first)
    await person.start()
    await person.click(_safety("fr", "continue"))
    # Slack now says German (the person changed it); another replica takes the next click
    fake_slack.locales["U1"] = "de-DE"
    person.server = second
    questions = _content("fr").questions
    reply = await person.click(questions[0].answers[0].label)
    assert questions[1].text in shown_text(reply)
    # a third app, started after the others (a restart), carries on in French too
    person.server = await serve()
    reply = await person.click(questions[1].answers[0].label)
    assert questions[2].text in shown_text(reply)
    assert words("fr")["buttons.start_over"] in str(reply)


@pytest.mark.parametrize(
    ("slack_says", "expected"),
    [("es-419", "es"), ("fr-CA", "fr"), ("de-AT", "de"), ("DE-ch", "de"), ("en-GB", "en")],
)
async def test_a_region_variant_gets_the_nearest_language(slack, slack_says, expected):
    slack.fake.locales["U1"] = slack_says
    message = await Person(slack).start()
    assert _content(expected).safety.text in shown_text(message)


@pytest.mark.parametrize("slack_says", ["ja-JP", None, "", "<b>", "x" * 300, "de-DE; DROP"])
async def test_an_unknown_or_missing_locale_gets_the_workspaces_language(
    serve, fake_slack, tmp_path, slack_says
):
    workspaces = sqlite_storage(tmp_path)
    await workspaces.save_settings("slack", "T1", WorkspacePrefs(locale="es"))
    server = await serve(workspaces=workspaces)
    if slack_says is not None:
        fake_slack.locales["U1"] = slack_says
    message = await Person(server).start()
    assert _content("es").safety.text in shown_text(message)


async def test_no_locale_and_no_workspace_setting_is_the_default(serve, fake_slack):
    server = await serve(default_locale="fr")
    message = await Person(server).start()
    assert _content("fr").safety.text in shown_text(message)


async def test_a_failing_users_info_answers_in_the_workspaces_language(slack):
    slack.fake.fail("/api/users.info", 500, times=10)
    slack.fake.locales["U1"] = "de-DE"
    message = await Person(slack).start()
    assert _content("en").safety.text in shown_text(message)


async def test_users_info_is_asked_once_per_person(slack):
    slack.fake.locales.update({"U1": "de-DE", "U2": "fr-FR"})
    for user in ("U1", "U1", "U2", "U1"):
        person = Person(slack, user=user)
        await person.start()
        await person.start("help")
    asked = [c["user"] for c in slack.fake.api_method("users.info")]
    assert sorted(asked) == ["U1", "U2"]


async def test_the_channel_card_is_in_the_workspaces_language_whoever_asks(
    serve, fake_slack, tmp_path
):
    workspaces = sqlite_storage(tmp_path)
    await workspaces.save_settings("slack", "T1", WorkspacePrefs(locale="de"))
    server = await serve(workspaces=workspaces)
    fake_slack.locales["U1"] = "fr-FR"
    card = await Person(server).start("card")
    assert card["response_type"] == "in_channel"
    assert card["text"] == _content("de").card.title


async def test_a_slow_users_info_never_holds_the_first_question(serve, fake_slack, caplog):
    # users.info answers only once the test lets it
    released, answered = asyncio.Event(), asyncio.Event()
    fake_slack.locales["U1"] = "de-DE"
    original = fake_slack.answer

    async def held(request, body):
        if request.path == "/api/users.info":
            await released.wait()
            try:
                return await original(request, body)
            finally:
                answered.set()
        return await original(request, body)

    fake_slack.answer = held
    server = await serve()
    first = await Person(server).start()
    # answered in the workspace's language while Slack is still thinking: the question was
    # neither waiting for users.info nor for the question to it to be given up
    assert _content("en").safety.text in shown_text(first)
    assert not answered.is_set()
    assert not [r for r in caplog.records if "users.info failed" in r.getMessage()]
    released.set()
    await answered.wait()
    # the answer that came late is used from the person's next message on, without asking again
    second = await Person(server).start()
    assert _content("de").safety.text in shown_text(second)
    assert len(server.fake.api_method("users.info")) == 1

"""When Microsoft has trouble: the Bot Connector answering 500 or 429 is tried again, and when
it keeps failing the process writes one clear line; the next conversation works."""

from __future__ import annotations

import pytest

from tests.teams.conftest import Person, shown_text

pytestmark = pytest.mark.slow

REPLIES = "/amer/v3/conversations/a:alice-chat/activities"
NOT_DELIVERED = "a reply was not delivered"


@pytest.fixture
def person(bot, microsoft, http):
    microsoft.forget()
    return Person(bot, microsoft, http)


def _sends(microsoft):
    return [c for c in microsoft.connector_calls() if c.path.startswith(REPLIES)]


async def test_a_500_is_tried_again(person, microsoft):
    microsoft.fail(REPLIES, 500, times=2)
    (card,) = await person.say("hi")
    assert "Question 1 of 9" in shown_text(card)
    assert len(_sends(microsoft)) == 3


async def test_a_429_waits_its_retry_after_and_tries_again(person, microsoft):
    microsoft.fail(REPLIES, 429, times=1, **{"Retry-After": "1"})
    (card,) = await person.say("hi")
    assert "Question 1 of 9" in shown_text(card)
    assert len(_sends(microsoft)) == 2


async def test_a_connector_that_keeps_failing_is_one_clear_line(person, microsoft, bot):
    before = bot.output().count(NOT_DELIVERED)
    microsoft.fail(REPLIES, 500, times=3)
    status, _ = await person.post(person.activity("message", text="hi"))
    assert status == 200
    output = bot.output()
    assert output.count(NOT_DELIVERED) == before + 1
    line = next(line for line in output.splitlines()[::-1] if NOT_DELIVERED in line)
    assert "HTTP 500" in line and "3 tries" in line
    assert "Traceback" not in output
    # and the next message is answered
    (card,) = await person.say("hi")
    assert "Question 1 of 9" in shown_text(card)


async def test_the_bot_token_is_fetched_once_and_kept(person, microsoft):
    for _ in range(3):
        await person.say("hi")
    assert not [c for c in microsoft.calls if "oauth2" in c.path]
    tokens = {c.authorization for c in microsoft.connector_calls()}
    assert len(tokens) == 1


async def test_an_invoke_the_bot_does_not_handle_is_never_a_5xx(person):
    for name in ("composeExtension/query", "task/fetch", "signin/verifyState", "", "x" * 300):
        status, _ = await person.post(person.activity("invoke", name=name, value={}))
        assert 200 <= status < 500, name


async def test_other_activities_are_acknowledged(person, microsoft):
    for kind in ("conversationUpdate", "messageReaction", "typing", "installationUpdate"):
        status, _ = await person.post(person.activity(kind, membersAdded=[{"id": "29:alice"}]))
        assert status == 200
    assert microsoft.connector_calls() == []


async def test_a_bot_token_the_connector_refuses_is_fetched_again(person, microsoft):
    microsoft.fail(REPLIES, 401)
    (card,) = await person.say("hi")
    assert "Question 1 of 9" in shown_text(card)
    refused, delivered = _sends(microsoft)
    assert refused.status == 401 and delivered.status < 300
    assert refused.authorization != delivered.authorization
    assert len([c for c in microsoft.calls if "oauth2" in c.path]) == 1

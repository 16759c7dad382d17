"""SIGTERM while replies are on their way: the real `coach-or-therapy slack` process finishes
them, exits 0, and after a restart every open conversation carries on from its buttons.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.reliability.conftest import FaultySlack, finish_on_slack, finish_remaining
from tests.slack.conftest import Person, SlackServer, button, shown_text

pytestmark = pytest.mark.slow

SLOW_REPLY_SECONDS = 2.0
PEOPLE = 4


async def test_sigterm_finishes_replies_in_flight_and_conversations_survive_a_restart(
    slack_process, http, fake_slack: FaultySlack, content: Any
):
    process = await slack_process(http)
    server = SlackServer(process.url, fake_slack, http)
    people = [Person(server, user=f"U{n}") for n in range(1, PEOPLE + 1)]
    for person in people:
        await person.start()
        await person.click("No")

    in_flight: list[tuple[Person, str]] = []
    for person in people:
        fake_slack.slow_next_response(SLOW_REPLY_SECONDS)
        label = content.questions[0].answers[1].label
        url = await server.click(button(person.message, label), user=person.user)
        in_flight.append((person, url))
    while len([u for _, u in in_flight if fake_slack.tries(u)]) < PEOPLE:
        await asyncio.sleep(0.01)

    code, output = await process.terminate()
    assert code == 0, output
    assert "Traceback" not in output
    for person, url in in_flight:
        replies = fake_slack.at(url)
        assert replies, "the reply in flight at SIGTERM was finished before exiting"
        assert "Question 3 of 9" in shown_text(replies[0])
        person.message = replies[0]

    restarted = await slack_process(http, port=process.port)
    for person in people:
        result = await finish_remaining(person, content)
        assert "Where to go next" in shown_text(result)
    await finish_on_slack(Person(server, user="UNEW"), content)
    code, output = await restarted.terminate()
    assert code == 0, output

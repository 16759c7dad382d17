"""SIGTERM while replies are on their way: the real `coach-or-therapy slack` process finishes
them, exits 0, and after a restart every open conversation carries on from its buttons.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from adapters.storage import rows
from adapters.storage.database import make_engine
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


async def test_totals_are_exact_across_a_graceful_stop(
    slack_process, http, fake_slack: FaultySlack, content: Any, tmp_path
):
    # counts are written once a second; the ones still in memory at SIGTERM are written on the
    # way out, so stopping right after a walk-through loses none of them
    database = tmp_path / "data" / "coach-or-therapy.db"
    for round_ in range(2):
        process = await slack_process(http)
        server = SlackServer(process.url, fake_slack, http)
        for n in range(3):
            await finish_on_slack(Person(server, user=f"U{round_}{n}"), content)
        code, output = await process.terminate()
        assert code == 0, output
        engine = make_engine(f"sqlite:///{database}")
        try:
            (month,) = rows.read_months(engine, "slack", "T1", 6)
        finally:
            engine.dispose()
        done = 3 * (round_ + 1)
        assert month.counts == {"started": done, "finished": done, "coaching": done}

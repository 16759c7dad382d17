"""The real PostgreSQL server stops in the middle of walk-throughs on the real Slack app: every
walk-through carries on (with the settings already known, or the defaults for a workspace not yet
seen), and the counts kept meanwhile are written once the server is back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.runtime import build_runtime
from adapters.slack.app import build_app
from adapters.storage.database import make_engine, upgrade
from adapters.storage.health import RETRY_AFTER_SECONDS
from adapters.storage.interface import WorkspacePrefs
from adapters.storage.store import DatabaseStorage
from tests.reliability.conftest import (
    FaultySlack,
    finish_on_slack,
    finish_remaining,
    wait_for_log,
)
from tests.slack.conftest import (
    Clock,
    Person,
    Servers,
    SlackServer,
    shown_text,
    slack_settings,
)
from tests.storage.postgres import Server, start_server
from tests.storing import exact_months

STORED_COACHING = "Ask Priya in the People team"
DEFAULT_COACHING = "coaching@example.com"


@pytest.fixture
def own_postgres() -> Iterator[Server]:
    """A PostgreSQL server of this test's own, so stopping it disturbs no other test."""
    server = start_server()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture
async def stored(
    own_postgres: Server, fake_slack: FaultySlack, tmp_path: Path
) -> AsyncIterator[tuple[SlackServer, DatabaseStorage, Clock]]:
    own_postgres.janitor("bot").init()
    engine = make_engine(own_postgres.url("bot"))
    upgrade(engine)
    clock = Clock()
    workspaces = DatabaseStorage(engine, clock=clock)
    runtime = build_runtime(slack_settings(fake_slack, tmp_path))
    servers = Servers()
    app = build_app(runtime, workspaces, replier=servers.replier(3))
    async with workspaces.running():
        yield await servers.serve(app, fake_slack), workspaces, clock
        await servers.close()
    engine.dispose()


async def answer(person: Person, content: Any, questions: range) -> None:
    for n in questions:
        await person.click(content.questions[n].answers[0].label)


def totals(months: list[Any]) -> dict[str, int]:
    counted: dict[str, int] = {}
    for month in months:
        for counter, amount in month.counts.items():
            counted[counter] = counted.get(counter, 0) + amount
    return counted


async def test_walk_throughs_outlive_the_database_and_counts_resume(
    stored, own_postgres, content, caplog
):
    caplog.set_level(logging.INFO)
    server, workspaces, clock = stored
    await workspaces.save_settings("slack", "T1", WorkspacePrefs(coaching_contact=STORED_COACHING))

    halfway = Person(server, user="U1")
    await halfway.start()
    await halfway.click("No")
    await answer(halfway, content, range(4))

    own_postgres.stop()

    # the conversation begun before the outage finishes, with the settings already known
    result = await finish_remaining(halfway, content)
    assert STORED_COACHING in shown_text(result)
    # a conversation begun during the outage runs start to end
    during = await finish_on_slack(Person(server, user="U2"), content)
    assert STORED_COACHING in shown_text(during)
    # a workspace never seen before gets the defaults
    elsewhere = await finish_on_slack(Person(server, user="U4", team="T4"), content)
    assert DEFAULT_COACHING in shown_text(elsewhere)

    def outage_warnings() -> list[str]:
        return [
            r.getMessage()
            for r in caplog.records
            if r.levelno == logging.WARNING and r.getMessage().startswith("database unavailable")
        ]

    await wait_until(lambda: outage_warnings() and workspaces.counts.pending > 0)
    await asyncio.sleep(2)  # a few more tries of the background writer
    assert len(outage_warnings()) == 1

    own_postgres.start()
    clock.now += RETRY_AFTER_SECONDS + 1

    after = await finish_on_slack(Person(server, user="U3"), content)
    assert STORED_COACHING in shown_text(after)
    await wait_until(lambda: workspaces.counts.pending == 0, timeout=30)
    counted = totals(await exact_months(workspaces, "slack", "T1"))
    assert counted["started"] == 3
    assert counted["finished"] == 3, "the counts kept during the outage were written"
    assert totals(await exact_months(workspaces, "slack", "T4"))["finished"] == 1
    # said by whichever background write or settings check first succeeds after the restart
    await wait_for_log(caplog, "database reachable again", timeout=30)


async def wait_until(condition: Any, timeout: float = 10) -> None:
    """Wait for something the background writer does within a second or two."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "it never happened"
        await asyncio.sleep(0.05)

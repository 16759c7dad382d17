"""The real PostgreSQL server stops in the middle of walk-throughs on the real Slack app: every
walk-through carries on with the default settings, and the counts kept meanwhile are written
once the server is back.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.runtime import build_runtime
from adapters.slack.stored import build_slack_app
from adapters.storage.database import make_engine, upgrade
from adapters.storage.workspaces import RETRY_AFTER_SECONDS, DatabaseWorkspaces
from adapters.workspaces import WorkspacePrefs
from tests.reliability.conftest import FaultySlack, finish_on_slack, finish_remaining
from tests.slack.conftest import (
    Clock,
    Person,
    Servers,
    SlackServer,
    shown_text,
    slack_settings,
)
from tests.storage.postgres import Server, start_server

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
) -> AsyncIterator[tuple[SlackServer, DatabaseWorkspaces, Clock]]:
    own_postgres.janitor("bot").init()
    engine = make_engine(own_postgres.url("bot"))
    upgrade(engine)
    clock = Clock()
    workspaces = DatabaseWorkspaces(engine, clock=clock)
    runtime = build_runtime(slack_settings(fake_slack, tmp_path))
    servers = Servers()
    app = build_slack_app(runtime, workspaces, replier=servers.replier(3))
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
    await workspaces.save_prefs("slack", "T1", WorkspacePrefs(coaching_contact=STORED_COACHING))

    halfway = Person(server, user="U1")
    await halfway.start()
    await halfway.click("No")
    await answer(halfway, content, range(4))

    own_postgres.stop()

    # the conversation begun before the outage finishes, with the default settings
    result = await finish_remaining(halfway, content)
    assert DEFAULT_COACHING in shown_text(result)
    assert STORED_COACHING not in shown_text(result)
    # a conversation begun during the outage runs start to end
    during = await finish_on_slack(Person(server, user="U2"), content)
    assert DEFAULT_COACHING in shown_text(during)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len([w for w in warnings if w.startswith("database unavailable")]) == 1
    assert workspaces.pending > 0

    own_postgres.start()
    clock.now += RETRY_AFTER_SECONDS + 1

    after = await finish_on_slack(Person(server, user="U3"), content)
    assert STORED_COACHING in shown_text(after), "stored settings are read again"
    assert workspaces.pending == 0
    counted = totals(await workspaces.stats("slack", "T1"))
    assert counted["started"] == 3
    assert counted["finished"] == 3, "the counts kept during the outage were written"
    assert "database reachable again" in [r.getMessage() for r in caplog.records]

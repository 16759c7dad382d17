"""The database going away never breaks a walk-through: what is known (else the defaults), one
warning, counts kept."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from adapters.conversation import ConversationService
from adapters.runtime import build_runtime
from adapters.settings import Settings
from adapters.storage import rows
from adapters.storage.database import make_engine, upgrade
from adapters.storage.interface import WorkspacePrefs
from adapters.storage.store import DatabaseStorage
from bot.effects import Ask, ShowResult
from bot.events import Choose, Start
from bot.state import Who
from tests.loopback import free_port
from tests.slack.conftest import Person, buttons, shown_text
from tests.storage.postgres import Server, start_server
from tests.storing import HungDatabase, exact_months

WARNING = "database unavailable"


@pytest.fixture(params=["sqlite", "postgresql"])
def unreachable(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DatabaseStorage]:
    """Storage that cannot reach its database: a SQLite path that is a folder, or a closed port."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}"
    else:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/gone"
    engine = create_engine(url)
    clock = [1_790_000_000.0]
    workspaces = DatabaseStorage(engine, clock=lambda: clock[0], max_pending=3)
    workspaces.test_clock = clock  # type: ignore[attr-defined]
    yield workspaces
    engine.dispose()


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


async def test_while_unreachable_everyone_gets_the_defaults_and_one_warning(unreachable, caplog):
    caplog.set_level(logging.INFO)
    for _ in range(10):
        assert await unreachable.settings("slack", "T1") == WorkspacePrefs()
        unreachable.count("slack", "T1", ("started",))
        await unreachable.counts.flush()
    warnings = _warnings(caplog)
    assert len(warnings) == 1
    assert warnings[0].startswith(WARNING)
    assert unreachable.counts.pending == 10


async def test_the_warning_repeats_only_every_few_minutes(unreachable, caplog):
    caplog.set_level(logging.INFO)
    await unreachable.settings("slack", "T1")
    unreachable.test_clock[0] += 299
    await unreachable.settings("slack", "T1")
    assert len(_warnings(caplog)) == 1
    unreachable.test_clock[0] += 6
    await unreachable.settings("slack", "T1")
    assert len(_warnings(caplog)) == 2


async def test_counts_beyond_the_limit_are_dropped_and_the_drop_is_counted(unreachable):
    for workspace in ("T1", "T2", "T3", "T4", "T5"):
        unreachable.count("slack", workspace, ("started", "finished"))
        await unreachable.counts.flush()
    # At most 3 distinct totals wait; the others are dropped whole and counted as dropped.
    assert unreachable.counts.pending == 3
    assert unreachable.counts.dropped == 7


async def test_a_walk_through_survives_the_database_stopping_halfway(tmp_path, caplog):
    server: Server = start_server()
    try:
        await _walk_through_while_the_server_stops(server, tmp_path, caplog)
    finally:
        server.remove()


async def _walk_through_while_the_server_stops(
    server: Server, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    server.janitor("bot").init()
    engine = make_engine(server.url("bot"))
    upgrade(engine)
    clock = [time.time()]
    workspaces = DatabaseStorage(engine, clock=lambda: clock[0])
    stored = WorkspacePrefs(region="US", coaching_contact="Ask Priya in the People team")
    await workspaces.save_settings("slack", "T1", stored)
    runtime = build_runtime(
        Settings(
            state_secret="s" * 32,
            data_dir=tmp_path,
            default_region="GB",
            coaching_contact="coaching@corp.example",
        )
    )
    conversations = ConversationService(runtime, workspaces, clock=lambda: 1_790_000_000)
    who = Who("slack", "T1", "U1")

    reply = await conversations.take(who, Start(), None)
    assert reply.guide.region_code == "US"
    assert isinstance(reply.effects[0], Ask)
    answers = [2, 0, 0, 0, 0, 0, 0, 0, 0]
    for answer in answers[:4]:
        reply = await conversations.take(who, Choose(answer), reply.token)

    server.stop()
    for answer in answers[4:]:
        reply = await conversations.take(who, Choose(answer), reply.token)
    await workspaces.counts.flush()
    result = reply.effects[0]
    assert isinstance(result, ShowResult)
    assert result.outcome == "coaching"
    # the settings already known are used while the database is away
    assert "Priya" in "\n".join(result.next_steps)
    # a workspace not yet known meanwhile gets the environment's defaults
    newcomer = await conversations.take(Who("slack", "T2", "U2"), Start(), None)
    assert newcomer.guide.coaching_contact == "coaching@corp.example"
    warnings = _warnings(caplog)
    assert len(warnings) == 1 and warnings[0].startswith(WARNING)
    assert workspaces.counts.pending == 4  # T1: started, finished, coaching; T2: started

    server.start()
    await wait_for_postgres(server)
    clock[0] += 60  # past the pause after a failure
    workspaces.count("slack", "T1", ("started",))
    months = await exact_months(workspaces, "slack", "T1")
    assert months[0].counts == {"started": 2, "finished": 1, "coaching": 1}
    assert workspaces.counts.pending == 0
    assert "database reachable again" in [r.getMessage() for r in caplog.records]
    assert await DatabaseStorage(engine).settings("slack", "T1") == stored
    engine.dispose()


async def wait_for_postgres(server: Server, timeout: float = 30) -> None:
    """Wait until the restarted server accepts a query, as a client would."""
    probe = make_engine(server.url("bot"))
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                rows.read_version(probe)
                return
            except Exception:
                assert time.monotonic() < deadline, "PostgreSQL did not come back"
                time.sleep(0.1)
    finally:
        probe.dispose()


async def test_a_slack_walk_through_survives_the_database_stopping_halfway(
    serve_slack_on, content, caplog
):
    caplog.set_level(logging.INFO)
    server: Server = start_server()
    try:
        server.janitor("bot").init()
        engine = make_engine(server.url("bot"))
        upgrade(engine)
        workspaces = DatabaseStorage(engine)
        stored = WorkspacePrefs(coaching_contact="Ask Priya in the People team")
        await workspaces.save_settings("slack", "T1", stored)
        slack = await serve_slack_on(workspaces)
        newcomer = Person(slack.server, user="U9", team="T9")
        person = Person(slack.server)
        await person.start()
        answers = [2, 0, 0, 0, 0, 0, 0, 0, 0]
        for answer in answers[:4]:
            await person.click(slack_labels(person.message)[answer])

        server.stop()
        for answer in answers[4:]:
            await person.click(slack_labels(person.message)[answer])
        seen = shown_text(person.message)
        assert content.outcomes["coaching"].title in seen
        assert "Priya" in seen  # the settings already known
        await newcomer.start()
        await newcomer.click("No")
        for question in content.questions:
            await newcomer.click(question.answers[0].label)
        assert "coaching@example.com" in shown_text(newcomer.message)  # the default
        await workspaces.counts.flush()
        warnings = _warnings(caplog)
        assert len(warnings) == 1 and warnings[0].startswith(WARNING)
        engine.dispose()
    finally:
        server.remove()


def slack_labels(message: dict) -> list[str]:
    """Button labels in order: the answers first, then the controls."""
    return [b["text"]["text"] for b in buttons(message)]


async def test_when_the_database_returns_the_kept_counts_land_and_drops_are_reported(
    unreachable, engine, caplog
):
    caplog.set_level(logging.INFO)
    for workspace in ("T1", "T2", "T3", "T4"):
        unreachable.count("slack", workspace, ("started",))
    await unreachable.counts.flush()
    assert (unreachable.counts.pending, unreachable.counts.dropped) == (3, 1)

    unreachable.counts._engine = engine  # the database is back
    unreachable.test_clock[0] += 60
    unreachable.count("slack", "T4", ("started",))
    await unreachable.counts.flush()
    unreachable.engine = engine
    totals = {w: await exact_months(unreachable, "slack", w) for w in ("T1", "T2", "T3", "T4")}
    assert [len(months) for months in totals.values()] == [0, 1, 1, 1]
    messages = [r.getMessage() for r in caplog.records]
    assert "database reachable again" in messages
    assert "counts dropped while the database was away: 1" in messages


async def test_a_stuck_database_is_given_up_on_and_not_asked_again_at_once(caplog):
    caplog.set_level(logging.INFO)
    hung = HungDatabase()
    engine = make_engine(hung.url)
    clock = [1_790_000_000.0]
    workspaces = DatabaseStorage(engine, clock=lambda: clock[0])
    try:
        assert await workspaces.settings("slack", "T1") == WorkspacePrefs()
        assert len(hung.connections) == 1
        for _ in range(5):
            assert await workspaces.settings("slack", "T1") == WorkspacePrefs()
            workspaces.count("slack", "T1", ("started",))
        assert len(hung.connections) == 1  # nobody waited on it again
        assert workspaces.counts.pending == 5
        warnings = _warnings(caplog)
        assert warnings == [
            "database unavailable while reading workspace settings (timed out); using what is "
            "known and keeping counts to write later"
        ]
        clock[0] += 60
        # after the pause it is tried again, once the first try has given up; never two at once
        deadline = time.monotonic() + 15
        while len(hung.connections) < 2:
            assert time.monotonic() < deadline, "the database was never tried again"
            assert await workspaces.settings("slack", "T1") == WorkspacePrefs()
            assert len(hung.connections) <= 2
            clock[0] += 60
            time.sleep(0.1)
    finally:
        hung.close()
        engine.dispose()


async def test_shutting_down_writes_the_waiting_counts_or_says_how_many_are_lost(
    unreachable, database_url, caplog
):
    unreachable.count("slack", "T1", ("started", "finished"))
    assert unreachable.counts.pending == 2
    unreachable.close()
    lost = [r.getMessage() for r in caplog.records if "at shutdown" in r.getMessage()]
    assert lost and lost[0].endswith(": 2")

    engine = make_engine(database_url)
    upgrade(engine)
    unreachable.counts._engine = unreachable.engine = engine  # back again, then shut down
    unreachable.close()
    reader = make_engine(database_url)
    try:
        months = rows.read_months(reader, "slack", "T1", 6)
    finally:
        reader.dispose()
    assert months[0].counts == {"started": 1, "finished": 1}

"""The database going away never breaks a walk-through: defaults, one warning, counts kept."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from adapters.runtime import build_runtime
from adapters.storage.database import make_engine, upgrade
from adapters.storage.workspaces import DatabaseWorkspaces
from adapters.workspaces import WorkspacePrefs
from bot.effects import Ask, ShowResult
from bot.events import Choose, Start
from bot.settings import Settings
from bot.state import Who
from bot.tally import counters_for
from bot.turn import take_turn
from tests.loopback import free_port
from tests.slack.conftest import Person, buttons, shown_text
from tests.storage.postgres import Server, start_server

WARNING = "database unavailable"


@pytest.fixture(params=["sqlite", "postgresql"])
def unreachable(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DatabaseWorkspaces]:
    """Storage that cannot reach its database: a SQLite path that is a folder, or a closed port."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}"
    else:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/gone"
    engine = create_engine(url)
    clock = [1_790_000_000.0]
    workspaces = DatabaseWorkspaces(engine, clock=lambda: clock[0], max_pending=3)
    workspaces.test_clock = clock  # type: ignore[attr-defined]
    yield workspaces
    engine.dispose()


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


async def test_while_unreachable_everyone_gets_the_defaults_and_one_warning(unreachable, caplog):
    caplog.set_level(logging.INFO)
    for _ in range(10):
        assert await unreachable.prefs("slack", "T1") == WorkspacePrefs()
        await unreachable.count("slack", "T1", ("started",))
    warnings = _warnings(caplog)
    assert len(warnings) == 1
    assert warnings[0].startswith(WARNING)
    assert unreachable.pending == 10


async def test_the_warning_repeats_only_every_few_minutes(unreachable, caplog):
    caplog.set_level(logging.INFO)
    await unreachable.prefs("slack", "T1")
    unreachable.test_clock[0] += 299
    await unreachable.prefs("slack", "T1")
    assert len(_warnings(caplog)) == 1
    unreachable.test_clock[0] += 6
    await unreachable.prefs("slack", "T1")
    assert len(_warnings(caplog)) == 2


async def test_counts_beyond_the_limit_are_dropped_and_the_drop_is_counted(unreachable):
    for workspace in ("T1", "T2", "T3", "T4", "T5"):
        await unreachable.count("slack", workspace, ("started", "finished"))
    # At most 3 distinct totals wait; the others are dropped whole and counted as dropped.
    assert unreachable.pending == 3
    assert unreachable.dropped == 7


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
    workspaces = DatabaseWorkspaces(engine, clock=lambda: clock[0])
    stored = WorkspacePrefs(region="US", coaching_contact="Ask Priya in the People team")
    await workspaces.save_prefs("slack", "T1", stored)
    runtime = build_runtime(
        Settings(
            state_secret="s" * 32,
            data_dir=tmp_path,
            default_region="GB",
            coaching_contact="coaching@corp.example",
        )
    )
    who = Who("slack", "T1", "U1")

    async def click(event, token):
        # What every adapter does per click: this workspace's guide, one turn, then the counts.
        prefs = await workspaces.prefs(who.platform, who.workspace)
        guide = runtime.book.guide(
            locale=prefs.locale,
            region=prefs.region,
            eap_contact=prefs.eap_contact,
            coaching_contact=prefs.coaching_contact,
        )
        turn = take_turn(guide, runtime.keyring, who, event, token, now=1_790_000_000)
        await workspaces.count(who.platform, who.workspace, counters_for(event, turn.effects))
        return guide, turn

    guide, turn = await click(Start(), None)
    assert guide.region_code == "US"
    assert isinstance(turn.effects[0], Ask)
    answers = [2, 0, 0, 0, 0, 0, 0, 0, 0]
    for answer in answers[:4]:
        guide, turn = await click(Choose(answer), turn.token)

    server.stop()
    for answer in answers[4:]:
        guide, turn = await click(Choose(answer), turn.token)
    result = turn.effects[0]
    assert isinstance(result, ShowResult)
    assert result.outcome == "coaching"
    # While the database is away the environment's defaults are shown, not the stored ones.
    steps = "\n".join(result.next_steps)
    assert "coaching@corp.example" in steps
    assert "Priya" not in steps
    warnings = _warnings(caplog)
    assert len(warnings) == 1 and warnings[0].startswith(WARNING)
    assert workspaces.pending == 2  # finished, coaching

    server.start()
    clock[0] += 60  # past the pause after a failure, when clicks try the database again
    await workspaces.count("slack", "T1", ("started",))
    months = await workspaces.stats("slack", "T1")
    assert months[0].counts == {"started": 2, "finished": 1, "coaching": 1}
    assert workspaces.pending == 0
    assert "database reachable again" in [r.getMessage() for r in caplog.records]
    assert await workspaces.prefs("slack", "T1") == stored
    engine.dispose()


async def test_a_slack_walk_through_survives_the_database_stopping_halfway(
    serve_slack_on, content, caplog
):
    caplog.set_level(logging.INFO)
    server: Server = start_server()
    try:
        server.janitor("bot").init()
        engine = make_engine(server.url("bot"))
        upgrade(engine)
        workspaces = DatabaseWorkspaces(engine)
        stored = WorkspacePrefs(coaching_contact="Ask Priya in the People team")
        await workspaces.save_prefs("slack", "T1", stored)
        slack = await serve_slack_on(workspaces)
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
        assert "coaching@example.com" in seen  # the environment's default
        assert "Priya" not in seen
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
        await unreachable.count("slack", workspace, ("started",))
    assert (unreachable.pending, unreachable.dropped) == (3, 1)

    unreachable.engine = engine  # the database is back
    unreachable.test_clock[0] += 60
    await unreachable.count("slack", "T4", ("started",))
    totals = {w: await unreachable.stats("slack", w) for w in ("T1", "T2", "T3", "T4")}
    assert [len(months) for months in totals.values()] == [0, 1, 1, 1]
    messages = [r.getMessage() for r in caplog.records]
    assert "database reachable again" in messages
    assert "counts dropped while the database was away: 1" in messages


class HungDatabase:
    """A server on loopback that accepts connections and never answers, like a stuck database."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self) -> None:
        self.sock.close()
        for connection in self.connections:
            connection.close()


async def test_a_stuck_database_is_given_up_on_and_not_asked_again_at_once(caplog):
    caplog.set_level(logging.INFO)
    hung = HungDatabase()
    engine = make_engine(f"postgresql://postgres@127.0.0.1:{hung.port}/stuck")
    clock = [1_790_000_000.0]
    workspaces = DatabaseWorkspaces(engine, clock=lambda: clock[0])
    try:
        assert await workspaces.prefs("slack", "T1") == WorkspacePrefs()
        assert len(hung.connections) == 1
        for _ in range(5):
            assert await workspaces.prefs("slack", "T1") == WorkspacePrefs()
            await workspaces.count("slack", "T1", ("started",))
        assert len(hung.connections) == 1  # nobody waited on it again
        assert workspaces.pending == 5
        warnings = _warnings(caplog)
        assert warnings == [
            "database unavailable while reading workspace settings (timed out); using default "
            "settings and keeping counts to write later"
        ]
        clock[0] += 60
        assert await workspaces.prefs("slack", "T1") == WorkspacePrefs()
        assert len(hung.connections) == 2  # tried again after the pause
    finally:
        hung.close()
        engine.dispose()


async def test_shutting_down_writes_the_waiting_counts_or_says_how_many_are_lost(
    unreachable, database_url, caplog
):
    await unreachable.count("slack", "T1", ("started", "finished"))
    assert unreachable.pending == 2
    unreachable.close()
    lost = [r.getMessage() for r in caplog.records if "at shutdown" in r.getMessage()]
    assert lost and lost[0].endswith(": 2")

    engine = make_engine(database_url)
    upgrade(engine)
    unreachable.engine = engine  # back again, then shut down properly
    unreachable.close()
    reader = make_engine(database_url)
    try:
        months = DatabaseWorkspaces(reader).read_stats("slack", "T1")
    finally:
        reader.dispose()
    assert months[0].counts == {"started": 1, "finished": 1}

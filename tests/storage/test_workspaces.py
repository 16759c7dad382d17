"""Per-workspace settings, held in memory and kept fresh, and counts written in batches, on
SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import datetime

import pytest
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import inspect, select

from adapters.storage import rows
from adapters.storage.database import make_engine, upgrade
from adapters.storage.interface import StorageUnavailable, WorkspacePrefs
from adapters.storage.rows import month_of
from adapters.storage.schema import monthly_counts
from adapters.storage.store import DatabaseStorage
from tests.storing import exact_months, statements_sent

NOV = datetime(2026, 11, 15, 12).timestamp()
DEC = datetime(2026, 12, 2, 12).timestamp()


async def test_a_workspace_with_nothing_stored_gets_the_defaults(workspaces):
    assert await workspaces.settings("slack", "T1") == WorkspacePrefs()


async def test_settings_are_kept_per_workspace_and_replaced_whole(workspaces, engine):
    chosen = WorkspacePrefs(
        region="GB",
        eap_contact="https://intranet.example.com/eap",
        coaching_contact="Ask People Team for a coach",
        locale="en",
        card_channels=("C0123ABCD", "C0999ZZZZ"),
    )
    await workspaces.save_settings("slack", "T1", chosen)
    roles = WorkspacePrefs(card_roles=("123456789012345678",))
    await workspaces.save_settings("discord", "T1", roles)
    await workspaces.save_settings("slack", "T1", WorkspacePrefs(region="US"))
    # a second process reads what the first stored
    fresh = DatabaseStorage(engine)
    assert await fresh.settings("slack", "T1") == WorkspacePrefs(region="US")
    assert await fresh.settings("slack", "T2") == WorkspacePrefs()
    assert await fresh.settings("discord", "T1") == roles


async def test_counts_add_up_by_workspace_and_month(engine):
    clock = [NOV]
    workspaces = DatabaseStorage(engine, clock=lambda: clock[0])
    for _ in range(3):
        workspaces.count("slack", "T1", ("started",))
    workspaces.count("slack", "T1", ("finished", "coaching"))
    workspaces.count("slack", "T2", ("started",))
    clock[0] = DEC
    workspaces.count("slack", "T1", ("started", "help_shown"))

    months = await exact_months(workspaces, "slack", "T1")
    assert [m.month for m in months] == ["2026-12", "2026-11"]
    assert months[0].counts == {"started": 1, "help_shown": 1}
    assert months[1].counts == {"started": 3, "finished": 1, "coaching": 1}
    assert (await exact_months(workspaces, "slack", "T2"))[0].counts == {"started": 1}
    assert await exact_months(workspaces, "discord", "T1") == []


async def test_stats_show_only_the_last_months_asked_for_that_have_ended(engine):
    clock = [0.0]
    workspaces = DatabaseStorage(engine, clock=lambda: clock[0])
    for month in range(1, 13):
        clock[0] = datetime(2026, month, 10).timestamp()
        workspaces.count("slack", "T1", ("started",))
    months = await workspaces.stats("slack", "T1", months=3)
    assert [m.month for m in months] == ["2026-11", "2026-10", "2026-09"]


async def test_counts_wait_in_memory_and_go_in_one_statement(workspaces, engine):
    with statements_sent(engine) as watched:
        for _ in range(50):
            workspaces.count("slack", "T1", ("started", "finished", "both"))
    assert watched.sent == [], "counting is in memory"
    assert workspaces.counts.pending == 150
    with statements_sent(engine) as watched:
        await workspaces.counts.flush()
    assert len(watched.sent) == 1
    assert (await exact_months(workspaces, "slack", "T1"))[0].counts == {
        "started": 50,
        "finished": 50,
        "both": 50,
    }


async def test_counts_on_their_way_to_the_database_are_still_waiting(workspaces, monkeypatch):
    # a database slow to commit (one restarting, say): until the write lands, the counts in it
    # have not been written, and nobody may read them as done
    reached, release = threading.Event(), threading.Event()
    write = rows.add_counts

    def slow_write(engine, amounts):
        reached.set()
        release.wait(10)
        write(engine, amounts)

    monkeypatch.setattr(rows, "add_counts", slow_write)
    workspaces.count("slack", "T1", ("started", "finished"))
    writing = asyncio.ensure_future(workspaces.counts.flush())
    assert await asyncio.to_thread(reached.wait, 10)
    assert workspaces.counts.pending == 2
    workspaces.count("slack", "T1", ("started",))
    assert workspaces.counts.pending == 3
    release.set()
    await writing
    assert workspaces.counts.pending == 1
    assert (await exact_months(workspaces, "slack", "T1"))[0].counts == {
        "started": 2,
        "finished": 1,
    }
    assert workspaces.counts.pending == 0


async def test_two_replicas_counting_at_once_lose_nothing(database_url):
    # Two engines are two processes' connection pools: each upsert must add, never overwrite.
    engines = [make_engine(database_url) for _ in range(2)]
    try:
        upgrade(engines[0])
        replicas = [DatabaseStorage(e, clock=lambda: NOV) for e in engines]

        async def count(n: int) -> None:
            replicas[n % 2].count("slack", "T1", ("started", "finished"))
            await replicas[n % 2].counts.flush()

        await asyncio.gather(*(count(i) for i in range(40)))
        months = await exact_months(replicas[1], "slack", "T1")
    finally:
        for e in engines:
            e.dispose()
    assert months[0].counts == {"started": 40, "finished": 40}


async def test_while_running_counts_are_written_in_the_background(workspaces, monkeypatch):
    monkeypatch.setattr("adapters.storage.counts.FLUSH_SECONDS", 0.05)
    async with workspaces.running():
        workspaces.count("slack", "T1", ("started",))
        for _ in range(200):
            if workspaces.counts.pending == 0:
                break
            await asyncio.sleep(0.05)
        assert workspaces.counts.pending == 0
        workspaces.count("slack", "T1", ("started",))
    # the way out writes what is left
    assert workspaces.counts.pending == 0
    months = await exact_months(DatabaseStorage(workspaces.engine), "slack", "T1")
    assert months[0].counts == {"started": 2}


async def test_a_save_here_is_used_at_once_and_elsewhere_within_the_bound(database_url):
    engines = [make_engine(database_url) for _ in range(2)]
    try:
        upgrade(engines[0])
        here, there = (DatabaseStorage(e) for e in engines)
        async with here.running(), there.running():
            assert await there.settings("slack", "T1") == WorkspacePrefs()
            await here.save_settings("slack", "T1", WorkspacePrefs(region="US"))
            assert await here.settings("slack", "T1") == WorkspacePrefs(region="US")
            began = time.monotonic()
            while await there.settings("slack", "T1") != WorkspacePrefs(region="US"):
                assert time.monotonic() - began < 10, "the other replica never saw the save"
                await asyncio.sleep(0.05)
            # a removal travels the same way
            await here.forget("slack", "T1")
            assert await here.settings("slack", "T1") == WorkspacePrefs()
            while await there.settings("slack", "T1") != WorkspacePrefs():
                assert time.monotonic() - began < 20, "the other replica never saw the removal"
                await asyncio.sleep(0.05)
    finally:
        for engine in engines:
            engine.dispose()


async def test_while_running_no_workspace_waits_on_a_read(workspaces, engine):
    await workspaces.save_settings("slack", "T1", WorkspacePrefs(region="US"))
    fresh = DatabaseStorage(engine)
    async with fresh.running():
        for _ in range(100):
            if fresh.cache._complete:
                break
            await asyncio.sleep(0.02)
        with statements_sent(engine) as watched:
            assert await fresh.settings("slack", "T1") == WorkspacePrefs(region="US")
            assert await fresh.settings("slack", "T-never-seen") == WorkspacePrefs()
        assert watched.sent == []


async def test_beyond_capacity_the_most_recent_are_held_and_others_read_once(engine):
    writer = DatabaseStorage(engine)
    for n in range(5):
        await writer.save_settings("slack", f"T{n}", WorkspacePrefs(region="US"))
    reader = DatabaseStorage(engine, settings_held=3)
    await reader.cache.refresh()
    assert not reader.cache._complete
    with statements_sent(engine) as watched:
        for n in range(5):
            assert await reader.settings("slack", f"T{n}") == WorkspacePrefs(region="US")
        assert await reader.settings("slack", "T4") == WorkspacePrefs(region="US")
    assert len(watched.sent) <= 5, "each workspace was read at most once"


async def test_admin_actions_without_a_database_say_so(tmp_path):
    from tests.storing import unreachable_storage

    storage = unreachable_storage(tmp_path)
    with pytest.raises(StorageUnavailable):
        await storage.save_settings("slack", "T1", WorkspacePrefs(region="US"))
    with pytest.raises(StorageUnavailable):
        await storage.stats("slack", "T1")
    with pytest.raises(StorageUnavailable):
        await storage.forget("slack", "T1")
    assert await storage.settings("slack", "T1") == WorkspacePrefs()


async def test_only_totals_are_stored_never_who(workspaces, engine):
    workspaces.count("slack", "T1", ("started", "therapy"))
    await workspaces.counts.flush()
    columns = {c["name"] for c in inspect(engine).get_columns("monthly_counts")}
    assert columns == {"platform", "workspace", "month", "counter", "count"}
    with engine.connect() as connection:
        rows = connection.execute(select(monthly_counts)).all()
    this_month = month_of(time.time())
    assert sorted(tuple(r) for r in rows) == [
        ("slack", "T1", this_month, "started", 1),
        ("slack", "T1", this_month, "therapy", 1),
    ]


def _installation(team: str) -> Installation:
    return Installation(
        app_id="A1",
        enterprise_id=None,
        team_id=team,
        team_name=f"Team {team}",
        bot_token=f"xoxb-{team}",
        bot_id="B1",
        bot_user_id="UBOT",
        bot_scopes="commands,chat:write",
        user_id="UINSTALLER",
        installed_at=NOV,
    )


async def test_uninstalling_forgets_that_workspace_only(workspaces, engine):
    store = SQLAlchemyInstallationStore(client_id="111.222", engine=engine)
    for team in ("T1", "T2"):
        store.save(_installation(team))
        await workspaces.save_settings("slack", team, WorkspacePrefs(region="GB"))
    workspaces.count("slack", "T1", ("started",))

    await workspaces.forget("slack", "T1")

    assert store.find_bot(enterprise_id=None, team_id="T1") is None
    assert store.find_installation(enterprise_id=None, team_id="T1") is None
    assert await workspaces.settings("slack", "T1") == WorkspacePrefs()
    assert store.find_bot(enterprise_id=None, team_id="T2").bot_token == "xoxb-T2"
    assert await workspaces.settings("slack", "T2") == WorkspacePrefs(region="GB")
    assert await DatabaseStorage(engine).settings("slack", "T1") == WorkspacePrefs()


def test_month_is_utc():
    assert month_of(datetime.fromisoformat("2026-11-30T23:30:00-05:00").timestamp()) == "2026-12"

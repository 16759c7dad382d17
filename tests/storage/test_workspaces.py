"""Per-workspace settings and monthly counts, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import inspect, select

from adapters.storage.database import make_engine, upgrade
from adapters.storage.schema import monthly_counts
from adapters.storage.workspaces import DatabaseWorkspaces, month_of
from adapters.workspaces import WorkspacePrefs

NOV = datetime(2026, 11, 15, 12).timestamp()
DEC = datetime(2026, 12, 2, 12).timestamp()


async def test_a_workspace_with_nothing_stored_gets_the_defaults(workspaces):
    assert await workspaces.prefs("slack", "T1") == WorkspacePrefs()


async def test_settings_are_kept_per_workspace_and_replaced_whole(workspaces):
    chosen = WorkspacePrefs(
        region="GB",
        eap_contact="https://intranet.example.com/eap",
        coaching_contact="Ask People Team for a coach",
        locale="en",
        card_channels=("C0123ABCD", "C0999ZZZZ"),
    )
    await workspaces.save_prefs("slack", "T1", chosen)
    await workspaces.save_prefs("discord", "T1", WorkspacePrefs(card_roles=("123456789012345678",)))
    assert await workspaces.prefs("slack", "T1") == chosen
    assert await workspaces.prefs("slack", "T2") == WorkspacePrefs()
    assert await workspaces.prefs("discord", "T1") == WorkspacePrefs(
        card_roles=("123456789012345678",)
    )
    await workspaces.save_prefs("slack", "T1", WorkspacePrefs(region="US"))
    assert await workspaces.prefs("slack", "T1") == WorkspacePrefs(region="US")


async def test_counts_add_up_by_workspace_and_month(engine):
    clock = [NOV]
    workspaces = DatabaseWorkspaces(engine, clock=lambda: clock[0])
    for _ in range(3):
        await workspaces.count("slack", "T1", ("started",))
    await workspaces.count("slack", "T1", ("finished", "coaching"))
    await workspaces.count("slack", "T2", ("started",))
    clock[0] = DEC
    await workspaces.count("slack", "T1", ("started", "help_shown"))

    months = await workspaces.stats("slack", "T1")
    assert [m.month for m in months] == ["2026-12", "2026-11"]
    assert months[0].counts == {"started": 1, "help_shown": 1}
    assert months[1].counts == {"started": 3, "finished": 1, "coaching": 1}
    assert (await workspaces.stats("slack", "T2"))[0].counts == {"started": 1}
    assert await workspaces.stats("discord", "T1") == []


async def test_stats_show_only_the_last_months_asked_for(engine):
    clock = [0.0]
    workspaces = DatabaseWorkspaces(engine, clock=lambda: clock[0])
    for month in range(1, 13):
        clock[0] = datetime(2026, month, 10).timestamp()
        await workspaces.count("slack", "T1", ("started",))
    months = await workspaces.stats("slack", "T1", months=3)
    assert [m.month for m in months] == ["2026-12", "2026-11", "2026-10"]


async def test_two_replicas_counting_at_once_lose_nothing(database_url):
    # Two engines are two processes' connection pools: each upsert must add, never overwrite.
    engines = [make_engine(database_url) for _ in range(2)]
    try:
        upgrade(engines[0])
        replicas = [DatabaseWorkspaces(e, clock=lambda: NOV) for e in engines]
        await asyncio.gather(
            *(replicas[i % 2].count("slack", "T1", ("started", "finished")) for i in range(40))
        )
        months = await replicas[1].stats("slack", "T1")
    finally:
        for e in engines:
            e.dispose()
    assert months[0].counts == {"started": 40, "finished": 40}


async def test_only_totals_are_stored_never_who(workspaces, engine):
    await workspaces.count("slack", "T1", ("started", "therapy"))
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
        await workspaces.save_prefs("slack", team, WorkspacePrefs(region="GB"))
    await workspaces.count("slack", "T1", ("started",))

    await workspaces.uninstalled("slack", "T1")

    assert store.find_bot(enterprise_id=None, team_id="T1") is None
    assert store.find_installation(enterprise_id=None, team_id="T1") is None
    assert await workspaces.prefs("slack", "T1") == WorkspacePrefs()
    assert store.find_bot(enterprise_id=None, team_id="T2").bot_token == "xoxb-T2"
    assert await workspaces.prefs("slack", "T2") == WorkspacePrefs(region="GB")


def test_month_is_utc():
    assert month_of(datetime.fromisoformat("2026-11-30T23:30:00-05:00").timestamp()) == "2026-12"

"""Opening storage when a platform starts."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import inspect

from adapters.settings import Settings
from adapters.storage.database import SchemaBehindError
from adapters.storage.interface import WorkspacePrefs
from adapters.storage.startup import open_storage
from bot.errors import SettingsError
from tests.loopback import free_port


def test_the_default_sqlite_file_is_created_ready_to_use(tmp_path):
    workspaces = open_storage(Settings(data_dir=tmp_path / "data"))
    try:
        assert (tmp_path / "data" / "coach-or-therapy.db").is_file()
        assert "workspace_settings" in inspect(workspaces.engine).get_table_names()
    finally:
        workspaces.engine.dispose()


def test_a_shared_database_that_is_behind_stops_start_up(postgres_server):
    janitor = postgres_server.janitor("startup_behind")
    janitor.init()
    try:
        with pytest.raises(SchemaBehindError, match="run: coach-or-therapy db upgrade"):
            open_storage(Settings(database_url=postgres_server.url("startup_behind")))
    finally:
        janitor.drop()


async def test_an_unreachable_database_at_start_up_is_one_warning_then_defaults(caplog):
    port = free_port()
    caplog.set_level(logging.INFO)
    workspaces = open_storage(Settings(database_url=f"postgresql://postgres@127.0.0.1:{port}/x"))
    try:
        for _ in range(3):
            assert await workspaces.settings("slack", "T1") == WorkspacePrefs()
    finally:
        workspaces.engine.dispose()
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert warnings[0].startswith("database unavailable while starting (OperationalError)")


def test_a_database_folder_that_cannot_exist_is_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(SettingsError) as raised:
        open_storage(Settings(database_url=f"sqlite:///{blocker}/sub/bot.db"))
    assert str(raised.value).startswith(f"the database folder {blocker}/sub cannot be created")

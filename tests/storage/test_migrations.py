"""`coach-or-therapy db upgrade|current` and the start-up schema check, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from adapters.storage import rows
from adapters.storage.cli import run_db
from adapters.storage.database import SchemaBehindError, alembic_config, check_schema, make_engine
from adapters.storage.interface import WorkspacePrefs
from adapters.storage.schema import metadata, workspace_settings
from bot.settings import Settings
from tests.loopback import free_port

ROOT = Path(__file__).resolve().parents[2]


def _db(database_url: str, action: str) -> tuple[int, str]:
    out = io.StringIO()
    code = run_db(Settings(database_url=database_url), action, out)
    return code, out.getvalue()


def test_an_empty_database_is_reported_behind_with_the_command_to_run(database_url):
    code, said = _db(database_url, "current")
    assert code == 1
    assert said == (
        "the database schema is behind (empty, newest 0003); run: coach-or-therapy db upgrade\n"
    )


def test_upgrade_creates_every_table_and_running_it_again_changes_nothing(database_url):
    code, said = _db(database_url, "upgrade")
    assert code == 0
    assert said.startswith("upgraded the database from empty to 0003\n")
    engine = make_engine(database_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {
        "workspace_settings",
        "monthly_counts",
        "slack_installations",
        "slack_bots",
        "slack_oauth_states",
    } <= tables
    code, said = _db(database_url, "upgrade")
    assert code == 0
    assert "upgraded" not in said
    assert said.startswith("database schema is up to date (revision 0003)")


def test_the_migrations_build_exactly_the_tables_the_code_uses(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_a_shared_database_that_is_behind_stops_start_up_with_one_line(postgres_server):
    janitor = postgres_server.janitor("behind")
    janitor.init()
    engine = make_engine(postgres_server.url("behind"))
    try:
        with pytest.raises(SchemaBehindError) as raised:
            check_schema(engine)
    finally:
        engine.dispose()
        janitor.drop()
    assert str(raised.value) == ("the database schema is behind; run: coach-or-therapy db upgrade")


def test_the_private_sqlite_file_is_brought_up_to_date_at_start_up(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'bot.db'}")
    try:
        check_schema(engine)
        assert "monthly_counts" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_an_unreachable_database_is_one_clear_line_not_a_trace(postgres_server):
    url = f"postgresql://postgres:hunter2@127.0.0.1:{free_port()}/nowhere"
    code, said = _db(url, "current")
    assert code == 1
    assert said.startswith("coach-or-therapy: cannot use the database at postgresql")
    assert "hunter2" not in said
    assert said.count("\n") == 1


def test_the_command_line_upgrades_a_database(database_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": database_url, "DATA_DIR": str(tmp_path)}
    ran = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "db", "upgrade"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    assert "upgraded the database from empty to 0003" in ran.stdout
    assert ran.stderr == ""


def test_two_upgrades_started_together_both_succeed(postgres_server, tmp_path):
    janitor = postgres_server.janitor("together")
    janitor.init()
    try:
        env = {
            **os.environ,
            "DATABASE_URL": postgres_server.url("together"),
            "DATA_DIR": str(tmp_path),
            "PYTHONPATH": str(ROOT),
        }
        upgrades = [
            subprocess.Popen(
                [sys.executable, "-m", "adapters.cli", "db", "upgrade"],
                cwd=tmp_path,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        results = [(p.wait(timeout=60), *p.communicate()) for p in upgrades]
    finally:
        janitor.drop()
    assert [code for code, _, _ in results] == [0, 0]
    said = "".join(out for _, out, _ in results)
    assert said.count("upgraded the database from empty to 0003") == 1
    assert said.count("database schema is up to date (revision 0003)") == 2


def test_a_database_from_the_first_release_upgrades_and_keeps_its_settings(database_url):
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0001")
            connection.execute(
                workspace_settings.insert().values(platform="slack", workspace="T1", region="US")
            )
        code, said = _db(database_url, "upgrade")
        assert (code, said.splitlines()[0]) == (0, "upgraded the database from 0001 to 0003")
        assert rows.read_version(engine) == 0
        assert rows.read_settings(engine, [("slack", "T1")])[("slack", "T1")].region == "US"
        rows.write_settings(engine, "slack", "T1", WorkspacePrefs(region="GB"))
        assert rows.read_version(engine) == 1
    finally:
        engine.dispose()

"""`coach-or-therapy db upgrade|current` and the start-up schema check, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect
from sqlalchemy.engine import URL

from adapters.settings import Settings
from adapters.storage import rows
from adapters.storage.cli import run_db
from adapters.storage.database import SchemaBehindError, alembic_config, check_schema, make_engine
from adapters.storage.interface import WorkspacePrefs
from adapters.storage.schema import metadata, workspace_settings
from bot.plain_text import on_one_line
from tests.loopback import free_port

ROOT = Path(__file__).resolve().parents[2]


def _db(database_url: str, action: str) -> tuple[int, str]:
    out = io.StringIO()
    code = run_db(Settings(database_url=database_url), action, out)
    return code, out.getvalue()


def test_an_empty_shared_database_is_reported_behind_with_the_command_to_run(postgres_server):
    janitor = postgres_server.janitor("empty_current")
    janitor.init()
    try:
        code, said = _db(postgres_server.url("empty_current"), "current")
    finally:
        janitor.drop()
    assert code == 1
    assert said == (
        "the database schema is behind (empty, newest 0003); run: coach-or-therapy db upgrade\n"
    )


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under root, with its size and modification time."""
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in [root, *root.rglob("*")]
    }


def _sqlite_missing(path: Path) -> None:
    pass


def _sqlite_empty_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


def _sqlite_behind(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE unrelated (id INTEGER)")
    connection.close()


def _sqlite_url(path: Path) -> str:
    """A SQLite URL for a file whose path may hold any character (? and # included)."""
    return URL.create("sqlite", database=str(path)).render_as_string()


def _sqlite_current(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(_sqlite_url(path))
    check_schema(engine)
    engine.dispose()


def _sqlite_garbage(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database\n" * 100)


SQLITE_STATES = {
    "missing": (_sqlite_missing, 0, "no database file at {path} yet; the bot brings"),
    "empty file": (_sqlite_empty_file, 0, "the database schema is behind (empty, newest 0003); "),
    "behind": (_sqlite_behind, 0, "the database schema is behind (empty, newest 0003); "),
    "current": (_sqlite_current, 0, "database schema is up to date (revision 0003)"),
    "not a database": (_sqlite_garbage, 1, "coach-or-therapy: cannot use the database at "),
}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    state=st.sampled_from(sorted(SQLITE_STATES)),
    folder=st.text(
        st.characters(codec="utf-8", exclude_characters="/\x00", exclude_categories=["Cs"]),
        min_size=1,
        max_size=12,
    ).filter(lambda name: name not in (".", "..")),
    deeper=st.booleans(),
)
@example(state="not a database", folder="?", deeper=False)
@example(state="current", folder="a#b", deeper=True)
@example(state="missing", folder="\n", deeper=False)
@example(state="behind", folder="%41", deeper=False)
def test_db_current_on_sqlite_only_reads_and_never_asks_for_an_upgrade(
    tmp_path_factory, state, folder, deeper
):
    root = tmp_path_factory.mktemp("current")
    path = root / folder / ("not" if deeper else "") / "coach-or-therapy.db"
    prepare, expected_code, says = SQLITE_STATES[state]
    prepare(path)
    before = _tree(root)
    code, said = _db(_sqlite_url(path), "current")
    assert _tree(root) == before
    assert code == expected_code, said
    # a line break or other hidden character in the path is shown as its escape
    assert said.startswith(says.format(path=on_one_line(str(path)))), said
    assert "db upgrade" not in said
    assert said.count("\n") == 1


def test_db_current_reads_a_sqlite_file_the_running_bot_has_open(tmp_path):
    path = tmp_path / "coach-or-therapy.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        check_schema(engine)
        with engine.connect() as running:
            running.exec_driver_sql("SELECT count(*) FROM monthly_counts")
            code, said = _db(f"sqlite:///{path}", "current")
    finally:
        engine.dispose()
    assert code == 0
    assert said.startswith("database schema is up to date (revision 0003)")


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


def test_the_command_line_db_current_creates_no_folder_or_file(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "DATA_DIR": str(tmp_path / "data"),
    }
    for extra in ({}, {"DATABASE_URL": f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'x.db'}"}):
        ran = subprocess.run(
            [sys.executable, "-m", "adapters.cli", "db", "current"],
            cwd=tmp_path,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert ran.returncode == 0, ran.stderr
        assert " yet; the bot brings a SQLite file up to date by itself" in ran.stdout
        assert ran.stderr == ""
        assert list(tmp_path.iterdir()) == []

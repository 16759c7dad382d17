"""Storage fixtures: every storage test runs on a real SQLite file and a real PostgreSQL server.

PostgreSQL is started once per test session from the machine's server binaries. When it cannot
start, the tests that need it fail with the reason; they are never skipped.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from adapters.storage.database import make_engine, upgrade
from adapters.storage.workspaces import DatabaseWorkspaces
from tests.storage.postgres import PostgresUnavailable, Server, start_server

_names = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    """One PostgreSQL server shared by the session's tests."""
    try:
        server = start_server()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'coach-or-therapy.db'}"
        return
    server: Server = request.getfixturevalue("postgres_server")
    name = f"test_{next(_names)}"
    janitor = server.janitor(name)
    janitor.init()
    try:
        yield server.url(name)
    finally:
        janitor.drop()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a database with every migration applied."""
    engine = make_engine(database_url)
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def workspaces(engine: Engine) -> DatabaseWorkspaces:
    """Storage as the adapters use it."""
    return DatabaseWorkspaces(engine)

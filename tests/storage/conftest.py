"""Storage fixtures: every storage test runs on a real SQLite file and a real PostgreSQL server.

PostgreSQL is started once per test session from the machine's server binaries. When it cannot
start, the tests that need it fail with the reason; they are never skipped.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from adapters.runtime import build_runtime
from adapters.slack.app import build_app
from adapters.slack.server import EVENTS_PATH
from adapters.storage.database import make_engine, upgrade
from adapters.storage.interface import Storage
from adapters.storage.store import DatabaseStorage
from tests.slack.conftest import Servers, SlackServer, slack_settings
from tests.storage.postgres import Server
from tests.storage.slack_fake import InstallingSlack, serve_fake

_names = itertools.count(1)


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
def workspaces(engine: Engine) -> DatabaseStorage:
    """Storage as the adapters use it."""
    return DatabaseStorage(engine)


@pytest.fixture
async def installing_slack() -> AsyncIterator[InstallingSlack]:
    """The loopback fake Slack, also answering users.info and oauth.v2.access."""
    async for fake in serve_fake(InstallingSlack()):
        yield fake


@dataclass
class StoredSlack:
    """The real Slack app over real HTTP, on a real database."""

    server: SlackServer
    base: str
    workspaces: Storage


@pytest.fixture
async def serve_slack_on(
    installing_slack: InstallingSlack, tmp_path: Path
) -> AsyncIterator[Callable[..., Awaitable[StoredSlack]]]:
    """Start the app as `coach-or-therapy slack` builds it, on the storage given."""
    servers = Servers()

    async def start(workspaces: Storage, **overrides: Any) -> StoredSlack:
        runtime = build_runtime(slack_settings(installing_slack, tmp_path, **overrides))
        app = build_app(runtime, workspaces, replier=servers.replier(3))
        server = await servers.serve(app, installing_slack)
        return StoredSlack(server, server.url.removesuffix(EVENTS_PATH), workspaces)

    yield start
    await servers.close()


@pytest.fixture
async def serve_stored(
    serve_slack_on: Callable[..., Awaitable[StoredSlack]], engine: Engine
) -> Callable[..., Awaitable[StoredSlack]]:
    """Start the app with storage on the test's database; settings overridable."""

    async def start(**overrides: Any) -> StoredSlack:
        return await serve_slack_on(DatabaseStorage(engine), **overrides)

    return start

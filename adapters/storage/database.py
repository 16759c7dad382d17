"""The engine over DATABASE_URL, and the schema migrations: apply them or check they are applied."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL, Connection

from adapters.private_files import create_private_file, make_private_folder
from bot.errors import SettingsError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
CONNECT_TIMEOUT_SECONDS = 3
UPGRADE_HINT = "run: coach-or-therapy db upgrade"


class SchemaBehindError(SettingsError):
    """The database exists but its tables are older than this version of the bot."""


def engine_url(url: str) -> URL:
    """The SQLAlchemy URL for a DATABASE_URL: postgresql:// means psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite DATABASE_URL (None for another database or one in memory)."""
    parsed = engine_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return Path(parsed.database).expanduser()


def is_sqlite(engine: Engine) -> bool:
    """Whether this engine is a SQLite file (private to one machine)."""
    return engine.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    """An engine for DATABASE_URL; creates the SQLite file's folder when needed.

    Connections are not checked before each use, which would cost every use a round trip: a
    connection that died with a database restart fails once, SQLAlchemy then discards the pool,
    and the next use connects afresh. A PostgreSQL server that does not answer is given up on
    after a few seconds.
    """
    parsed = engine_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = sqlite_path(url)
        if database is not None:
            # owner-only: in OAuth mode it holds every workspace's bot token
            try:
                make_private_folder(database.parent)
            except OSError as exc:
                raise _cannot_create(f"folder {database.parent}", exc) from None
            try:
                create_private_file(database)
            except OSError as exc:
                raise _cannot_create(f"file {database}", exc) from None
        engine = create_engine(parsed, connect_args={"timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        parsed,
        pool_size=5,
        max_overflow=5,
        pool_timeout=CONNECT_TIMEOUT_SECONDS,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )


def _cannot_create(what: str, exc: OSError) -> SettingsError:
    return SettingsError(
        f"the database {what} cannot be created ({exc.strerror}); "
        "set DATA_DIR or DATABASE_URL to a writable place"
    )


def _sqlite_pragmas(connection: Any, record: Any) -> None:
    # Write-ahead logging: readers never wait on a writer, and a commit needs no full sync.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config(connection: Connection) -> Config:
    """Alembic's configuration, running on this connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration this version of the bot ships."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at (None for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@dataclass(frozen=True)
class Upgraded:
    """What an upgrade did: the revision it started from (None: empty) and the one it reached."""

    before: str | None
    after: str


def upgrade(engine: Engine) -> Upgraded | None:
    """Apply every migration the database lacks; None when there were none.

    Safe to run again, and from two places at once: on PostgreSQL the second waits for the first.
    """
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")
        before = MigrationContext.configure(connection).get_current_revision()
        head = head_revision()
        if before == head:
            return None
        command.upgrade(alembic_config(connection), "head")
        return Upgraded(before, head)


@dataclass(frozen=True)
class SchemaStatus:
    """Where the database's schema is against what this version needs."""

    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        """Whether every migration is applied."""
        return self.current == self.head


def schema_status(engine: Engine) -> SchemaStatus:
    """The database's revision and the newest one shipped."""
    return SchemaStatus(current_revision(engine), head_revision())


def check_schema(engine: Engine) -> None:
    """At start-up: a private SQLite file is brought up to date; any other database must be.

    Raises SchemaBehindError (one line, with the command to run) when a shared database is behind.
    """
    if is_sqlite(engine):
        done = upgrade(engine)
        if done is not None:
            log.info("upgraded the database from %s to %s", done.before or "empty", done.after)
        return
    status = schema_status(engine)
    if not status.up_to_date:
        raise SchemaBehindError(f"the database schema is behind; {UPGRADE_HINT}")

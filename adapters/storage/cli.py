"""`coach-or-therapy db upgrade|current`: apply the migrations, or say where the schema is."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO
from urllib.parse import quote

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from adapters.settings import Settings
from adapters.storage.database import (
    UPGRADE_HINT,
    engine_url,
    make_engine,
    schema_status,
    upgrade,
)
from bot.plain_text import on_one_line

SQLITE_UPGRADES_ITSELF = "the bot brings a SQLite file up to date by itself when it starts"


def _where(settings: Settings) -> str:
    return engine_url(settings.database_url_or_default).render_as_string(hide_password=True)


def _reason(exc: SQLAlchemyError) -> str:
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return detail[0] if detail else type(exc).__name__


def _sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite URL (None for anything else, or an in-memory database)."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).expanduser()


def _sqlite_reader(url: URL, path: Path) -> Engine:
    """An engine that only reads an existing SQLite file and leaves no file beside it.

    With no write-ahead log beside the file nothing is writing to it, so it is read as
    immutable and SQLite makes no -wal or -shm file; with one, a read-only connection shares it.
    """
    wal = path.with_name(path.name + "-wal")
    query = {"mode": "ro"} if wal.exists() else {"immutable": "1"}
    return create_engine(
        url.set(database=f"file:{quote(str(path))}", query={**query, "uri": "true"})
    )


def run_db(settings: Settings, action: str, out: TextIO) -> int:
    """Run `upgrade` or `current`; 0 when nothing needs doing, 1 when behind or unreachable.

    `current` only reads: it creates no folder, file or table. A SQLite file that is missing or
    behind is reported with exit 0, since start-up brings it up to date.
    """
    url = engine_url(settings.database_url_or_default)
    sqlite = _sqlite_file(url)
    if action == "current" and sqlite is not None:
        if not sqlite.is_file():
            where = on_one_line(str(sqlite))
            print(f"no database file at {where} yet; {SQLITE_UPGRADES_ITSELF}", file=out)
            return 0
        engine = _sqlite_reader(url, sqlite)
    else:
        engine = make_engine(settings.database_url_or_default)
    try:
        if action == "upgrade":
            done = upgrade(engine)
            if done is not None:
                print(
                    f"upgraded the database from {done.before or 'empty'} to {done.after}", file=out
                )
        status = schema_status(engine)
    except SQLAlchemyError as exc:
        print(
            f"coach-or-therapy: cannot use the database at {_where(settings)}: {_reason(exc)}",
            file=out,
        )
        return 1
    finally:
        engine.dispose()
    if status.up_to_date:
        print(
            f"database schema is up to date (revision {status.head}) at {_where(settings)}",
            file=out,
        )
        return 0
    current = status.current or "empty"
    if sqlite is not None:
        print(
            f"the database schema is behind ({current}, newest {status.head}); "
            f"{SQLITE_UPGRADES_ITSELF}",
            file=out,
        )
        return 0
    print(
        f"the database schema is behind ({current}, newest {status.head}); {UPGRADE_HINT}",
        file=out,
    )
    return 1

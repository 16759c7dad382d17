"""Real storage for the platform suites: a SQLite file, one that cannot be reached, a stuck server,
and a way to count the statements a database is sent."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select

from adapters.storage import rows
from adapters.storage.database import make_engine, upgrade
from adapters.storage.interface import MonthCounts
from adapters.storage.schema import monthly_counts
from adapters.storage.stats import offset, rounded
from adapters.storage.store import DatabaseStorage


def sqlite_storage(folder: Path, **options: Any) -> DatabaseStorage:
    """Storage on a fresh SQLite file in `folder`, every migration applied."""
    engine = make_engine(f"sqlite:///{folder / 'coach-or-therapy.db'}")
    upgrade(engine)
    return DatabaseStorage(engine, **options)


def storage_on(url: str, **options: Any) -> DatabaseStorage:
    """Storage on a database at `url` (upgraded), as `coach-or-therapy` opens it."""
    engine = make_engine(url)
    upgrade(engine)
    return DatabaseStorage(engine, **options)


def unreachable_storage(folder: Path, **options: Any) -> DatabaseStorage:
    """Storage whose database can never be opened (a SQLite path that is a folder)."""
    return DatabaseStorage(create_engine(f"sqlite:///{folder}"), **options)


def counted(engine: Engine) -> list[tuple[str, str, str, int]]:
    """Every stored total as (platform, workspace, counter, count), sorted; months left out."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                monthly_counts.c.platform,
                monthly_counts.c.workspace,
                monthly_counts.c.counter,
                monthly_counts.c["count"],
            )
        ).all()
    return sorted((p, w, c, n) for p, w, c, n in rows)


class Statements:
    """Counts the statements an engine sends to its database while it is being watched."""

    def __init__(self) -> None:
        self.sent: list[str] = []


@contextmanager
def statements_sent(engine: Engine) -> Iterator[Statements]:
    """Record every statement `engine` executes inside the `with` block."""
    seen = Statements()

    def record(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


class HungDatabase:
    """A server on loopback that accepts connections and never answers, like a stuck database."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        """A DATABASE_URL that reaches it."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/stuck"

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self) -> None:
        """Stop accepting and hang up on everyone."""
        self.sock.close()
        for connection in self.connections:
            connection.close()


async def exact_months(
    storage: DatabaseStorage, platform: str, workspace: str, months: int = 12
) -> list[MonthCounts]:
    """The exact totals in the database, newest month first, once the waiting counts are in
    (what admins see is rounded: see adapters/storage/stats.py)."""
    await storage.counts.flush()
    return rows.read_months(storage.engine, platform, workspace, months)


def last_month() -> str:
    """The month before this one, as YYYY-MM (the newest one an admin's totals show)."""
    today = datetime.now(UTC)
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def shown_for(
    engine: Engine, platform: str, workspace: str, month: str, counter: str, n: int
) -> int:
    """What an admin is shown for a total of `n` (rounded with this database's key)."""
    return rounded(n, offset(rows.read_stats_key(engine), platform, workspace, month, counter))

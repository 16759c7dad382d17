"""Storage on a database: settings from memory, counts in batches, admins' actions straight through.

A click's path does no database work once its workspace's settings are held in memory (see
settings_cache.py) and only adds to counters in memory (see counts.py); both are brought up to
date in the background while the platforms serve (`running()`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from adapters.storage import rows
from adapters.storage.counts import MAX_PENDING, CountBatch
from adapters.storage.health import Health
from adapters.storage.installations import ThreadedInstallationStore, ThreadedStateStore
from adapters.storage.interface import MonthCounts, StorageUnavailable, WorkspacePrefs
from adapters.storage.rows import month_of
from adapters.storage.settings_cache import CAPACITY, SettingsCache
from adapters.storage.stats import as_shown

log = logging.getLogger("adapters.storage")

_T = TypeVar("_T")


class DatabaseStorage:
    """The Storage interface on a SQLAlchemy engine."""

    keeps_settings = True

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], float] = time.time,
        health: Health | None = None,
        max_pending: int = MAX_PENDING,
        settings_held: int = CAPACITY,
    ) -> None:
        self.engine = engine
        self._clock = clock
        self._stats_key: bytes | None = None
        self.health = health or Health(clock)
        self.cache = SettingsCache(engine, self.health, settings_held)
        self.counts = CountBatch(engine, self.health, clock, max_pending)

    # -- on every click ---------------------------------------------------------------------

    async def settings(self, platform: str, workspace: str) -> WorkspacePrefs:
        """This workspace's settings; the defaults when none are stored or storage is away."""
        return await self.cache.get((platform, workspace))

    def count(self, platform: str, workspace: str, counters: tuple[str, ...]) -> None:
        """Add one to each counter, in memory; written within a second or two."""
        self.counts.add(platform, workspace, counters)

    # -- an admin's actions -----------------------------------------------------------------

    async def save_settings(self, platform: str, workspace: str, prefs: WorkspacePrefs) -> None:
        """Store this workspace's settings whole; used here at once, elsewhere within seconds."""
        await self._admin(rows.write_settings, self.engine, platform, workspace, prefs)
        self.cache.saved((platform, workspace), prefs)

    async def stats(self, platform: str, workspace: str, months: int = 6) -> list[MonthCounts]:
        """The last months that have ended, each total rounded as it may be shown (stats.py)."""
        await self.counts.flush()
        if self._stats_key is None:
            self._stats_key = await self._admin(rows.read_stats_key, self.engine)
        found = await self._admin(rows.read_months, self.engine, platform, workspace, months + 1)
        this_month = month_of(self._clock())
        return as_shown(found, self._stats_key, platform, workspace, this_month)[:months]

    async def forget(self, platform: str, workspace: str) -> None:
        """Forget a workspace that removed the bot: its settings and (Slack) installation."""
        await self._admin(rows.delete_workspace, self.engine, platform, workspace)
        self.cache.forgotten((platform, workspace))

    async def _admin(self, work: Callable[..., _T], *args: object) -> _T:
        """Run an admin's database work in a thread; once more if the connection had gone stale.

        Connections are not checked before each use (that would cost every use a round trip),
        so the first use after a database restart meets a dead connection; SQLAlchemy then
        discards the pool and a second try connects afresh.
        """
        for attempt in range(2):
            try:
                result = await asyncio.to_thread(work, *args)
            except DBAPIError as exc:
                if exc.connection_invalidated and attempt == 0:
                    continue
                self.health.went_wrong(exc, "doing an admin's request")
                raise StorageUnavailable(type(exc).__name__) from exc
            except SQLAlchemyError as exc:
                self.health.went_wrong(exc, "doing an admin's request")
                raise StorageUnavailable(type(exc).__name__) from exc
            self.health.went_right()
            return result
        raise AssertionError("unreachable")

    # -- installations ----------------------------------------------------------------------

    def installation_store(self, client_id: str) -> AsyncInstallationStore:
        """slack_sdk's installation store on this database."""
        return ThreadedInstallationStore(client_id, self.engine)

    def oauth_state_store(self, expiration_seconds: int) -> AsyncOAuthStateStore:
        """slack_sdk's OAuth state store on this database."""
        return ThreadedStateStore(self.engine, expiration_seconds)

    # -- lifetime ---------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Keep settings fresh and write counts while the platforms serve; flush on the way out."""
        background = [
            asyncio.ensure_future(self.cache.keep_fresh()),
            asyncio.ensure_future(self.counts.keep_flushing()),
        ]
        try:
            yield
        finally:
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            await self.cache.close()
            if self.counts.pending:
                log.info("writing %d counts before stopping", self.counts.pending)
            await self.counts.flush()

    def close(self) -> None:
        """On shutdown: one last try to write waiting counts (else say how many are lost)."""
        self.counts.write_at_exit()
        self.engine.dispose()

"""Counts added up in memory and written to the database in batches, off every click's path.

A click only adds to a counter in memory. Every FLUSH_SECONDS the totals waiting are written in one
transaction (an upsert that adds, so replicas add up), and once more on a graceful stop. While the
database is away they keep waiting, up to a limit; past it the oldest months are dropped whole, and
how many were dropped is counted and logged when the database is back.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable

from sqlalchemy import Engine

from adapters.storage import rows
from adapters.storage.health import Health, failure_kind
from adapters.storage.rows import CountKey, month_of

log = logging.getLogger("adapters.storage")

FLUSH_SECONDS = 1.0
MAX_PENDING = 10_000
"""Distinct (workspace, month, counter) totals kept while the database is away."""
WRITE_TIMEOUT_SECONDS = 5.0


class CountBatch:
    """Totals waiting to be written; safe to add to from any task or thread."""

    def __init__(
        self,
        engine: Engine,
        health: Health,
        clock: Callable[[], float] = time.time,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self._engine = engine
        self._health = health
        self._clock = clock
        self._max_pending = max_pending
        self._lock = threading.Lock()
        self._pending: Counter[CountKey] = Counter()
        self._writing_now = 0
        """Counts taken out for the write under way: still waiting until it commits."""
        # one write at a time, so a batch put back after a failure is never written twice
        self._writing = threading.Lock()
        self.dropped = 0
        """Counts given up on because the database stayed away too long (a metric)."""
        self._dropped_reported = 0

    @property
    def pending(self) -> int:
        """Counts not yet in the database (those of a write under way included)."""
        with self._lock:
            return sum(self._pending.values()) + self._writing_now

    def add(self, platform: str, workspace: str, counters: tuple[str, ...]) -> None:
        """Add one to each counter for this month, in memory."""
        if not counters:
            return
        month = month_of(self._clock())
        with self._lock:
            for counter in counters:
                self._pending[(platform, workspace, month, counter)] += 1
            self._drop_overflow()

    def write(self) -> None:
        """Write every waiting total now, blocking; put them back and raise when it fails."""
        with self._writing:
            with self._lock:
                batch, self._pending = self._pending, Counter()
                self._writing_now = sum(batch.values())
            if not batch:
                return
            try:
                rows.add_counts(self._engine, batch)
            except BaseException:
                with self._lock:
                    batch.update(self._pending)
                    self._pending = batch
                    self._writing_now = 0
                    self._drop_overflow()
                raise
            with self._lock:
                self._writing_now = 0
        self._report_dropped()

    async def flush(self) -> None:
        """Write every waiting total from a worker thread; never raises."""
        if not self.pending:
            return
        try:
            # a write that outlasts the wait still lands, or puts its counts back, in its thread
            await asyncio.wait_for(asyncio.to_thread(self.write), WRITE_TIMEOUT_SECONDS)
        except Exception as exc:  # storage must never break a conversation
            self._health.went_wrong(exc, "counting")
            return
        self._health.went_right()

    async def keep_flushing(self) -> None:
        """Flush every FLUSH_SECONDS until cancelled."""
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            await self.flush()

    def write_at_exit(self) -> None:
        """The last write on the way out; says how many counts are lost when it fails."""
        try:
            self.write()
        except Exception as exc:
            log.warning("counts not written at shutdown (%s): %d", failure_kind(exc), self.pending)

    def _drop_overflow(self) -> None:
        # the oldest months go first; a month's total is dropped whole, never part of it
        while len(self._pending) > self._max_pending:
            oldest = min(self._pending, key=lambda key: key[2])
            self.dropped += self._pending.pop(oldest)

    def _report_dropped(self) -> None:
        with self._lock:
            newly = self.dropped - self._dropped_reported
            self._dropped_reported = self.dropped
        if newly:
            log.warning("counts dropped while the database was away: %d", newly)

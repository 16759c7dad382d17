"""Workspaces on a database: preferences and monthly counts that never get in a conversation's way.

When the database cannot be reached, preferences fall back to the defaults and counts wait in memory
(up to a limit, then they are dropped and the drop is counted); one warning is logged when the
database goes away, and at most one more every few minutes while it stays away.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from adapters.storage.schema import (
    monthly_counts,
    slack_bots,
    slack_installations,
    workspace_settings,
)
from adapters.workspaces import WorkspacePrefs
from bot.tally import COUNTERS

log = logging.getLogger(__name__)

WARN_EVERY_SECONDS = 300.0
RETRY_AFTER_SECONDS = 5.0
"""After a failure, clicks use the defaults without asking the database again for this long."""
READ_TIMEOUT_SECONDS = 1.0
"""A click waits this long for settings at most; Slack and Discord want an answer within 3 s."""
WRITE_TIMEOUT_SECONDS = 2.0
MAX_PENDING = 10_000
"""Distinct (workspace, month, counter) totals kept while the database is away."""

_CountKey = tuple[str, str, str, str]


def month_of(moment: float) -> str:
    """The UTC month of a moment, as YYYY-MM."""
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m")


def _join(ids: Iterable[str]) -> str:
    return ",".join(ids)


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part for part in (text or "").split(",") if part)


@dataclass(frozen=True)
class MonthCounts:
    """One workspace's totals for one month, by counter name."""

    month: str
    counts: dict[str, int] = field(default_factory=dict)

    def get(self, counter: str) -> int:
        """The total for one counter (0 when nothing was counted)."""
        return self.counts.get(counter, 0)


class DatabaseWorkspaces:
    """The Workspaces protocol on a SQLAlchemy engine, plus what admins change and read.

    Every call runs its database work in a worker thread, so the event loop never waits on it.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], float] = time.time,
        warn_every: float = WARN_EVERY_SECONDS,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self.engine = engine
        self._clock = clock
        self._warn_every = warn_every
        self._max_pending = max_pending
        self._lock = threading.Lock()
        self._pending: Counter[_CountKey] = Counter()
        self._down_since: float | None = None
        self._last_warning: float | None = None
        self._retry_at = 0.0
        self.dropped = 0
        """Counts given up on because the database stayed away too long (a metric)."""
        self._reported_dropped_before = 0

    # -- health ---------------------------------------------------------------------------

    def went_wrong(self, exc: Exception, doing: str) -> None:
        """Note a failure: warn (at most every few minutes) and rest the database briefly."""
        now = self._clock()
        with self._lock:
            self._retry_at = now + RETRY_AFTER_SECONDS
            if self._down_since is None:
                self._down_since = now
            due = self._last_warning is None or now - self._last_warning >= self._warn_every
            if due:
                self._last_warning = now
        if due:
            # The exception's text can carry SQL parameters; its kind is enough to act on.
            log.warning(
                "database unavailable while %s (%s); using default settings and keeping "
                "counts to write later",
                doing,
                "timed out" if isinstance(exc, TimeoutError) else type(exc).__name__,
            )

    def _went_right(self) -> None:
        with self._lock:
            was_down = self._down_since is not None
            self._down_since = None
            self._last_warning = None
            newly_dropped = self.dropped - self._reported_dropped_before
            self._reported_dropped_before = self.dropped
        if was_down:
            log.info("database reachable again")
        if newly_dropped:
            log.warning("counts dropped while the database was away: %d", newly_dropped)

    def _resting(self) -> bool:
        """Whether the database failed moments ago (then clicks do not wait on it again yet)."""
        with self._lock:
            return self._down_since is not None and self._clock() < self._retry_at

    @property
    def pending(self) -> int:
        """Counts waiting to be written."""
        with self._lock:
            return sum(self._pending.values())

    # -- the Workspaces protocol ------------------------------------------------------------

    async def prefs(self, platform: str, workspace: str) -> WorkspacePrefs:
        """This workspace's preferences; the defaults when none are stored or storage is down."""
        if self._resting():
            return WorkspacePrefs()
        try:
            found = await asyncio.wait_for(
                asyncio.to_thread(self.read_prefs, platform, workspace), READ_TIMEOUT_SECONDS
            )
        except Exception as exc:  # storage must never break a conversation
            self.went_wrong(exc, "reading workspace settings")
            return WorkspacePrefs()
        self._went_right()
        return found or WorkspacePrefs()

    async def count(self, platform: str, workspace: str, counters: tuple[str, ...]) -> None:
        """Add one to each counter for this month; kept for later when the database is away."""
        if not counters:
            return
        month = month_of(self._clock())
        with self._lock:
            for counter in counters:
                self._pending[(platform, workspace, month, counter)] += 1
            self._drop_overflow()
        if not self._resting():
            await self.flush()

    async def flush(self) -> None:
        """Write every waiting count now (also called on shutdown); never raises."""
        try:
            # A write that outlasts the wait still lands, or puts its counts back, in its thread.
            await asyncio.wait_for(asyncio.to_thread(self._write_pending), WRITE_TIMEOUT_SECONDS)
        except Exception as exc:  # storage must never break a conversation
            self.went_wrong(exc, "counting")
            return
        self._went_right()

    def close(self) -> None:
        """On shutdown: one last try to write waiting counts (else say how many are lost)."""
        try:
            self._write_pending()
        except Exception as exc:
            log.warning("counts not written at shutdown (%s): %d", type(exc).__name__, self.pending)
        self.engine.dispose()

    # -- blocking work, run in a thread -------------------------------------------------------

    def _write_pending(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, Counter()
        if not batch:
            return
        try:
            self.add_counts(batch)
        except Exception:
            with self._lock:
                batch.update(self._pending)
                self._pending = batch
                self._drop_overflow()
            raise

    def _drop_overflow(self) -> None:
        # The oldest months go first; a month's total is dropped whole, never part of it.
        while len(self._pending) > self._max_pending:
            oldest = min(self._pending, key=lambda key: key[2])
            self.dropped += self._pending.pop(oldest)

    def add_counts(self, amounts: Counter[_CountKey]) -> None:
        """Add these amounts in one transaction; an upsert, so replicas add up, never overwrite."""
        rows = [
            {"platform": p, "workspace": w, "month": m, "counter": c, "count": n}
            for (p, w, m, c), n in sorted(amounts.items())
        ]
        insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        statement = insert(monthly_counts)
        statement = statement.on_conflict_do_update(
            index_elements=["platform", "workspace", "month", "counter"],
            set_={"count": monthly_counts.c["count"] + statement.excluded["count"]},
        )
        with self.engine.begin() as connection:
            connection.execute(statement, rows)

    def read_prefs(self, platform: str, workspace: str) -> WorkspacePrefs | None:
        """The stored preferences, or None when this workspace has stored none."""
        query = select(workspace_settings).where(
            workspace_settings.c.platform == platform,
            workspace_settings.c.workspace == workspace,
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        if row is None:
            return None
        return WorkspacePrefs(
            region=row["region"],
            eap_contact=row["eap_contact"],
            coaching_contact=row["coaching_contact"],
            locale=row["locale"],
            card_channels=_split(row["card_channels"]),
            card_roles=_split(row["card_roles"]),
        )

    def write_prefs(self, platform: str, workspace: str, prefs: WorkspacePrefs) -> None:
        """Store this workspace's preferences, replacing any stored before."""
        values = {
            "region": prefs.region,
            "eap_contact": prefs.eap_contact,
            "coaching_contact": prefs.coaching_contact,
            "locale": prefs.locale,
            "card_channels": _join(prefs.card_channels),
            "card_roles": _join(prefs.card_roles),
        }
        insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        statement = insert(workspace_settings).values(
            platform=platform, workspace=workspace, **values
        )
        statement = statement.on_conflict_do_update(
            index_elements=["platform", "workspace"], set_=values
        )
        with self.engine.begin() as connection:
            connection.execute(statement)

    def forget(self, platform: str, workspace: str) -> None:
        """Delete a workspace's settings (and, on Slack, its installation): it uninstalled."""
        with self.engine.begin() as connection:
            connection.execute(
                delete(workspace_settings).where(
                    workspace_settings.c.platform == platform,
                    workspace_settings.c.workspace == workspace,
                )
            )
            if platform == "slack":
                for table in (slack_installations, slack_bots):
                    connection.execute(delete(table).where(table.c.team_id == workspace))

    def read_stats(self, platform: str, workspace: str, months: int = 6) -> list[MonthCounts]:
        """The last `months` months with any counts, newest first."""
        query = (
            select(monthly_counts.c.month, monthly_counts.c.counter, monthly_counts.c["count"])
            .where(
                monthly_counts.c.platform == platform,
                monthly_counts.c.workspace == workspace,
                monthly_counts.c.counter.in_(COUNTERS),
            )
            .order_by(monthly_counts.c.month.desc())
        )
        by_month: dict[str, dict[str, int]] = {}
        with self.engine.connect() as connection:
            for month, counter, count in connection.execute(query):
                if month not in by_month and len(by_month) == months:
                    break
                by_month.setdefault(month, {})[counter] = count
        return [MonthCounts(month, counts) for month, counts in by_month.items()]

    # -- async wrappers for admin commands --------------------------------------------------

    async def save_prefs(self, platform: str, workspace: str, prefs: WorkspacePrefs) -> None:
        """Store preferences (raises SQLAlchemyError: an admin should hear it did not save)."""
        await asyncio.to_thread(self.write_prefs, platform, workspace, prefs)

    async def stats(self, platform: str, workspace: str, months: int = 6) -> list[MonthCounts]:
        """The last months' totals (raises SQLAlchemyError when the database is away)."""
        await self.flush()
        return await asyncio.to_thread(self.read_stats, platform, workspace, months)

    async def uninstalled(self, platform: str, workspace: str) -> None:
        """Forget a workspace that removed the bot (raises SQLAlchemyError)."""
        await asyncio.to_thread(self.forget, platform, workspace)

"""Whether the database is answering: one warning when it goes away, one line when it is back.

While it stays away, at most one more warning every few minutes; right after a failure, callers on
a click's path leave it alone for a few seconds instead of each waiting on it again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger("adapters.storage")

WARN_EVERY_SECONDS = 300.0
RETRY_AFTER_SECONDS = 5.0
"""After a failure, clicks use what they have without asking the database again for this long."""


def failure_kind(exc: BaseException) -> str:
    """What went wrong, safe to log: an exception's text can carry SQL parameters."""
    return "timed out" if isinstance(exc, TimeoutError) else type(exc).__name__


class Health:
    """The database's recent record, shared by every part of one store (thread-safe)."""

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        warn_every: float = WARN_EVERY_SECONDS,
    ) -> None:
        self._clock = clock
        self._warn_every = warn_every
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._last_warning: float | None = None
        self._retry_at = 0.0

    def went_wrong(self, exc: BaseException, doing: str) -> None:
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
            log.warning(
                "database unavailable while %s (%s); using what is known and keeping counts "
                "to write later",
                doing,
                failure_kind(exc),
            )

    def went_right(self) -> None:
        """Note a success; say once that the database is back."""
        with self._lock:
            was_down = self._down_since is not None
            self._down_since = None
            self._last_warning = None
        if was_down:
            log.info("database reachable again")

    @property
    def resting(self) -> bool:
        """Whether the database failed moments ago (then clicks do not wait on it again yet)."""
        with self._lock:
            return self._down_since is not None and self._clock() < self._retry_at

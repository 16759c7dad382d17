"""Slack's retried events: which to let through, so that no event is handled twice.

Slack sends an event again (with X-Slack-Retry-Num, or retry_attempt in Socket Mode) when the
first delivery was not acknowledged in time or did not arrive. A retry whose first delivery
reached the app (its event_id was seen here, or Slack says it timed out waiting, which means
some replica has it) is acknowledged and dropped; one whose first delivery never arrived is
handled.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

REMEMBER_SECONDS = 60 * 60
"""Slack retries within minutes; an event id is remembered for an hour."""
MAX_REMEMBERED = 10_000
TIMED_OUT = "http_timeout"
"""Slack's X-Slack-Retry-Reason when the first delivery arrived but was answered too late."""


class Deliveries:
    """The event ids this process has taken, for an hour (at most MAX_REMEMBERED of them)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, event_id: str | None, retry: int, reason: str | None) -> bool:
        """Whether to handle this delivery (and, when it is handled, remember it)."""
        now = self._clock()
        while self._seen and (
            len(self._seen) > MAX_REMEMBERED
            or now - next(iter(self._seen.values())) > REMEMBER_SECONDS
        ):
            self._seen.popitem(last=False)
        if retry > 0 and reason == TIMED_OUT:
            return False
        if event_id is None:
            return True
        if event_id in self._seen:
            return False
        self._seen[event_id] = now
        return True


def retry_number(raw: str | None) -> int:
    """X-Slack-Retry-Num as a number (0 for a first delivery or an unreadable header)."""
    if raw is None or not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        return 0
    return int(raw)

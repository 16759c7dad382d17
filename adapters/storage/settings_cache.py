"""Workspace settings held in memory, so a click reads them without asking the database.

Why a version number, polled: every change to any workspace's settings adds one to a single row
in the same transaction (see rows.py), so one replica learns of another's save by reading one
integer each second, whatever the number of workspaces, on SQLite and PostgreSQL alike. A short
expiry per workspace would instead read every busy workspace again and again, and LISTEN/NOTIFY
would need a connection held open and a second mechanism for SQLite. A save on this process is
seen at once; on another replica within SEEN_WITHIN_SECONDS.

While the settings table holds at most CAPACITY rows (nearly every installation), all of it is
held, so a workspace that is not held has nothing stored and no click ever waits on a read. Beyond
that, the most recently used workspaces are held and a workspace seen for the first time is read
once, waiting at most READ_TIMEOUT_SECONDS.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict

from sqlalchemy import Engine

from adapters.storage import rows
from adapters.storage.health import Health
from adapters.storage.interface import WorkspacePrefs
from adapters.storage.rows import Key

log = logging.getLogger("adapters.storage")

POLL_SECONDS = 1.0
SEEN_WITHIN_SECONDS = 2.0
"""The longest a save on one replica takes to be used by the others (a poll and a read)."""
CAPACITY = 10_000
READ_TIMEOUT_SECONDS = 1.0
"""A click waits this long at most for a workspace read for the first time (platforms want 3 s)."""

_DEFAULTS = WorkspacePrefs()


class SettingsCache:
    """Every workspace's settings as last read, refreshed whenever the settings version moves."""

    def __init__(self, engine: Engine, health: Health, capacity: int = CAPACITY) -> None:
        self._engine = engine
        self._health = health
        self._capacity = capacity
        self._held: OrderedDict[Key, WorkspacePrefs] = OrderedDict()
        self._complete = False
        self._version: int | None = None
        self._reading: dict[Key, asyncio.Task[WorkspacePrefs]] = {}
        # every local save or removal moves this on, so a read that began before it is not kept
        self._changes = 0
        self._changed_at: dict[Key, int] = {}

    async def get(self, key: Key) -> WorkspacePrefs:
        """The workspace's settings: from memory when held, else read once (defaults on trouble)."""
        held = self._held.get(key)
        if held is not None:
            self._held.move_to_end(key)
            return held
        if self._complete or self._health.resting:
            return _DEFAULTS
        reading = self._reading.get(key)
        if reading is None:
            reading = asyncio.ensure_future(self._read_one(key))
            self._reading[key] = reading
            reading.add_done_callback(lambda _: self._reading.pop(key, None))
        try:
            return await asyncio.wait_for(asyncio.shield(reading), READ_TIMEOUT_SECONDS)
        except TimeoutError as exc:
            self._health.went_wrong(exc, "reading workspace settings")
            return _DEFAULTS

    async def _read_one(self, key: Key) -> WorkspacePrefs:
        began = self._changes
        try:
            found = await asyncio.to_thread(rows.read_settings, self._engine, [key])
        except Exception as exc:  # storage must never break a conversation
            self._health.went_wrong(exc, "reading workspace settings")
            return _DEFAULTS
        self._health.went_right()
        prefs = found.get(key, _DEFAULTS)
        if self._changed_at.get(key, -1) < began:
            self._hold(key, prefs)
        return self._held.get(key, prefs)

    def saved(self, key: Key, prefs: WorkspacePrefs) -> None:
        """A save made here: used by the next click at once."""
        self._note_change(key)
        self._hold(key, prefs)

    def forgotten(self, key: Key) -> None:
        """A removal made here: the defaults from the next click on."""
        self._note_change(key)
        self._held.pop(key, None)
        if not self._complete:
            self._hold(key, _DEFAULTS)

    def _note_change(self, key: Key) -> None:
        self._changes += 1
        self._changed_at[key] = self._changes

    def _hold(self, key: Key, prefs: WorkspacePrefs) -> None:
        self._held[key] = prefs
        self._held.move_to_end(key)
        while len(self._held) > self._capacity:
            self._held.popitem(last=False)
            self._complete = False

    async def refresh(self) -> None:
        """Read settings again if any replica changed them since the last look; never raises."""
        began = self._changes
        try:
            version = await asyncio.to_thread(rows.read_version, self._engine)
            if version == self._version:
                self._health.went_right()
                return
            if self._complete or self._version is None:
                found = await asyncio.to_thread(
                    rows.read_all_settings, self._engine, self._capacity
                )
                complete = len(found) <= self._capacity
                stale = set(self._held) - set(found) if complete else set()
            else:
                found = await asyncio.to_thread(rows.read_settings, self._engine, list(self._held))
                complete = False
                stale = set(self._held) - set(found)
        except Exception as exc:  # settings as last read stay in use
            self._health.went_wrong(exc, "checking for changed settings")
            return
        self._health.went_right()
        self._apply(found, stale, complete, began)
        self._version = version

    def _apply(
        self, found: dict[Key, WorkspacePrefs], stale: set[Key], complete: bool, began: int
    ) -> None:
        kept_here = {key for key, at in self._changed_at.items() if at > began}
        for key in stale - kept_here:
            if complete:
                self._held.pop(key, None)
            else:
                self._held[key] = _DEFAULTS
        for key, prefs in found.items():
            if key not in kept_here:
                self._hold(key, prefs)
        self._complete = complete and len(self._held) <= self._capacity
        if not kept_here:
            self._changed_at.clear()

    async def keep_fresh(self) -> None:
        """Refresh every POLL_SECONDS until cancelled."""
        while True:
            await self.refresh()
            await asyncio.sleep(POLL_SECONDS)

    async def close(self) -> None:
        """Stop any read still under way."""
        for reading in list(self._reading.values()):
            reading.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reading

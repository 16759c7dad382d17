"""What the adapters ask of storage: one interface, with a database behind it or nothing at all.

Reading a workspace's settings and counting a turn are on every click's path, so they never raise
and never wait on a database that is warm in memory. Saving settings, reading totals and forgetting
a workspace are an admin's actions: those raise StorageUnavailable, so the admin hears that it did
not work.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from slack_sdk.oauth.installation_store.async_installation_store import (
        AsyncInstallationStore,
    )
    from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore


@dataclass(frozen=True)
class WorkspacePrefs:
    """Per-workspace choices; None or empty means "use the default from the environment"."""

    region: str | None = None
    eap_contact: str | None = None
    coaching_contact: str | None = None
    locale: str | None = None
    card_channels: tuple[str, ...] = ()
    card_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class MonthCounts:
    """One workspace's totals for one month, by counter name."""

    month: str
    counts: dict[str, int] = field(default_factory=dict)

    def get(self, counter: str) -> int:
        """The total for one counter (0 when nothing was counted)."""
        return self.counts.get(counter, 0)


class StorageUnavailable(Exception):
    """An admin's action could not be done: the database is away, or there is none."""


class Storage(Protocol):
    """Settings, counts, totals and installations, as every adapter uses them."""

    @property
    def keeps_settings(self) -> bool:
        """Whether settings can be saved and totals read (False when there is no database)."""
        ...

    async def settings(self, platform: str, workspace: str) -> WorkspacePrefs:
        """This workspace's settings; the defaults when none are stored or storage is away."""
        ...

    def count(self, platform: str, workspace: str, counters: tuple[str, ...]) -> None:
        """Add one to each named counter for this workspace's current month."""
        ...

    async def save_settings(self, platform: str, workspace: str, prefs: WorkspacePrefs) -> None:
        """Store this workspace's settings whole (raises StorageUnavailable)."""
        ...

    async def stats(self, platform: str, workspace: str, months: int = 6) -> list[MonthCounts]:
        """The last months that have ended, newest first, as they may be shown: each total
        rounded so no one can be picked out (see stats.py). Raises StorageUnavailable."""
        ...

    async def forget(self, platform: str, workspace: str) -> None:
        """Forget a workspace that removed the bot: settings and installation (raises)."""
        ...

    def installation_store(self, client_id: str) -> AsyncInstallationStore:
        """Where Slack's OAuth flow keeps each workspace's bot token (raises when none)."""
        ...

    def oauth_state_store(self, expiration_seconds: int) -> AsyncOAuthStateStore:
        """Where Slack's OAuth flow keeps its one-time install states (raises when none)."""
        ...

    def running(self) -> AbstractAsyncContextManager[None]:
        """The background work while the platforms serve; counts are written on the way out."""
        ...

    def close(self) -> None:
        """Write anything still waiting and let go of the database."""
        ...


NO_DATABASE = "there is no database (the terminal chat keeps nothing)"


class NoStorage:
    """Storage with nothing behind it: every workspace uses the defaults, nothing is counted."""

    keeps_settings = False

    async def settings(self, platform: str, workspace: str) -> WorkspacePrefs:
        """Always the defaults."""
        return WorkspacePrefs()

    def count(self, platform: str, workspace: str, counters: tuple[str, ...]) -> None:
        """Counts nothing."""

    async def save_settings(self, platform: str, workspace: str, prefs: WorkspacePrefs) -> None:
        """Nowhere to save."""
        raise StorageUnavailable(NO_DATABASE)

    async def stats(self, platform: str, workspace: str, months: int = 6) -> list[MonthCounts]:
        """Nothing to read."""
        raise StorageUnavailable(NO_DATABASE)

    async def forget(self, platform: str, workspace: str) -> None:
        """Nothing to forget."""

    def installation_store(self, client_id: str) -> AsyncInstallationStore:
        """Installing into many workspaces needs a database."""
        raise StorageUnavailable(NO_DATABASE)

    def oauth_state_store(self, expiration_seconds: int) -> AsyncOAuthStateStore:
        """Installing into many workspaces needs a database."""
        raise StorageUnavailable(NO_DATABASE)

    def running(self) -> AbstractAsyncContextManager[None]:
        """Nothing runs in the background."""
        return _Idle()

    def close(self) -> None:
        """Nothing to let go of."""


class _Idle(AbstractAsyncContextManager[None]):
    async def __aexit__(self, *exc: object) -> None:
        return None

"""What an adapter asks of storage: one workspace's preferences and anonymous counters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class WorkspacePrefs:
    """Per-workspace choices; None or empty means "use the default from the environment"."""

    region: str | None = None
    eap_contact: str | None = None
    coaching_contact: str | None = None
    locale: str | None = None
    card_channels: tuple[str, ...] = ()
    card_roles: tuple[str, ...] = ()


class Workspaces(Protocol):
    """Storage as the adapters see it. Implementations must never raise into a conversation."""

    async def prefs(self, platform: str, workspace: str) -> WorkspacePrefs:
        """This workspace's preferences (defaults when none are stored or storage is down)."""
        ...

    async def count(self, platform: str, workspace: str, counters: tuple[str, ...]) -> None:
        """Add one to each named counter for this workspace's current month."""
        ...


class NoStorage:
    """Workspaces with nothing stored: every workspace uses the defaults, nothing is counted."""

    async def prefs(self, platform: str, workspace: str) -> WorkspacePrefs:
        """Always the defaults."""
        return WorkspacePrefs()

    async def count(self, platform: str, workspace: str, counters: tuple[str, ...]) -> None:
        """Counts nothing."""
        return None

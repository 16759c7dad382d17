"""What a workspace's admin can do on any platform: change its settings and read its totals.

The platforms decide who counts as an admin and draw their own forms; checking what was typed,
keeping the fields a form does not show, saving, and the words for each outcome are here, once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from adapters.runtime import Runtime
from adapters.storage.interface import Storage, StorageUnavailable, WorkspacePrefs
from adapters.storage.stats import stats_text
from adapters.storage.validation import Invalid, validate_prefs

log = logging.getLogger(__name__)

WORDS = {
    "not_saved": (
        "The settings could not be saved just now; nothing changed. Please try again shortly."
    ),
    "no_stats": "The totals can't be read just now; please try again in a minute.",
    "no_database": (
        "Settings and totals need the bot's database, which this installation does not use."
    ),
    "fix": "Nothing was saved. Please fix:",
}


@dataclass(frozen=True)
class Saved:
    """The settings now stored."""

    prefs: WorkspacePrefs


@dataclass(frozen=True)
class NotSaved:
    """Storage could not take the settings; nothing changed."""

    reason: str


class WorkspaceAdmin:
    """One platform's workspaces, as their admins change and read them."""

    def __init__(self, runtime: Runtime, storage: Storage, platform: str) -> None:
        self.runtime = runtime
        self.storage = storage
        self.platform = platform

    @property
    def available(self) -> bool:
        """Whether there is a database to keep settings and totals in."""
        return self.storage.keeps_settings

    @property
    def regions(self) -> list[str]:
        """The regions the content has helplines for."""
        return sorted(self.runtime.book.content().helplines.regions)

    @property
    def locales(self) -> list[str]:
        """The languages the content comes in."""
        return sorted(self.runtime.book.contents)

    async def current(self, workspace: str) -> WorkspacePrefs:
        """What is stored for this workspace now (the defaults when nothing is)."""
        return await self.storage.settings(self.platform, workspace)

    def check(self, form: Mapping[str, str]) -> Invalid | None:
        """What is wrong with a form's fields (None when every field is sensible)."""
        checked = validate_prefs(form, regions=self.regions, locales=self.locales)
        return checked if isinstance(checked, Invalid) else None

    async def save(self, workspace: str, form: Mapping[str, str]) -> Saved | Invalid | NotSaved:
        """Check the form's fields and store them over what is stored; nothing changes on error."""
        checked = validate_prefs(form, regions=self.regions, locales=self.locales)
        if isinstance(checked, Invalid):
            return checked
        prefs = checked.applied_to(await self.current(workspace))
        try:
            await self.storage.save_settings(self.platform, workspace, prefs)
        except StorageUnavailable as exc:
            log.warning("could not save workspace settings (%s)", exc)
            return NotSaved(str(exc))
        log.info("workspace settings saved")
        return Saved(prefs)

    async def stats(self, workspace: str) -> str:
        """The workspace's anonymous monthly totals as text, or why they cannot be read."""
        try:
            months = await self.storage.stats(self.platform, workspace)
        except StorageUnavailable as exc:
            log.warning("could not read the totals (%s)", exc)
            return WORDS["no_stats"]
        return stats_text(months)


def fix_list(invalid: Invalid, labels: Mapping[str, str]) -> str:
    """Every problem in a form, one line each, under the field's label."""
    lines = [f"• {labels.get(name, name)}: {problem}" for name, problem in invalid.errors.items()]
    return "\n".join([WORDS["fix"], *lines])

"""What a workspace's admin can do on any platform: change its settings and read its totals.

The platforms decide who counts as an admin and draw their own forms; checking what was typed,
keeping the fields a form does not show, saving, and saying each outcome (in the words of the
admin's language, ``admin.*`` in messages.yaml) are here, once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from adapters.runtime import Runtime
from adapters.storage.interface import Storage, StorageUnavailable, WorkspacePrefs
from adapters.storage.stats import stats_text
from adapters.storage.validation import Invalid, validate_prefs
from bot.model import Messages

log = logging.getLogger(__name__)


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

    def words(self, locale: str | None) -> Messages:
        """The sentences of the content locale nearest to `locale` (the default when none)."""
        return self.runtime.book.content(locale).messages

    def language_names(self) -> dict[str, str]:
        """Each content locale with the language's own name (``de``: ``Deutsch``)."""
        book = self.runtime.book
        return {name: book.contents[name].messages["language_name"] for name in self.locales}

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

    async def stats(self, workspace: str, words: Messages) -> str:
        """The workspace's anonymous monthly totals as text, or why they cannot be read."""
        try:
            months = await self.storage.stats(self.platform, workspace)
        except StorageUnavailable as exc:
            log.warning("could not read the totals (%s)", exc)
            return words["admin.no_stats"]
        return stats_text(months, words)


def outcome_text(outcome: Saved | Invalid | NotSaved, saved: str, words: Messages) -> str:
    """What the admin reads after submitting the form; `saved` is the platform's own key."""
    if isinstance(outcome, Saved):
        return words[saved]
    if isinstance(outcome, NotSaved):
        return words["admin.not_saved"]
    return fix_list(outcome, words)


def fix_list(invalid: Invalid, words: Messages) -> str:
    """Every problem in a form, one line each, under the field's label."""
    lines = [
        "• " + words.format("admin.fix_line", label=label(words, name), problem=problem)
        for name, problem in invalid.said_in(words).items()
    ]
    return "\n".join([words["admin.fix"], *lines])


def label(words: Messages, field: str) -> str:
    """A settings field's label in these words."""
    return words[f"admin.labels.{field}"]

"""Every locale's content, and the guide for one workspace's locale, region and contacts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.content import content_folders, load_content
from bot.content.limits import NO_LIMITS, TextLimits
from bot.engine import Guide
from bot.model import Content
from bot.regions import region_code


@dataclass(frozen=True)
class GuideBook:
    """All loaded locales, with the default locale and contacts to fall back on."""

    contents: Mapping[str, Content]
    default_locale: str = "en"
    default_region: str | None = None
    eap_contact: str | None = None
    coaching_contact: str | None = None
    _cache: dict[tuple[str, str | None, str | None, str | None, bool], Guide] = field(
        default_factory=dict, compare=False, repr=False
    )

    def pick_locale(self, wanted: str | None) -> str:
        """The best locale for `wanted`: itself, else its language (pt-BR -> pt), else default."""
        if wanted:
            if wanted in self.contents:
                return wanted
            base = wanted.split("-")[0].lower()
            if base in self.contents:
                return base
        return self.default_locale

    def has(self, wanted: str | None) -> bool:
        """Whether the content has this locale or its language."""
        if not wanted:
            return False
        return wanted in self.contents or wanted.split("-")[0].lower() in self.contents

    def locale_for(self, person: str | None, workspace: str | None) -> str:
        """The person's language when the content has it, else the workspace's, else the default."""
        return self.pick_locale(person if self.has(person) else workspace)

    def content(self, locale: str | None = None) -> Content:
        """The content for a locale, falling back to the default locale."""
        return self.contents[self.pick_locale(locale)]

    def guide(
        self,
        locale: str | None = None,
        region: str | None = None,
        eap_contact: str | None = None,
        coaching_contact: str | None = None,
        workplace: bool = False,
    ) -> Guide:
        """The guide for one workspace; anything not given comes from the defaults.

        `workplace`: the conversation runs on a platform whose workspace others administer.
        A region the locale has no helplines for (one since removed from HELPLINES_FILE, say)
        is replaced by the default region, so that help never loses its crisis lines.
        """
        picked = self.pick_locale(locale)
        if region and self.contents[picked].helplines.for_region(region) is None:
            region = None
        key = (
            picked,
            (region_code(region) if region else self.default_region),
            eap_contact or self.eap_contact,
            coaching_contact or self.coaching_contact,
            workplace,
        )
        guide = self._cache.get(key)
        if guide is None:
            guide = Guide(self.contents[key[0]], key[1], key[2], key[3], key[4])
            self._cache[key] = guide
        return guide


def load_guide_book(
    root: Path,
    default_locale: str = "en",
    default_region: str | None = None,
    eap_contact: str | None = None,
    coaching_contact: str | None = None,
    helplines_file: Path | None = None,
    limits: TextLimits = NO_LIMITS,
) -> GuideBook:
    """Load every locale under `root` (or the one locale folder it is), every text held to
    `limits`; ContentError when any is broken. The caller checks that `default_locale` is among
    them."""
    base, names = content_folders(root)
    contents = {name: load_content(base, name, helplines_file, limits=limits) for name in names}
    return GuideBook(contents, default_locale, default_region, eap_contact, coaching_contact)

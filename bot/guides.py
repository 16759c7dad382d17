"""Every locale's content, and the guide for one workspace's locale, region and contacts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.content import content_folders, load_content
from bot.content.limits import NO_NEEDS, ContentNeeds
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
    _matched: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)

    def match(self, wanted: str | None) -> str | None:
        """The content locale nearest to `wanted`: itself (pt-BR), else its language (es-419 ->
        es, de_AT -> de), in any letter case; None when the content has neither."""
        if not wanted or not isinstance(wanted, str):
            return None
        if wanted in self._matched:
            return self._matched[wanted]
        tag = wanted.strip().replace("_", "-").lower()
        folded = {name.lower(): name for name in self.contents}
        found = folded.get(tag) or folded.get(tag.split("-")[0])
        # every click asks; the languages platforms send are few, so the answers stay few
        if len(self._matched) < 1000:
            self._matched[wanted] = found
        return found

    def pick_locale(self, wanted: str | None) -> str:
        """The content locale nearest to `wanted`, else the default locale."""
        return self.match(wanted) or self.default_locale

    def has(self, wanted: str | None) -> bool:
        """Whether the content has this locale or its language."""
        return self.match(wanted) is not None

    def locale_for(self, *wanted: str | None) -> str:
        """The first of `wanted` the content has (the person's language, then the workspace's
        setting, ...), else the default locale."""
        return next((m for m in map(self.match, wanted) if m is not None), self.default_locale)

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
    needs: ContentNeeds = NO_NEEDS,
) -> GuideBook:
    """Load every locale under `root` (or the one locale folder it is), with what the platforms
    `needs` of it; ContentError when any is broken. The caller checks that `default_locale` is among
    them."""
    base, names = content_folders(root)
    contents = {name: load_content(base, name, helplines_file, needs=needs) for name in names}
    return GuideBook(contents, default_locale, default_region, eap_contact, coaching_contact)

"""What every adapter needs at start-up: settings, every locale's guide, and the signing keys."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from adapters import log_privacy
from bot.guides import GuideBook, load_guide_book
from bot.settings import Settings
from bot.state import Keyring, load_keyring


@dataclass(frozen=True)
class Runtime:
    """The loaded, checked pieces an adapter is built from."""

    settings: Settings
    book: GuideBook
    keyring: Keyring


def build_runtime(settings: Settings) -> Runtime:
    """Load content and keys for these settings (raises ContentError or SettingsError)."""
    book = load_guide_book(
        settings.content_root,
        default_locale=settings.default_locale,
        default_region=settings.default_region,
        eap_contact=settings.eap_contact,
        coaching_contact=settings.coaching_contact,
        helplines_file=settings.helplines_file,
    )
    keyring = load_keyring(settings.state_secret, settings.state_secret_old, settings.data_dir)
    return Runtime(settings, book, keyring)


def configure_logging(level: str) -> None:
    """One plain log format for every process, every record scrubbed of anything private."""
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    log_privacy.install()

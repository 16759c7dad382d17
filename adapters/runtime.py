"""What every adapter needs at start-up: settings, every locale's guide, and the signing keys."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from adapters import log_privacy
from adapters.keys import KEY_FILE, load_keyring
from adapters.private_files import open_to_others, sqlite_files
from adapters.settings import Settings, dotenv_sets_secrets
from bot.content import FILES, content_folders
from bot.errors import SettingsError
from bot.guides import GuideBook, load_guide_book
from bot.regions import listed
from bot.state import Keyring

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Runtime:
    """The loaded, checked pieces an adapter is built from."""

    settings: Settings
    book: GuideBook
    keyring: Keyring


def build_runtime(settings: Settings) -> Runtime:
    """Load content and keys for these settings (raises ContentError or SettingsError).

    Content is held to the text limits of every platform the bot serves, whichever run now.
    """
    from adapters.registry import content_needs

    check_content_dir(settings)
    book = load_guide_book(
        settings.content_root,
        default_locale=settings.default_locale,
        default_region=settings.default_region,
        eap_contact=settings.eap_contact,
        coaching_contact=settings.coaching_contact,
        helplines_file=settings.helplines_file,
        needs=content_needs(),
    )
    check_default_locale(book, settings)
    check_default_region(book)
    keyring = load_keyring(settings.state_secret, settings.state_secret_old, settings.data_dir)
    return Runtime(settings, book, keyring)


def check_content_dir(settings: Settings) -> None:
    """Raise SettingsError, naming CONTENT_DIR, when it holds no content to load."""
    _, names = content_folders(settings.content_root)
    if names or settings.content_dir is None:
        return
    raise SettingsError(
        f"CONTENT_DIR is {str(settings.content_dir)!r}, which holds no content; it must be a "
        f"folder of locale folders (like en/) with {', '.join(FILES)} in each, or one such "
        "locale folder (check it with: coach-or-therapy validate)"
    )


def check_default_locale(book: GuideBook, settings: Settings) -> None:
    """Raise SettingsError when DEFAULT_LOCALE is not one of the content's locales."""
    if book.default_locale in book.contents:
        return
    where = f"CONTENT_DIR ({settings.content_dir})" if settings.content_dir else "the content"
    raise SettingsError(
        f"DEFAULT_LOCALE is {book.default_locale!r} but {where} has no such locale; "
        f"use one of {', '.join(book.contents)}"
    )


def supported_regions(book: GuideBook) -> frozenset[str]:
    """The regions every locale has helplines for."""
    regions = [set(content.helplines.regions) for content in book.contents.values()]
    return frozenset(set.intersection(*regions)) if regions else frozenset()


def check_default_region(book: GuideBook) -> None:
    """Raise SettingsError when DEFAULT_REGION names a region without helplines in some locale.

    Such a region would leave the help message with no emergency number and no crisis line.
    """
    region = book.default_region
    if region is None or region in supported_regions(book):
        return
    raise SettingsError(
        f"DEFAULT_REGION is {region!r}, which has no helplines; use one of "
        f"{listed(supported_regions(book))}, or add {region} with HELPLINES_FILE"
    )


def warn_about_open_secrets(settings: Settings, dotenv: Path | None) -> None:
    """Log a warning for each file or folder with secrets in it that other users may read."""
    from adapters.storage.database import sqlite_path

    places: list[tuple[Path, str]] = [
        (settings.data_dir, "the signing key and the database"),
        (settings.data_dir / KEY_FILE, "the key that signs conversation buttons"),
    ]
    database = sqlite_path(settings.database_url_or_default)
    if database is not None:
        places.extend(
            (path, "the bot tokens of installed workspaces") for path in sqlite_files(database)
        )
    from adapters.registry import secret_names

    if dotenv is not None and dotenv_sets_secrets(secret_names(), dotenv):
        places.append((dotenv, "secrets"))
    for warning in open_to_others(places):
        _log.warning("%s", warning)


def configure_logging(level: str) -> None:
    """One plain log format for every process, every record scrubbed of anything private."""
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    log_privacy.install()


def chosen_locale(book: GuideBook, wanted: str, where: str = "--locale") -> str:
    """The content locale for a language someone asked for by name (`where` says how);
    SettingsError naming the languages there are when the content has no such one."""
    found = book.match(wanted)
    if found is None:
        raise SettingsError(
            f"{where} {wanted!r} is not a language the content has; "
            f"use one of {', '.join(sorted(book.contents))}"
        )
    return found

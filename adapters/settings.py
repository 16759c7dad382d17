"""Settings from the environment and .env, gathered into frozen objects at start-up.

The settings every command reads are here. Each platform's own (SLACK_*, DISCORD_* ...) are a
Section that lives in the platform's folder and is read only when a command that runs the
platform asks for it: a half-set platform never stops the terminal chat or the card.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote, urlparse

from dotenv import dotenv_values

from bot.content.rules import CONTACT_LENGTH
from bot.errors import SettingsError
from bot.plain_text import invisible_character
from bot.regions import region_code

Parser = Callable[[str, str], Any]
"""Reads one variable: its name (for the message) and its text; raises SettingsError."""

_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_MIN_SECRET_LENGTH = 16


def _default_content_dir() -> Path:
    from content import CONTENT_DIR

    return CONTENT_DIR


def is_digits(raw: str) -> bool:
    """Whether `raw` is ASCII digits only."""
    return raw.isascii() and raw.isdigit()


def as_text(name: str, raw: str) -> str:
    """Any text, as it is."""
    return raw


def as_one_line(name: str, raw: str) -> str:
    """Text with no spaces or line breaks (a token, an id)."""
    if any(c.isspace() for c in raw):
        raise SettingsError(
            f"{name} must not contain spaces or line breaks; check the copied value"
        )
    return raw


def as_secret(name: str, raw: str) -> str:
    """A secret of at least 16 characters, on one line."""
    as_one_line(name, raw)
    if len(raw) < _MIN_SECRET_LENGTH:
        raise SettingsError(
            f"{name} must be at least {_MIN_SECRET_LENGTH} characters; make one with: "
            'python -c "import secrets; print(secrets.token_urlsafe(32))"'
        )
    return raw


def as_old_secrets(name: str, raw: str) -> str:
    """Comma-separated secrets still accepted while keys rotate."""
    for part in raw.split(","):
        if part.strip():
            as_secret(name, part.strip())
    return raw


def as_url(name: str, raw: str) -> str:
    """An http(s) URL."""
    parsed = urlparse(raw)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SettingsError(
            f"{name} must be an http(s) URL like https://example.com/api/, not {raw!r}"
        )
    return raw


def as_positive_int(name: str, raw: str) -> int:
    """A whole number above 0."""
    if not is_digits(raw) or int(raw) <= 0:
        raise SettingsError(f"{name} must be a whole number above 0, not {raw!r}")
    return int(raw)


def as_port(name: str, raw: str) -> int:
    """A port number, 0 to 65535."""
    if not is_digits(raw) or not 0 <= int(raw) <= 65535:
        raise SettingsError(f"{name} must be a port number from 0 to 65535, not {raw!r}")
    return int(raw)


def as_hours(name: str, raw: str) -> float:
    """A number of hours above 0, at most 720."""
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if not 0 < value <= 24 * 30:
        raise SettingsError(f"{name} must be a number of hours above 0 (at most 720), not {raw!r}")
    return value


def as_list(name: str, raw: str) -> tuple[str, ...]:
    """Comma-separated words, blanks left out."""
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def as_int_list(name: str, raw: str) -> tuple[int, ...]:
    """Comma-separated whole numbers."""
    parts = as_list(name, raw)
    if not all(is_digits(p) for p in parts):
        raise SettingsError(f"{name} must be comma-separated whole numbers, like 0,1, not {raw!r}")
    return tuple(int(p) for p in parts)


def as_path(name: str, raw: str) -> Path:
    """A path, ~ expanded."""
    return Path(raw).expanduser()


def as_existing_dir(name: str, raw: str) -> Path:
    """A folder that exists."""
    path = Path(raw).expanduser()
    if not path.is_dir():
        raise SettingsError(f"{name} must name an existing folder; {raw!r} is not one")
    return path


def as_existing_file(name: str, raw: str) -> Path:
    """A file that exists."""
    path = Path(raw).expanduser()
    if not path.is_file():
        raise SettingsError(f"{name} must name an existing file; {raw!r} is not one")
    return path


def as_locale(name: str, raw: str) -> str:
    """A content folder's name, like en or pt-BR."""
    if not re.fullmatch(r"[a-z]{2}(-[A-Z]{2})?", raw):
        raise SettingsError(f"{name} must be a locale folder name like en or pt-BR, not {raw!r}")
    return raw


def as_region(name: str, raw: str) -> str:
    """A two-letter country code (UK read as GB)."""
    if not re.fullmatch(r"[A-Za-z]{2}", raw):
        raise SettingsError(f"{name} must be a two-letter country code like GB or US, not {raw!r}")
    return region_code(raw)


def as_contact(name: str, raw: str) -> str:
    """One line a person reads: no hidden or direction-changing characters."""
    if len(raw) > CONTACT_LENGTH or "\n" in raw or "\r" in raw:
        raise SettingsError(
            f"{name} must be one line of at most {CONTACT_LENGTH} characters, "
            "like a phone number, an email address or a link"
        )
    hidden = invisible_character(raw)
    if hidden:
        raise SettingsError(
            f"{name} contains {hidden}, which people would not see (or which changes how the "
            "text reads); type the contact again rather than pasting it"
        )
    return raw


def as_log_level(name: str, raw: str) -> str:
    """One of Python's logging levels."""
    if raw.upper() not in _LOG_LEVELS:
        raise SettingsError(f"{name} must be one of {', '.join(_LOG_LEVELS)}, not {raw!r}")
    return raw.upper()


def as_database_url(name: str, raw: str) -> str:
    """A sqlite:/// or postgresql:// URL."""
    if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", raw):
        raise SettingsError(
            f"{name} must start with sqlite:/// or postgresql:// (e.g. postgresql://user@host/db)"
        )
    return raw


@dataclass(frozen=True)
class Section:
    """One platform's own settings: a frozen dataclass subclass whose fields are its variables.

    A field `bot_token` of a section with PREFIX "SLACK_" is the variable SLACK_BOT_TOKEN.
    """

    PREFIX: ClassVar[str] = ""
    PARSERS: ClassVar[Mapping[str, Parser]] = {}
    SECRETS: ClassVar[tuple[str, ...]] = ()
    """The fields whose values are secrets."""

    @classmethod
    def variables(cls) -> tuple[str, ...]:
        """Every environment variable of this section."""
        return tuple(cls.PREFIX + f.name.upper() for f in fields(cls))

    @classmethod
    def secret_variables(cls) -> tuple[str, ...]:
        """The variables whose values are secrets."""
        return tuple(cls.PREFIX + name.upper() for name in cls.SECRETS)

    @classmethod
    def read(cls: type[S], values: Mapping[str, str]) -> S:
        """This section from the environment's values; SettingsError naming what is wrong."""
        chosen: dict[str, Any] = {}
        for item in fields(cls):
            name = cls.PREFIX + item.name.upper()
            raw = values.get(name)
            if raw is not None and raw.strip():
                chosen[item.name] = cls.PARSERS.get(item.name, as_text)(name, raw.strip())
        section = cls(**chosen)
        section.check()
        return section

    @property
    def configured(self) -> bool:
        """Whether the platform is set up to run (its credentials are there)."""
        return False

    def check(self) -> None:
        """Raise SettingsError for settings that only make sense with others."""

    def require(self) -> None:
        """Raise SettingsError, naming what to set, unless the platform can run."""


S = TypeVar("S", bound=Section)


@dataclass(frozen=True)
class Settings:
    """Every setting the bot reads; see .env.example for what each one means.

    `sections` are platforms' own settings given already read; any other is read from `values`
    (the environment and .env) the first time it is asked for.
    """

    state_secret: str | None = None
    state_secret_old: str | None = None
    state_ttl_hours: float = 24.0
    database_url: str | None = None
    data_dir: Path = Path(".data")
    content_dir: Path | None = None
    default_locale: str = "en"
    default_region: str | None = None
    helplines_file: Path | None = None
    eap_contact: str | None = None
    coaching_contact: str | None = None
    log_level: str = "INFO"
    host: str = "0.0.0.0"
    port: int = 3000
    sections: tuple[Section, ...] = ()
    values: Mapping[str, str] = field(default_factory=dict, repr=False)
    _read: dict[type[Section], Section] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def content_root(self) -> Path:
        """The content folder: CONTENT_DIR, else the content shipped with the package."""
        return self.content_dir or _default_content_dir()

    @property
    def state_ttl_seconds(self) -> float:
        """How long a conversation's buttons stay usable."""
        return self.state_ttl_hours * 3600

    @property
    def database_url_or_default(self) -> str:
        """DATABASE_URL, else a SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        # percent-encoded, so a folder named with ? # % or a line break is still that folder
        return "sqlite:///" + quote(str((self.data_dir / "coach-or-therapy.db").resolve()))

    def section(self, kind: type[S]) -> S:
        """A platform's own settings (read now if they were not given; SettingsError if wrong)."""
        for given in self.sections:
            if isinstance(given, kind):
                return given
        if kind not in self._read:
            self._read[kind] = kind.read(self.values)
        found = self._read[kind]
        assert isinstance(found, kind)
        return found

    def asks_for(self, kind: type[Section]) -> bool:
        """Whether the settings ask for this platform: given set up, or any of its variables set."""
        if any(isinstance(given, kind) for given in self.sections):
            return self.section(kind).configured
        return any((self.values.get(name) or "").strip() for name in kind.variables())


CORE_PARSERS: dict[str, Parser] = {
    "state_secret": as_secret,
    "state_secret_old": as_old_secrets,
    "state_ttl_hours": as_hours,
    "database_url": as_database_url,
    "data_dir": as_path,
    "content_dir": as_existing_dir,
    "default_locale": as_locale,
    "default_region": as_region,
    "helplines_file": as_existing_file,
    "eap_contact": as_contact,
    "coaching_contact": as_contact,
    "log_level": as_log_level,
    "port": as_port,
}
_CORE_FIELDS = tuple(f for f in fields(Settings) if f.name not in ("sections", "values", "_read"))
CORE_NAMES = tuple(f.name.upper() for f in _CORE_FIELDS)
"""Every environment variable the core of the bot reads (each platform adds its own)."""
CORE_SECRETS = ("STATE_SECRET", "STATE_SECRET_OLD", "DATABASE_URL")
"""Core settings whose values are secrets (a DATABASE_URL may carry a password)."""


def load_settings(environ: Mapping[str, str], dotenv_path: Path | None = Path(".env")) -> Settings:
    """Settings from `environ`, then the .env file; raise SettingsError naming the problem.

    Only the core settings are checked here; each platform's when a command runs it.
    """
    values: dict[str, str] = {}
    if dotenv_path is not None and dotenv_path.is_file():
        values.update({k: v for k, v in _read_dotenv(dotenv_path).items() if v and v.strip()})
    # an empty variable (as container tools often pass) does not hide a value set in .env
    values.update({name: value for name, value in environ.items() if value.strip()})
    chosen: dict[str, Any] = {}
    for item in _CORE_FIELDS:
        raw = values.get(item.name.upper())
        if raw is None or not raw.strip():
            continue
        chosen[item.name] = CORE_PARSERS.get(item.name, as_text)(item.name.upper(), raw.strip())
    return Settings(**chosen, values=values)


def unknown_dotenv_names(
    known: Iterable[str], dotenv_path: Path | None = Path(".env")
) -> tuple[str, ...]:
    """Names set in the .env file that are not among `known` (usually a typo), in file order."""
    if dotenv_path is None or not dotenv_path.is_file():
        return ()
    names = set(known)
    return tuple(name for name in _read_dotenv(dotenv_path) if name not in names)


def dotenv_sets_secrets(secrets: Sequence[str], dotenv_path: Path | None = Path(".env")) -> bool:
    """Whether the .env file gives a value to any of the settings named in `secrets`."""
    if dotenv_path is None or not dotenv_path.is_file():
        return False
    values = _read_dotenv(dotenv_path)
    return any((values.get(name) or "").strip() for name in secrets)


def _read_dotenv(path: Path) -> dict[str, str | None]:
    try:
        return dict(dotenv_values(path, encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise SettingsError(f"{path} cannot be read ({reason}); fix or remove it") from None

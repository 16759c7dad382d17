"""Settings from the environment and .env, gathered into one frozen object at start-up."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from dotenv import dotenv_values

from bot.errors import SettingsError
from bot.plain_text import invisible_character
from bot.regions import region_code

_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_MIN_SECRET_LENGTH = 16
CONTACT_LENGTH = 200
"""The most characters an EAP or coaching contact may have, wherever it is set."""


def _default_content_dir() -> Path:
    from content import CONTENT_DIR

    return CONTENT_DIR


@dataclass(frozen=True)
class Settings:
    """Every setting the bot reads; see .env.example for what each one means."""

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_card_channels: tuple[str, ...] = ()
    discord_token: str | None = None
    discord_guild_id: int | None = None
    discord_api_url: str | None = None
    discord_card_roles: tuple[str, ...] = ()
    discord_card_channels: tuple[str, ...] = ()
    discord_shard_count: int | None = None
    discord_shard_ids: tuple[int, ...] = ()
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

    @property
    def content_root(self) -> Path:
        """The content folder: CONTENT_DIR, else the content shipped with the package."""
        return self.content_dir or _default_content_dir()

    @property
    def state_ttl_seconds(self) -> float:
        """How long a conversation's buttons stay usable."""
        return self.state_ttl_hours * 3600

    @property
    def slack_configured(self) -> bool:
        """Whether enough is set to run the Slack app (HTTP needs the signing secret)."""
        has_credentials = bool(self.slack_bot_token or self.slack_client_id)
        return has_credentials and bool(self.slack_signing_secret or self.slack_app_token)

    @property
    def discord_configured(self) -> bool:
        """Whether enough is set to run the Discord bot."""
        return bool(self.discord_token)

    @property
    def database_url_or_default(self) -> str:
        """DATABASE_URL, else a SQLite file in the data folder."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'coach-or-therapy.db').resolve()}"

    def require_slack(self) -> None:
        """Raise SettingsError, naming what to set, unless the Slack app can run."""
        if not self.slack_configured:
            raise SettingsError(
                "Slack is not set up: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET "
                "(or SLACK_APP_TOKEN for Socket Mode); see .env.example"
            )

    def require_discord(self) -> None:
        """Raise SettingsError, naming what to set, unless the Discord bot can run."""
        if not self.discord_configured:
            raise SettingsError(
                "DISCORD_TOKEN is missing; copy the bot token from the Bot page of your "
                "Discord application (see .env.example)"
            )


def _digits(raw: str) -> bool:
    return raw.isascii() and raw.isdigit()


def _text(name: str, raw: str) -> str:
    return raw


def _one_line(name: str, raw: str) -> str:
    if any(c.isspace() for c in raw):
        raise SettingsError(
            f"{name} must not contain spaces or line breaks; check the copied value"
        )
    return raw


def _secret(name: str, raw: str) -> str:
    _one_line(name, raw)
    if len(raw) < _MIN_SECRET_LENGTH:
        raise SettingsError(
            f"{name} must be at least {_MIN_SECRET_LENGTH} characters; make one with: "
            'python -c "import secrets; print(secrets.token_urlsafe(32))"'
        )
    return raw


def _old_secrets(name: str, raw: str) -> str:
    for part in raw.split(","):
        if part.strip():
            _secret(name, part.strip())
    return raw


def _url(name: str, raw: str) -> str:
    parsed = urlparse(raw)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SettingsError(
            f"{name} must be an http(s) URL like https://example.com/api/, not {raw!r}"
        )
    return raw


def _positive_int(name: str, raw: str) -> int:
    if not _digits(raw) or int(raw) <= 0:
        raise SettingsError(f"{name} must be a whole number above 0, not {raw!r}")
    return int(raw)


def _port(name: str, raw: str) -> int:
    if not _digits(raw) or not 0 <= int(raw) <= 65535:
        raise SettingsError(f"{name} must be a port number from 0 to 65535, not {raw!r}")
    return int(raw)


def _hours(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if not 0 < value <= 24 * 30:
        raise SettingsError(f"{name} must be a number of hours above 0 (at most 720), not {raw!r}")
    return value


def _list(name: str, raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _slack_channels(name: str, raw: str) -> tuple[str, ...]:
    parts = _list(name, raw)
    if not all(re.fullmatch(r"[A-Za-z0-9]+", p) for p in parts):
        raise SettingsError(
            f"{name} must be comma-separated channel ids, like C0123ABCD,C0456EFGH (channel "
            f"details, at the bottom), not {raw!r}"
        )
    return parts


_DISCORD_NAME_LENGTH = 100


def _discord_ids_or_names(kind: str, example: str) -> Callable[[str, str], tuple[str, ...]]:
    """Discord role or channel ids (17 to 20 digits) or names, comma-separated."""

    def check(name: str, raw: str) -> tuple[str, ...]:
        parts = _list(name, raw)
        usage = f"{name} must be comma-separated {kind} ids or names, like {example}"
        for part in parts:
            bare = part.lstrip("#@").strip()
            if not bare or len(bare) > _DISCORD_NAME_LENGTH or invisible_character(bare):
                raise SettingsError(f"{usage}, not {part!r}")
            if bare.isascii() and bare.isdigit() and not 17 <= len(bare) <= 20:
                raise SettingsError(
                    f"{name}: {part!r} looks like an id, but Discord's ids have 17 to 20 "
                    f"digits; with Developer Mode on, right-click the {kind} and choose Copy ID"
                )
        return parts

    return check


def _int_list(name: str, raw: str) -> tuple[int, ...]:
    parts = _list(name, raw)
    if not all(_digits(p) for p in parts):
        raise SettingsError(f"{name} must be comma-separated whole numbers, like 0,1, not {raw!r}")
    return tuple(int(p) for p in parts)


def _path(name: str, raw: str) -> Path:
    return Path(raw).expanduser()


def _existing_dir(name: str, raw: str) -> Path:
    path = Path(raw).expanduser()
    if not path.is_dir():
        raise SettingsError(f"{name} must name an existing folder; {raw!r} is not one")
    return path


def _existing_file(name: str, raw: str) -> Path:
    path = Path(raw).expanduser()
    if not path.is_file():
        raise SettingsError(f"{name} must name an existing file; {raw!r} is not one")
    return path


def _locale(name: str, raw: str) -> str:
    if not re.fullmatch(r"[a-z]{2}(-[A-Z]{2})?", raw):
        raise SettingsError(f"{name} must be a locale folder name like en or pt-BR, not {raw!r}")
    return raw


def _region(name: str, raw: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{2}", raw):
        raise SettingsError(f"{name} must be a two-letter country code like GB or US, not {raw!r}")
    return region_code(raw)


def _contact(name: str, raw: str) -> str:
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


def _log_level(name: str, raw: str) -> str:
    if raw.upper() not in _LOG_LEVELS:
        raise SettingsError(f"{name} must be one of {', '.join(_LOG_LEVELS)}, not {raw!r}")
    return raw.upper()


def _database_url(name: str, raw: str) -> str:
    if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", raw):
        raise SettingsError(
            f"{name} must start with sqlite:/// or postgresql:// (e.g. postgresql://user@host/db)"
        )
    return raw


def _slack_token(prefix: str) -> Callable[[str, str], str]:
    def check(name: str, raw: str) -> str:
        if not raw.startswith(prefix):
            raise SettingsError(
                f"{name} must start with {prefix}; copy it from your Slack app's settings"
            )
        return _one_line(name, raw)

    return check


def _discord_token(name: str, raw: str) -> str:
    if raw.lower().startswith("bot "):
        raise SettingsError(f"{name} must be the token alone, without the 'Bot ' in front")
    return _one_line(name, raw)


def _discord_guild(name: str, raw: str) -> int:
    if not _digits(raw):
        raise SettingsError(
            f"{name} must be a server id (digits); enable Developer Mode and copy it"
        )
    return int(raw)


_PARSERS: dict[str, Callable[[str, str], Any]] = {
    "slack_bot_token": _slack_token("xoxb-"),
    "slack_signing_secret": _one_line,
    "slack_app_token": _slack_token("xapp-"),
    "slack_api_url": _url,
    "slack_client_id": _one_line,
    "slack_client_secret": _one_line,
    "slack_card_channels": _slack_channels,
    "discord_token": _discord_token,
    "discord_guild_id": _discord_guild,
    "discord_api_url": _url,
    "discord_card_roles": _discord_ids_or_names("role", "123456789012345678,People Team"),
    "discord_card_channels": _discord_ids_or_names(
        "channel", "123456789012345678,#hr-announcements"
    ),
    "discord_shard_count": _positive_int,
    "discord_shard_ids": _int_list,
    "state_secret": _secret,
    "state_secret_old": _old_secrets,
    "state_ttl_hours": _hours,
    "database_url": _database_url,
    "data_dir": _path,
    "content_dir": _existing_dir,
    "default_locale": _locale,
    "default_region": _region,
    "helplines_file": _existing_file,
    "eap_contact": _contact,
    "coaching_contact": _contact,
    "log_level": _log_level,
    "port": _port,
}

SETTING_NAMES = tuple(f.name.upper() for f in fields(Settings))
"""Every environment variable the bot reads."""


def load_settings(environ: Mapping[str, str], dotenv_path: Path | None = Path(".env")) -> Settings:
    """Settings from `environ`, then the .env file; raise SettingsError naming the problem."""
    values: dict[str, str | None] = {}
    if dotenv_path is not None and dotenv_path.is_file():
        values.update(_read_dotenv(dotenv_path))
    # an empty variable (as container tools often pass) does not hide a value set in .env
    values.update({name: value for name, value in environ.items() if value.strip()})
    chosen: dict[str, Any] = {}
    for field in fields(Settings):
        raw = values.get(field.name.upper())
        if raw is None or not raw.strip():
            continue
        parse = _PARSERS.get(field.name, _text)
        chosen[field.name] = parse(field.name.upper(), raw.strip())
    settings = Settings(**chosen)
    _check_together(settings)
    return settings


def unknown_dotenv_names(dotenv_path: Path | None = Path(".env")) -> tuple[str, ...]:
    """Names set in the .env file that are not settings (usually a typo), in file order."""
    if dotenv_path is None or not dotenv_path.is_file():
        return ()
    return tuple(name for name in _read_dotenv(dotenv_path) if name not in SETTING_NAMES)


SECRET_NAMES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_SECRET",
    "DISCORD_TOKEN",
    "STATE_SECRET",
    "STATE_SECRET_OLD",
    "DATABASE_URL",
)
"""Settings whose values are secrets (a DATABASE_URL may carry a password)."""


def dotenv_sets_secrets(dotenv_path: Path | None = Path(".env")) -> bool:
    """Whether the .env file gives a value to any setting in SECRET_NAMES."""
    if dotenv_path is None or not dotenv_path.is_file():
        return False
    values = _read_dotenv(dotenv_path)
    return any((values.get(name) or "").strip() for name in SECRET_NAMES)


def _read_dotenv(path: Path) -> dict[str, str | None]:
    try:
        return dict(dotenv_values(path, encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise SettingsError(f"{path} cannot be read ({reason}); fix or remove it") from None


def _check_together(settings: Settings) -> None:
    """Settings that only make sense with others."""
    if bool(settings.slack_client_id) != bool(settings.slack_client_secret):
        raise SettingsError(
            "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together; set both or neither"
        )
    slack_credentials = settings.slack_bot_token or settings.slack_client_id
    if slack_credentials and not (settings.slack_signing_secret or settings.slack_app_token):
        raise SettingsError(
            "SLACK_SIGNING_SECRET is missing; copy it from your Slack app's Basic Information "
            "page (or set SLACK_APP_TOKEN for Socket Mode)"
        )
    if (settings.slack_signing_secret or settings.slack_app_token) and not slack_credentials:
        raise SettingsError(
            "SLACK_BOT_TOKEN is missing; copy the xoxb- token from your Slack app's "
            "OAuth & Permissions page"
        )
    if settings.discord_shard_ids:
        if not settings.discord_shard_count:
            raise SettingsError(
                "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT; set the total shard count"
            )
        if max(settings.discord_shard_ids) >= settings.discord_shard_count:
            raise SettingsError(
                f"DISCORD_SHARD_IDS must be below DISCORD_SHARD_COUNT "
                f"({settings.discord_shard_count}); shards are numbered from 0"
            )

"""Discord's own settings (DISCORD_*), read only by the commands that run Discord."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from adapters.settings import (
    Parser,
    Section,
    as_int_list,
    as_list,
    as_one_line,
    as_positive_int,
    as_url,
    is_digits,
)
from bot.errors import SettingsError
from bot.plain_text import invisible_character

NAME_LENGTH = 100


def _token(name: str, raw: str) -> str:
    if raw.lower().startswith("bot "):
        raise SettingsError(f"{name} must be the token alone, without the 'Bot ' in front")
    return as_one_line(name, raw)


def _guild(name: str, raw: str) -> int:
    if not is_digits(raw):
        raise SettingsError(
            f"{name} must be a server id (digits); enable Developer Mode and copy it"
        )
    return int(raw)


def _ids_or_names(kind: str, example: str) -> Parser:
    """Discord role or channel ids (17 to 20 digits) or names, comma-separated."""

    def check(name: str, raw: str) -> tuple[str, ...]:
        parts = as_list(name, raw)
        usage = f"{name} must be comma-separated {kind} ids or names, like {example}"
        for part in parts:
            bare = part.lstrip("#@").strip()
            if not bare or len(bare) > NAME_LENGTH or invisible_character(bare):
                raise SettingsError(f"{usage}, not {part!r}")
            if bare.isascii() and bare.isdigit() and not 17 <= len(bare) <= 20:
                raise SettingsError(
                    f"{name}: {part!r} looks like an id, but Discord's ids have 17 to 20 "
                    f"digits; with Developer Mode on, right-click the {kind} and choose Copy ID"
                )
        return parts

    return check


@dataclass(frozen=True)
class DiscordSettings(Section):
    """DISCORD_TOKEN and the rest; see .env.example."""

    PREFIX = "DISCORD_"
    PARSERS = MappingProxyType(
        {
            "token": _token,
            "guild_id": _guild,
            "api_url": as_url,
            "card_roles": _ids_or_names("role", "123456789012345678,People Team"),
            "card_channels": _ids_or_names("channel", "123456789012345678,#hr-announcements"),
            "shard_count": as_positive_int,
            "shard_ids": as_int_list,
        }
    )
    SECRETS = ("token",)

    token: str | None = None
    guild_id: int | None = None
    api_url: str | None = None
    card_roles: tuple[str, ...] = ()
    card_channels: tuple[str, ...] = ()
    shard_count: int | None = None
    shard_ids: tuple[int, ...] = ()

    @property
    def configured(self) -> bool:
        """Whether enough is set to run the Discord bot."""
        return bool(self.token)

    def check(self) -> None:
        """Settings that only make sense with others."""
        if self.shard_ids:
            if not self.shard_count:
                raise SettingsError(
                    "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT; set the total shard count"
                )
            if max(self.shard_ids) >= self.shard_count:
                raise SettingsError(
                    f"DISCORD_SHARD_IDS must be below DISCORD_SHARD_COUNT ({self.shard_count}); "
                    "shards are numbered from 0"
                )

    def require(self) -> None:
        """Raise SettingsError, naming what to set, unless the Discord bot can run."""
        if not self.configured:
            raise SettingsError(
                "DISCORD_TOKEN is missing; copy the bot token from the Bot page of your "
                "Discord application (see .env.example)"
            )

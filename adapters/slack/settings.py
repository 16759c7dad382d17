"""Slack's own settings (SLACK_*), read only by the commands that run Slack."""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType

from adapters.settings import Parser, Section, as_list, as_one_line, as_url
from bot.errors import SettingsError


def _token(prefix: str) -> Parser:
    def check(name: str, raw: str) -> str:
        if not raw.startswith(prefix):
            raise SettingsError(
                f"{name} must start with {prefix}; copy it from your Slack app's settings"
            )
        return as_one_line(name, raw)

    return check


def _channels(name: str, raw: str) -> tuple[str, ...]:
    parts = as_list(name, raw)
    if not all(re.fullmatch(r"[A-Za-z0-9]+", p) for p in parts):
        raise SettingsError(
            f"{name} must be comma-separated channel ids, like C0123ABCD,C0456EFGH (channel "
            f"details, at the bottom), not {raw!r}"
        )
    return parts


@dataclass(frozen=True)
class SlackSettings(Section):
    """SLACK_BOT_TOKEN and the rest; see .env.example."""

    PREFIX = "SLACK_"
    PARSERS = MappingProxyType(
        {
            "bot_token": _token("xoxb-"),
            "signing_secret": as_one_line,
            "app_token": _token("xapp-"),
            "api_url": as_url,
            "client_id": as_one_line,
            "client_secret": as_one_line,
            "card_channels": _channels,
        }
    )
    SECRETS = ("bot_token", "signing_secret", "app_token", "client_secret")

    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    api_url: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    card_channels: tuple[str, ...] = ()

    @property
    def configured(self) -> bool:
        """Whether enough is set to run the Slack app (HTTP needs the signing secret)."""
        has_credentials = bool(self.bot_token or self.client_id)
        return has_credentials and bool(self.signing_secret or self.app_token)

    def check(self) -> None:
        """Settings that only make sense with others."""
        if bool(self.client_id) != bool(self.client_secret):
            raise SettingsError(
                "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together; set both or neither"
            )
        credentials = self.bot_token or self.client_id
        if credentials and not (self.signing_secret or self.app_token):
            raise SettingsError(
                "SLACK_SIGNING_SECRET is missing; copy it from your Slack app's Basic "
                "Information page (or set SLACK_APP_TOKEN for Socket Mode)"
            )
        if (self.signing_secret or self.app_token) and not credentials:
            raise SettingsError(
                "SLACK_BOT_TOKEN is missing; copy the xoxb- token from your Slack app's "
                "OAuth & Permissions page"
            )

    def require(self) -> None:
        """Raise SettingsError, naming what to set, unless the Slack app can run."""
        if not self.configured:
            raise SettingsError(
                "Slack is not set up: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET "
                "(or SLACK_APP_TOKEN for Socket Mode); see .env.example"
            )

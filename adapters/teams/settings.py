"""Teams' own settings (TEAMS_*), read only by the commands that run Teams."""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType

from adapters.settings import Section, as_list, as_one_line, as_url
from bot.errors import SettingsError

DEFAULT_OPENID_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
TOKEN_URL_TEMPLATE = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
MULTI_TENANT = "botframework.com"
"""Where a multi-tenant bot asks for its token."""

_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_TENANT = re.compile(r"[A-Za-z0-9.-]+")


def is_guid(text: str) -> bool:
    """Whether `text` is a GUID like 00000000-0000-0000-0000-000000000000."""
    return _GUID.fullmatch(text) is not None


def _app_id(name: str, raw: str) -> str:
    if not is_guid(raw):
        raise SettingsError(
            f"{name} must be the bot's Microsoft App ID, a GUID like "
            "00000000-0000-0000-0000-000000000000 (Azure Bot resource, Configuration page)"
        )
    return raw.lower()


def _tenant(name: str, raw: str) -> str:
    if not (is_guid(raw) or _TENANT.fullmatch(raw)):
        raise SettingsError(
            f"{name} must be a tenant id (a GUID) or domain like contoso.onmicrosoft.com; "
            "leave it empty for a multi-tenant bot"
        )
    return raw


def _admins(name: str, raw: str) -> frozenset[str]:
    ids = as_list(name, raw)
    wrong = next((i for i in ids if not is_guid(i)), None)
    if wrong is not None:
        raise SettingsError(
            f"{name} must be comma-separated Microsoft Entra object ids, GUIDs like "
            "00000000-0000-0000-0000-000000000000 (Entra admin centre, Users, the person, "
            f"Object ID; or what the bot shows them when they type settings), not {wrong[:60]!r}"
        )
    return frozenset(i.lower() for i in ids)


@dataclass(frozen=True)
class TeamsSettings(Section):
    """TEAMS_APP_ID and the rest; see .env.example."""

    PREFIX = "TEAMS_"
    PARSERS = MappingProxyType(
        {
            "app_id": _app_id,
            "app_password": as_one_line,
            "tenant_id": _tenant,
            "openid_url": as_url,
            "token_url": as_url,
            "admins": _admins,
        }
    )
    SECRETS = ("app_password",)

    app_id: str | None = None
    app_password: str | None = None
    tenant_id: str | None = None
    openid_url: str | None = None
    token_url: str | None = None
    admins: frozenset[str] = frozenset()
    """The object ids (lower case) of the people who may change their tenant's settings."""

    @property
    def configured(self) -> bool:
        """Whether enough is set to run the Teams bot."""
        return bool(self.app_id and self.app_password)

    @property
    def openid_url_or_default(self) -> str:
        """Where the Bot Framework's signing keys are described."""
        return self.openid_url or DEFAULT_OPENID_URL

    @property
    def token_url_or_default(self) -> str:
        """Where the bot asks for its own token: its tenant's, else the multi-tenant one."""
        return self.token_url or TOKEN_URL_TEMPLATE.format(tenant=self.tenant_id or MULTI_TENANT)

    def check(self) -> None:
        """Settings that only make sense with others."""
        if self.app_password and not self.app_id:
            raise SettingsError(
                "TEAMS_APP_ID is missing; copy the Microsoft App ID from your Azure Bot "
                "resource's Configuration page"
            )

    def require(self) -> None:
        """Raise SettingsError, naming what to set, unless the Teams bot can run."""
        if not self.app_id:
            raise SettingsError(
                "Teams is not set up: set TEAMS_APP_ID and TEAMS_APP_PASSWORD from your Azure "
                "Bot resource; see .env.example"
            )
        if not self.app_password:
            raise SettingsError(
                "TEAMS_APP_PASSWORD is missing; make a client secret for the bot's app "
                "registration (Certificates & secrets) and set it"
            )
